import { createRequire } from 'node:module';
import { Language, Parser, type Node } from 'web-tree-sitter';

const require = createRequire(import.meta.url);
let parser: Parser | undefined;

/**
 * The syntax errors a real PowerShell grammar (tree-sitter-powershell, run as WebAssembly) finds in
 * a script: line and text of each. PowerShell itself is not in Debian; this catches what it would
 * refuse to parse.
 */
export async function powershellSyntaxErrors(script: string): Promise<string[]> {
  if (!parser) {
    await Parser.init();
    const language = await Language.load(require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm'));
    parser = new Parser();
    parser.setLanguage(language);
  }
  const tree = parser.parse(script);
  if (!tree) return ['the parser returned nothing'];
  const errors: string[] = [];
  const walk = (n: Node) => {
    if (n.isError || n.isMissing) {
      errors.push(`line ${n.startPosition.row + 1}: ${n.isMissing ? `missing ${n.type}` : n.text.slice(0, 80)}`);
      return;
    }
    for (const c of n.children) if (c) walk(c);
  };
  walk(tree.rootNode);
  return errors;
}

/** The names of the functions a PowerShell script defines, read by the same grammar. */
export async function powershellFunctions(script: string): Promise<string[]> {
  await powershellSyntaxErrors('');
  const names: string[] = [];
  const walk = (n: Node) => {
    if (n.type === 'function_name') names.push(n.text);
    for (const c of n.children) if (c) walk(c);
  };
  walk(parser!.parse(script)!.rootNode);
  return names;
}
