/**
 * One TCP connect to 127.0.0.1:argv[2]; prints {"connected","localPort","code"}
 * as JSON (code: the errno name of a failed connect) and exits.
 */
import * as net from 'net';

const s = net.connect({ host: '127.0.0.1', port: Number(process.argv[2]) });
s.once('connect', () => {
  process.stdout.write(`${JSON.stringify({ connected: true, localPort: s.localPort, code: '' })}\n`);
  s.end();
});
s.once('error', (e: NodeJS.ErrnoException) => {
  process.stdout.write(`${JSON.stringify({ connected: false, localPort: 0, code: e.code ?? e.message })}\n`);
});
