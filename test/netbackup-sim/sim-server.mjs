// The simulator as one long-lived process on a loopback port, for the benchmarks: a simulated command is then a
// small bash client (layout.ts writes it when the domain names this server) instead of a Node process of its
// own. A real NetBackup command spends its CPU on its own host; a Node start-up for each simulated one costs the
// benchmark's two cores some 100 ms, which would be measured as the control node's. Same logic (sim.mjs), same
// files, same exit statuses. Prints its port on the first line of stdout.
//
// A request is NUL-separated: pid, the executable's path, its name, argc, the args, the environment as
// NAME=value entries ended by an empty one, then stdin. The answer: the exit status, stdout and stderr, each
// ended by a NUL. A command that hangs (a fault) never answers; its client is the process to kill.
import { createServer } from 'node:net';
import { execute } from './sim.mjs';

/** The request in `text`, or undefined while it is incomplete. */
function parse(text) {
  const fields = text.split('\0');
  const complete = fields.length - 1;
  if (complete < 4) return undefined;
  const [pid, self, name, argc] = fields;
  let i = 4 + Number(argc);
  const env = {};
  for (; i < complete && fields[i] !== ''; i++) {
    const eq = fields[i].indexOf('=');
    env[fields[i].slice(0, eq)] = fields[i].slice(eq + 1);
  }
  // The empty entry that ends the environment, then stdin.
  if (i + 1 >= complete) return undefined;
  return { pid: Number(pid), self, name, argv: fields.slice(4, 4 + Number(argc)), env, stdin: fields[i + 1] };
}

const server = createServer((socket) => {
  let text = '';
  let started = false;
  socket.setEncoding('utf8');
  socket.on('error', () => {});
  socket.on('data', async (chunk) => {
    text += chunk;
    const request = started ? undefined : parse(text);
    if (!request) return;
    started = true;
    let stdout = '';
    let stderr = '';
    const result = await execute(request.self, request.name, {
      argv: request.argv,
      env: request.env,
      pid: request.pid,
      stdin: () => request.stdin,
      out: (t) => (stdout += t),
      err: (t) => (stderr += t),
    }).catch((e) => ({ status: 70, crash: String(e?.stack ?? e) }));
    if (result.hang) return;
    socket.end(`${result.status}\0${stdout}\0${stderr}${result.crash ? `simulator: ${result.crash}\n` : ''}\0`);
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
