import { HttpExchange } from './HttpExchange';

const MAX_PER_THREAD = 256;

/**
 * SERVER exchanges in flight per thread: a request a thread makes while one
 * is in flight is that request's child. On an event loop several may be in
 * flight; the most recent is the best guess (documented in docs/telemetry.md).
 */
export class ThreadActivity {
  private readonly byThread = new Map<number, HttpExchange[]>();

  begin(ex: HttpExchange): void {
    let list = this.byThread.get(ex.tid);
    if (!list) this.byThread.set(ex.tid, (list = []));
    list.push(ex);
    if (list.length > MAX_PER_THREAD) list.shift();
  }

  end(ex: HttpExchange): void {
    const list = this.byThread.get(ex.tid);
    if (!list) return;
    const i = list.indexOf(ex);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byThread.delete(ex.tid);
  }

  current(tgid: number, tid: number): HttpExchange | undefined {
    const list = this.byThread.get(tid);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) if (list[i].conn.tgid === tgid) return list[i];
    return undefined;
  }
}
