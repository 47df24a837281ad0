/**
 * A node HTTP client run as its own process. Makes requests and prints, as
 * JSON, each one's wall-clock bounds measured by the client itself:
 *   node httpClient.js PORT '[{"method":"GET","path":"/hello","headers":{}}]' [keepalive]
 */
import * as http from 'http';
import * as https from 'https';

interface Req { method?: string; path: string; headers?: Record<string, string>; body?: string }
interface Result { path: string; status: number; startNs: string; endNs: string }

const port = Number(process.argv[2]);
const reqs = JSON.parse(process.argv[3]) as Req[];
// KSPAN_TEST_HTTPS=1: TLS (self-signed test certificates are accepted).
const secure = process.env.KSPAN_TEST_HTTPS === '1';
const lib = secure ? https : http;
const agent = secure
  ? new https.Agent({ keepAlive: process.argv[4] === 'keepalive', maxSockets: 1, rejectUnauthorized: false })
  : new http.Agent({ keepAlive: process.argv[4] === 'keepalive', maxSockets: 1 });
const origin = BigInt(Math.round(performance.timeOrigin * 1e6));
const wallNs = () => origin + BigInt(Math.round(performance.now() * 1e6));

function one(r: Req): Promise<Result> {
  return new Promise((resolve, reject) => {
    const startNs = wallNs();
    const req = lib.request({ host: '127.0.0.1', port, method: r.method ?? 'GET', path: r.path, headers: r.headers, agent }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve({ path: r.path, status: res.statusCode ?? 0, startNs: String(startNs), endNs: String(wallNs()) }));
    });
    req.on('error', reject);
    req.end(r.body);
  });
}

(async () => {
  const results: Result[] = [];
  for (const r of reqs) results.push(await one(r));
  agent.destroy();
  process.stdout.write(`${JSON.stringify(results)}\n`);
})().catch((e) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
