/**
 * HTTP/1 parser throughput: every fixture connection, both directions, fed
 * chunk by chunk (one push per recorded syscall) through fresh parsers, in a
 * loop for the given CPU time. MB/s counts bytes pushed per second of this
 * process's CPU time (not wall time), so other load on the machine does not
 * count against the parser.
 */
import { Http1StreamParser } from '../../src/protocols/http1';
import { loadFixtures } from './fixtures';

export interface ParserBench {
  mbPerSec: number;
  messagesPerSec: number;
}

export function benchHttp1Parser(seconds: number): ParserBench {
  const fixtures = loadFixtures();
  let bytes = 0;
  let messages = 0;
  const pass = () => {
    for (const f of fixtures) {
      const req = new Http1StreamParser('request');
      const res = new Http1StreamParser('response');
      for (const c of f.request) {
        for (const e of req.push(c, c.length)) {
          if (e.type === 'head' && e.head.kind === 'request') res.expectResponseTo(e.head.method);
          if (e.type === 'end') messages++;
        }
      }
      for (const c of f.response) for (const e of res.push(c, c.length)) if (e.type === 'end') messages++;
      req.end();
      for (const e of res.end()) if (e.type === 'end') messages++;
      bytes += f.bytes;
    }
  };
  for (let i = 0; i < 50; i++) pass(); // JIT warm-up
  bytes = 0;
  messages = 0;
  const start = process.cpuUsage();
  let elapsed = 0;
  while (elapsed < seconds) {
    for (let i = 0; i < 20; i++) pass();
    const used = process.cpuUsage(start);
    elapsed = (used.user + used.system) / 1e6;
  }
  return { mbPerSec: bytes / elapsed / 1e6, messagesPerSec: messages / elapsed };
}
