/**
 * TCP client: argv[3] rounds of writing argv[4] bytes to 127.0.0.1:argv[2]
 * and reading as many back (an echo server answers). One message in flight at
 * a time, like requests on a keep-alive connection. Prints
 * {"localPort","rounds","ms"} as JSON.
 */
import * as net from 'net';

const port = Number(process.argv[2]);
const rounds = Number(process.argv[3] ?? 20);
const size = Number(process.argv[4] ?? 1000);
const t0 = Date.now();
const s = net.connect({ host: '127.0.0.1', port }, () => {
  const msg = Buffer.alloc(size, 0x61);
  let done = 0, pending = 0;
  const next = () => {
    if (done === rounds) {
      process.stdout.write(`${JSON.stringify({ localPort: s.localPort, rounds, ms: Date.now() - t0 })}\n`);
      s.end();
      return;
    }
    pending = size;
    s.write(msg);
  };
  s.on('data', (d: Buffer) => {
    pending -= d.length;
    if (pending <= 0) { done++; next(); }
  });
  next();
});
s.on('error', (e) => { process.stderr.write(`${e.message}\n`); process.exit(1); });
