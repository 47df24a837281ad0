/**
 * The benchmark's node workload: the smallest realistic HTTP/1.1 server
 * (keep-alive, Content-Length, one short body), so that the cost of tracing
 * is as large a share of each request as it can be. Prints "listening PORT".
 */
import * as http from 'http';

const BODY = Buffer.from('hello world\n');

const server = http.createServer((_req, res) => {
  res.setHeader('Content-Type', 'text/plain');
  res.end(BODY);
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`listening ${typeof addr === 'object' && addr ? addr.port : 0}\n`);
});
process.on('SIGTERM', () => process.exit(0));
