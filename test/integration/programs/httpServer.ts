/**
 * A plain node HTTP server, run as its own process by the integration tests
 * (kspan traces it from outside). Prints "listening PORT" when ready.
 *   GET  /hello             200 "hello"
 *   GET  /chunked           200, chunked body in three writes
 *   GET  /status/CODE       that status (204, 304, 404, 500, ...)
 *   GET  /slow?ms=N         answers after N ms
 *   POST /echo              reads the body, answers its length
 *   GET  /close             answers with Connection: close
 *   GET  /call?port=P&path=X[&tp=TRACEPARENT]
 *                           while serving, GETs http://127.0.0.1:P/X (with traceparent tp if given)
 */
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';

const port = Number(process.argv[2] ?? 0);
// `--tls CERT KEY`: serve HTTPS with node's statically linked OpenSSL.
const tlsAt = process.argv.indexOf('--tls');
const tls = tlsAt > 0 ? { cert: fs.readFileSync(process.argv[tlsAt + 1]), key: fs.readFileSync(process.argv[tlsAt + 2]) } : undefined;

const handler: http.RequestListener = (req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const parts = url.pathname.split('/');
  if (url.pathname === '/hello') {
    res.end('hello');
  } else if (url.pathname === '/chunked') {
    res.write('one,');
    setTimeout(() => { res.write('two,'); res.end('three'); }, 5);
  } else if (parts[1] === 'status') {
    res.statusCode = Number(parts[2]);
    res.end(res.statusCode === 204 || res.statusCode === 304 ? undefined : `status ${parts[2]}`);
  } else if (url.pathname === '/slow') {
    setTimeout(() => res.end('slow'), Number(url.searchParams.get('ms') ?? 50));
  } else if (url.pathname === '/echo') {
    let n = 0;
    req.on('data', (d: Buffer) => (n += d.length));
    req.on('end', () => res.end(`got ${n}`));
  } else if (url.pathname === '/close') {
    res.setHeader('Connection', 'close');
    res.end('bye');
  } else if (url.pathname === '/call') {
    const headers: Record<string, string> = {};
    const tp = url.searchParams.get('tp');
    if (tp) headers.traceparent = tp;
    const out = http.get({ host: '127.0.0.1', port: Number(url.searchParams.get('port')), path: url.searchParams.get('path') ?? '/', headers, agent: false }, (r) => {
      let body = '';
      r.on('data', (d: Buffer) => (body += d.toString()));
      r.on('end', () => res.end(`downstream ${r.statusCode} ${body}`));
    });
    out.on('error', (e) => { res.statusCode = 502; res.end(String(e)); });
  } else {
    res.statusCode = 404;
    res.end('not found');
  }
};
const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
server.keepAliveTimeout = 30_000;
server.listen(port, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`listening ${typeof addr === 'object' && addr ? addr.port : port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
