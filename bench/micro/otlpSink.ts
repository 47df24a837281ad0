/**
 * A minimal OTLP/HTTP trace receiver on loopback, run as its own process so
 * that it does not share the measured pipeline's JS thread. Accepts POST
 * /v1/traces, drains the body and answers an empty ExportTraceServiceResponse.
 * Prints "listening PORT"; on SIGTERM prints "received REQUESTS BYTES".
 */
import * as http from 'http';

let requests = 0;
let bytes = 0;

const server = http.createServer((req, res) => {
  req.on('data', (d: Buffer) => (bytes += d.length));
  req.on('end', () => {
    requests++;
    if (req.method !== 'POST' || req.url !== '/v1/traces') {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('Content-Type', 'application/x-protobuf');
    res.end(); // an empty protobuf message: nothing rejected
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  process.stdout.write(`listening ${typeof a === 'object' && a ? a.port : 0}\n`);
});
process.on('SIGTERM', () => {
  process.stdout.write(`received ${requests} ${bytes}\n`);
  process.exit(0);
});
