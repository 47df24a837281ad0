import * as fs from 'fs';
import * as os from 'os';
import type { Logger } from './log';

/**
 * Sets kspan's nice value on every thread it has. Linux keeps nice per
 * thread: V8 and libuv threads already exist at this point, and threads
 * started later (the ring-buffer consumers) inherit it from the main thread.
 */
export function applyNice(nice: number, log: Logger): void {
  let failed: string | undefined;
  let tids: string[];
  try {
    tids = fs.readdirSync('/proc/self/task');
  } catch {
    tids = ['0']; // no /proc: at least the calling thread
  }
  for (const tid of tids) {
    try {
      os.setPriority(Number(tid), nice);
    } catch (err) {
      failed ??= (err as Error).message;
    }
  }
  if (failed) log('warn', `could not set nice ${nice} (KSPAN_NICE) on every thread: ${failed}`);
  else log('debug', `running at nice ${nice} (KSPAN_NICE)`);
}
