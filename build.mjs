// Bundles the CLI into dist/ so that `nbsecure` starts fast. The wizard (react, ink) is a separate
// chunk loaded only when the wizard runs; the scripted path never touches it.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

rmSync(new URL('./dist', import.meta.url), { recursive: true, force: true });

await build({
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Parsing less code is most of a fast start; the source map keeps stack traces readable with DEBUG.
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  external: ['react-devtools-core'],
  // React picks its development build unless NODE_ENV says otherwise: slower, and a megabyte more to load.
  define: { __NBSECURE_VERSION__: JSON.stringify(pkg.version), 'process.env.NODE_ENV': '"production"' },
  // Bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: {
    js:
      "import { createRequire as __nbsecureCreateRequire } from 'node:module'; const " +
      'require = __nbsecureCreateRequire(import.meta.url);',
  },
  logLevel: 'warning',
});
