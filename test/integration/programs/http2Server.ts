/**
 * A node http2 server (nghttp2) run as its own process by the integration
 * tests. Prints "listening PORT". Plaintext h2c (prior knowledge), or with
 * `--tls CERT KEY` TLS negotiating h2 by ALPN (node's static OpenSSL).
 *   /missing   404
 *   /big       200 with a 40 KiB body
 *   /status/N  status N
 *   other      200 "hello from PATH"
 */
import * as fs from 'fs';
import * as http2 from 'http2';

const port = Number(process.argv[2] ?? 0);
const tlsAt = process.argv.indexOf('--tls');
const server = tlsAt > 0
  ? http2.createSecureServer({ cert: fs.readFileSync(process.argv[tlsAt + 1]), key: fs.readFileSync(process.argv[tlsAt + 2]) })
  : http2.createServer();
const big = 'x'.repeat(40 * 1024);

server.on('stream', (stream, headers) => {
  const path = String(headers[':path']);
  stream.on('data', () => undefined);
  stream.on('error', () => undefined);
  if (path === '/missing') {
    stream.respond({ ':status': 404, 'content-type': 'text/plain' });
    stream.end('not here\n');
  } else if (path === '/big') {
    stream.respond({ ':status': 200, 'content-type': 'text/plain', 'content-length': big.length });
    stream.end(big);
  } else if (path.startsWith('/status/')) {
    stream.respond({ ':status': Number(path.slice(8)) });
    stream.end();
  } else {
    stream.respond({ ':status': 200, 'content-type': 'text/plain' });
    stream.end(`hello from ${path}\n`);
  }
});
server.listen(port, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`listening ${typeof addr === 'object' && addr ? addr.port : port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
