/** Shared fixtures for the export tests (not a test file itself). */
import { createServer } from 'node:net';
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ExporterConfig, PipelineConfig } from '../../../src/config/types';
import type { KspanSpan, ProcessIdentity } from '../../../src/correlate/span';
import type { LogLevel } from '../../../src/export/Logger';

export const NODE_PROC: ProcessIdentity = {
  pid: 4242,
  serviceName: 'users-api',
  executableName: 'node',
  executablePath: '/usr/bin/node',
};

export const NGINX_PROC: ProcessIdentity = { pid: 777, serviceName: 'nginx', executableName: 'nginx' };

export function makeSpan(overrides: Partial<KspanSpan> = {}): KspanSpan {
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    name: 'GET /users',
    kind: 'SERVER',
    startTimeUnixNano: 1_700_000_000_123_456_789n,
    endTimeUnixNano: 1_700_000_000_135_802_467n,
    attributes: { 'http.request.method': 'GET', 'url.path': '/users', 'http.response.status_code': 200, 'server.port': 8080 },
    status: { code: 'UNSET' },
    process: NODE_PROC,
    ...overrides,
  };
}

export function pipelineConfig(exporters: ExporterConfig[], timeoutMs = 60_000): PipelineConfig {
  // A long batch delay: tests decide when to export, with forceFlush().
  return { exporters, batch: { timeoutMs, sendBatchSize: 512, maxQueueSize: 2048 } };
}

export interface LogLine {
  level: LogLevel;
  msg: string;
}

export function recordingLogger(): { lines: LogLine[]; log: (level: LogLevel, msg: string) => void } {
  const lines: LogLine[] = [];
  return { lines, log: (level, msg) => lines.push({ level, msg }) };
}

const tempDirs: string[] = [];
process.once('exit', () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory, removed when the test file's process exits. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kspan-export-'));
  tempDirs.push(dir);
  return dir;
}

/** A port nothing listens on: bind an ephemeral port, then release it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Keeps what it was given even after shutdown (the SDK's InMemorySpanExporter clears itself). */
export class RecordingSpanExporter implements SpanExporter {
  readonly spans: ReadableSpan[] = [];
  shutdowns = 0;
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.spans.push(...spans);
    done({ code: ExportResultCode.SUCCESS });
  }
  shutdown(): Promise<void> {
    this.shutdowns++;
    return Promise.resolve();
  }
}
