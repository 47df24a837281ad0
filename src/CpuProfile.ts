import * as fs from 'fs';
import { Session } from 'inspector';

/**
 * KSPAN_CPU_PROFILE=file: profile the JS thread from after start-up to stop
 * (node --cpu-prof cannot be used: its sampling signal interrupts the bpf()
 * loads at start-up). The file opens in Chrome DevTools / speedscope.
 */
export class CpuProfile {
  private session: Session | undefined;

  constructor(private readonly path = process.env.KSPAN_CPU_PROFILE) {}

  start(): void {
    if (!this.path) return;
    this.session = new Session();
    this.session.connect();
    this.session.post('Profiler.enable', () => this.session?.post('Profiler.start'));
  }

  stop(): Promise<void> {
    const session = this.session;
    if (!session || !this.path) return Promise.resolve();
    this.session = undefined;
    return new Promise((resolve) => {
      session.post('Profiler.stop', (err, result) => {
        if (!err) fs.writeFileSync(this.path!, JSON.stringify(result.profile));
        session.disconnect();
        resolve();
      });
    });
  }
}
