/**
 * The micro suite: parsers and the user-space span path, in this process,
 * nothing else of the bench running. Rates are per second of CPU time, so
 * that other load on the machine does not count against kspan's code.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { MicroResult } from '../report/results';
import { log } from '../suites/log';
import { benchHttp1Parser } from './http1Parser';
import { benchCorrelatorOnly, benchFileExport, benchOtlpHttpExport, PipelineBench } from './spanPipeline';

interface Http2Bench {
  mbPerSec: number;
  framesPerSec: number;
}

/** bench/micro/http2Parser.ts is written separately; used once it exists. */
async function http2(durationMs: number): Promise<Http2Bench | undefined> {
  const file = path.join(__dirname, 'http2Parser.js');
  if (!fs.existsSync(file)) return undefined;
  const mod = require(file) as { benchHttp2Parser?: (durationMs?: number) => Http2Bench | Promise<Http2Bench> };
  return mod.benchHttp2Parser ? await mod.benchHttp2Parser(durationMs) : undefined;
}

function rates(b: PipelineBench): { perSec: number; perCpuSec: number } {
  return { perSec: b.spansPerSec, perCpuSec: b.spansPerCpuSec };
}

export async function runMicro(seconds: number): Promise<MicroResult> {
  const http1 = benchHttp1Parser(seconds);
  log(`micro http1 parser: ${http1.mbPerSec.toFixed(1)} MB/s, ${Math.round(http1.messagesPerSec)} messages/s`);
  let h2: Http2Bench | undefined;
  try {
    h2 = await http2(seconds * 1000);
    if (h2) log(`micro http2 parser: ${h2.mbPerSec.toFixed(1)} MB/s, ${Math.round(h2.framesPerSec)} frames/s`);
  } catch (err) {
    log(`micro http2 parser failed: ${(err as Error).message}`);
  }
  const only = await benchCorrelatorOnly(seconds);
  log(`micro correlator only: ${Math.round(only.spansPerCpuSec)} spans per CPU second`);
  const file = await benchFileExport(seconds);
  log(`micro correlator + SDK + file: ${Math.round(file.spansPerCpuSec)} spans per CPU second (dropped ${file.dropped})`);
  const otlp = await benchOtlpHttpExport(seconds);
  log(`micro correlator + SDK + otlphttp: ${Math.round(otlp.spansPerCpuSec)} spans per CPU second (dropped ${otlp.dropped})`);
  return {
    http1,
    ...(h2 ? { http2: h2 } : {}),
    spans: { correlatorOnly: rates(only), file: rates(file), otlphttp: rates(otlp), dropped: file.dropped + otlp.dropped },
  };
}
