/** kspan's own log: one line per message on stderr (stdout belongs to the console exporter). */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type Logger = (level: LogLevel, msg: string) => void;

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export function createLogger(threshold: LogLevel, out: NodeJS.WritableStream = process.stderr): Logger {
  return (level, msg) => {
    if (RANK[level] > RANK[threshold]) return;
    out.write(`${new Date().toISOString()} ${level.padEnd(5)} ${msg}\n`);
  };
}
