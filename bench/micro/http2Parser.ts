/**
 * Throughput of the HTTP/2 connection parser on recorded traffic: the
 * 100-concurrent-call gRPC connection (header heavy: HPACK with a busy
 * dynamic table) and the node http2 session with a 40 KiB body (DATA
 * heavy: payloads skipped by length). Each replay is a new connection, as
 * HPACK state is per connection. Pushes are the recorded reads, fully
 * captured. No assertions: the caller reports the numbers.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Http2ConnectionParser, type Http2Direction } from '../../src/protocols/http2';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/http2');
const WORKLOAD = ['grpcjs-100-concurrent', 'node-node-h2c', 'grpcjs-grpcjs'];

interface Push {
  from: Http2Direction;
  bytes: Buffer;
}

function loadPushes(name: string): Push[] {
  const raw = JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as { request: string[]; response: string[] };
  return [
    ...raw.request.map((c) => ({ from: 'client' as const, bytes: Buffer.from(c, 'base64') })),
    ...raw.response.map((c) => ({ from: 'server' as const, bytes: Buffer.from(c, 'base64') })),
  ];
}

/**
 * Replays the workload for about `durationMs` of CPU time; returns octets
 * and frames parsed per second of CPU time (process.cpuUsage), so that
 * other load on the machine does not count against the parser.
 */
export function benchHttp2Parser(durationMs = 1000): { mbPerSec: number; framesPerSec: number } {
  const connections = WORKLOAD.map(loadPushes);
  let bytes = 0;
  let frames = 0;
  let events = 0;
  const replay = (): void => {
    for (const pushes of connections) {
      const parser = new Http2ConnectionParser();
      for (const p of pushes) {
        events += parser.push(p.from, p.bytes, p.bytes.length).length;
        bytes += p.bytes.length;
      }
      events += parser.end().length;
      frames += parser.stats.frames;
    }
  };
  for (let i = 0; i < 50; i++) replay(); // warm up the JIT
  bytes = 0;
  frames = 0;
  const start = process.cpuUsage();
  let elapsed = 0;
  while (elapsed < durationMs) {
    for (let i = 0; i < 20; i++) replay();
    const used = process.cpuUsage(start);
    elapsed = (used.user + used.system) / 1000;
  }
  if (events < 0) throw new Error('unreachable'); // keeps `events` observable to the optimiser
  const seconds = elapsed / 1000;
  return { mbPerSec: bytes / 1e6 / seconds, framesPerSec: frames / seconds };
}

if (require.main === module) {
  const r = benchHttp2Parser();
  console.log(`http2 parser: ${r.mbPerSec.toFixed(1)} MB/s, ${Math.round(r.framesPerSec)} frames/s`);
}
