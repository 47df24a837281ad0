#!/usr/bin/env node
import { Agent } from './Agent';
import { CpuProfile } from './CpuProfile';
import { checkKernel, formatReport } from './check/KernelCheck';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './log';
import { VERSION } from './version';

const USAGE = `usage: kspan run [--config FILE] | kspan check [--json] | kspan version`;

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i >= 0) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`${name}=`));
  return eq?.slice(name.length + 1);
}

async function run(args: string[]): Promise<number> {
  let loaded;
  try {
    loaded = loadConfig({ path: argValue(args, '--config') });
  } catch (err) {
    process.stderr.write(`kspan: ${err instanceof ConfigError ? 'config error' : 'error'}: ${(err as Error).message}\n`);
    return 2;
  }
  const log = createLogger(loaded.config.logLevel);
  for (const w of loaded.warnings) log('warn', `config: ${w}`);
  const report = checkKernel();
  if (report.fatal) {
    log('error', `kspan cannot run: ${report.fatal} (see "kspan check")`);
    return 1;
  }
  const agent = new Agent(loaded.config, log);
  const profile = new CpuProfile();
  try {
    await agent.start();
    profile.start();
  } catch (err) {
    log('error', `kspan failed to start: ${(err as Error).message.split('\n')[0]}`);
    await agent.stop().catch(() => undefined);
    return 1;
  }
  return new Promise<number>((resolve) => {
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const shutdown = (signal: string) => {
      log('info', `${signal}: flushing spans and stopping`);
      clearInterval(keepAlive);
      agent.stop().then(profile.stop.bind(profile)).then(
        () => {
          const s = agent.stats();
          log('info', `stopped: ${s.decoded} events decoded, ${s.correlator.spansEmitted} spans, lost ${s.kernel.ringbuf_full} (ring buffer full)` +
            `, ${s.exportDropped} spans dropped (export queue full)`);
          resolve(0);
        },
        (err) => {
          log('error', `stop failed: ${(err as Error).message}`);
          resolve(1);
        },
      );
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'run':
    case undefined:
      return run(rest);
    case 'check': {
      const report = checkKernel();
      process.stdout.write(rest.includes('--json') ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
      if (report.fatal) process.stderr.write(`kspan: ${report.fatal}\n`);
      return report.fatal ? 1 : 0;
    }
    case 'version':
    case '--version':
      process.stdout.write(`kspan ${VERSION}\n`);
      return 0;
    default:
      process.stderr.write(`${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
