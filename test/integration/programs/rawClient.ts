/**
 * A raw TCP client driven line by line over stdin, so a test controls exactly
 * which bytes go out in which write(2) and when (pipelining, garbage, a
 * connection opened before kspan starts). One JSON command per line, one JSON
 * reply per line on stdout:
 *   {"op":"connect","port":P}                 → {"localPort":N}
 *   {"op":"send","data":"...","expect":K}     → one write of data (latin1, or "hex" instead
 *                                               of "data"), then reads K HTTP responses:
 *                                               {"responses":[{"status":200,"body":"..."}],"startNs":..,"endNs":..}
 *   {"op":"send","data":"...","waitMs":M}     → one write, then collects whatever arrives for M ms
 *                                               (or until the peer closes): {"received":N,"closed":bool}
 *   {"op":"close"}                            → {"closed":true}
 */
import * as net from 'net';
import * as readline from 'readline';

interface Command { op: 'connect' | 'send' | 'close'; port?: number; data?: string; hex?: string; expect?: number; waitMs?: number }
interface Response { status: number; body: string }

const origin = BigInt(Math.round(performance.timeOrigin * 1e6));
const wallNs = () => origin + BigInt(Math.round(performance.now() * 1e6));

let sock: net.Socket | undefined;
let inbox = Buffer.alloc(0);
let closed = false;
let wake: (() => void) | undefined;

function reply(o: unknown): void {
  process.stdout.write(`${JSON.stringify(o, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}\n`);
}

function waitForData(ms: number): Promise<void> {
  return new Promise((r) => {
    const t = setTimeout(() => { wake = undefined; r(); }, ms);
    wake = () => { clearTimeout(t); wake = undefined; r(); };
  });
}

/** One complete response at the head of inbox (Content-Length, chunked, or close-delimited), or undefined. */
function takeResponse(): Response | undefined {
  const headEnd = inbox.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const head = inbox.subarray(0, headEnd).toString('latin1');
  const status = Number(/^HTTP\/1\.\d (\d{3})/.exec(head)?.[1] ?? 0);
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  let bodyStart = headEnd + 4;
  let end: number;
  let body: Buffer;
  if (length) {
    end = bodyStart + Number(length[1]);
    if (inbox.length < end) return undefined;
    body = inbox.subarray(bodyStart, end);
  } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    const parts: Buffer[] = [];
    for (;;) {
      const lineEnd = inbox.indexOf('\r\n', bodyStart);
      if (lineEnd < 0) return undefined;
      const size = parseInt(inbox.subarray(bodyStart, lineEnd).toString('latin1'), 16);
      if (size === 0) {
        end = lineEnd + 4;
        if (inbox.length < end) return undefined;
        break;
      }
      if (inbox.length < lineEnd + 2 + size + 2) return undefined;
      parts.push(inbox.subarray(lineEnd + 2, lineEnd + 2 + size));
      bodyStart = lineEnd + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  } else if (status === 204 || status === 304 || (status >= 100 && status < 200)) {
    end = bodyStart;
    body = Buffer.alloc(0);
  } else {
    if (!closed) return undefined;
    end = inbox.length;
    body = inbox.subarray(bodyStart);
  }
  inbox = inbox.subarray(end);
  return { status, body: body.toString('latin1') };
}

async function handle(c: Command): Promise<void> {
  if (c.op === 'connect') {
    inbox = Buffer.alloc(0);
    closed = false;
    const s = net.connect({ host: '127.0.0.1', port: c.port! });
    s.setNoDelay(true);
    await new Promise<void>((resolve, reject) => { s.once('connect', resolve); s.once('error', reject); });
    s.on('data', (d: Buffer) => { inbox = Buffer.concat([inbox, d]); wake?.(); });
    s.on('close', () => { closed = true; wake?.(); });
    s.on('error', () => undefined); // a reset by the server shows up as "closed"
    sock = s;
    reply({ localPort: s.localPort });
  } else if (c.op === 'send') {
    const bytes = c.hex !== undefined ? Buffer.from(c.hex, 'hex') : Buffer.from(c.data ?? '', 'latin1');
    const startNs = wallNs();
    sock!.write(bytes);
    if (c.expect) {
      const responses: Response[] = [];
      const deadline = Date.now() + 10_000;
      while (responses.length < c.expect) {
        const r = takeResponse();
        if (r) { responses.push(r); continue; }
        if (closed || Date.now() > deadline) break;
        await waitForData(deadline - Date.now());
      }
      reply({ responses, startNs: String(startNs), endNs: String(wallNs()), closed });
    } else {
      const before = inbox.length;
      const deadline = Date.now() + (c.waitMs ?? 200);
      while (!closed && Date.now() < deadline) await waitForData(deadline - Date.now());
      reply({ received: inbox.length - before, closed });
    }
  } else {
    sock?.destroy();
    reply({ closed: true });
  }
}

const lines = readline.createInterface({ input: process.stdin });
let queue = Promise.resolve();
lines.on('line', (line) => {
  if (!line.trim()) return;
  queue = queue.then(() => handle(JSON.parse(line) as Command)).catch((e) => reply({ error: String(e) }));
});
lines.on('close', () => { void queue.then(() => { sock?.destroy(); process.exit(0); }); });
