/**
 * A plain TCP echo server (not HTTP), run as its own process: what kspan sees
 * on it must never become a span. Prints "listening PORT" when ready.
 */
import * as net from 'net';

const server = net.createServer((s) => {
  s.on('data', (d: Buffer) => s.write(d));
  s.on('error', () => undefined);
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`listening ${typeof addr === 'object' && addr ? addr.port : 0}\n`);
});
process.on('SIGTERM', () => process.exit(0));
