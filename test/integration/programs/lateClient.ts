/**
 * Opens one keep-alive connection (HTTP, or HTTPS with KSPAN_TEST_HTTPS=1),
 * makes one request, prints "first done", then waits for SIGUSR2 and makes
 * N more requests on the same connection, printing "done" — a connection
 * that exists before kspan starts.
 *   node lateClient.js PORT PATH N
 */
import * as http from 'http';
import * as https from 'https';

const [port, path, more] = [Number(process.argv[2]), process.argv[3], Number(process.argv[4] ?? 2)];
const secure = process.env.KSPAN_TEST_HTTPS === '1';
const lib = secure ? https : http;
const agent = secure
  ? new https.Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false })
  : new http.Agent({ keepAlive: true, maxSockets: 1 });
let localPort = 0;

function get(): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = lib.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      localPort = res.socket.localPort ?? 0;
      res.on('data', () => undefined);
      res.on('end', resolve);
    });
    req.on('error', reject);
  });
}

(async () => {
  await get();
  process.stdout.write(`first done ${localPort}\n`);
  // An idle keep-alive socket is unref'd by the agent: hold the loop open until signalled.
  const hold = setInterval(() => undefined, 60_000);
  await new Promise<void>((r) => process.once('SIGUSR2', () => r()));
  clearInterval(hold);
  const before = localPort;
  for (let i = 0; i < more; i++) await get();
  process.stdout.write(`done ${before === localPort ? 'same' : 'new'}-connection\n`);
  agent.destroy();
})().catch((e) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
