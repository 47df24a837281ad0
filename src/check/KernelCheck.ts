import * as fs from 'fs';
import * as os from 'os';
import { execFileSync } from 'child_process';
import { loadNativeAddon, NativeFeatures } from '../receivers/bpf/NativeAddon';
import { TCP_TRACEPOINTS } from '../receivers/tcp/TcpReceiver';

export const TRACEFS = '/sys/kernel/tracing';

/** Tracepoints the sockets family needs; optional ones degrade a feature. */
export const SOCKET_TRACEPOINTS = [
  'syscalls/sys_enter_accept', 'syscalls/sys_exit_accept', 'syscalls/sys_exit_accept4',
  'syscalls/sys_enter_connect', 'syscalls/sys_exit_connect', 'syscalls/sys_enter_close',
  'syscalls/sys_enter_read', 'syscalls/sys_exit_read', 'syscalls/sys_enter_readv', 'syscalls/sys_exit_readv',
  'syscalls/sys_enter_write', 'syscalls/sys_exit_write', 'syscalls/sys_enter_writev', 'syscalls/sys_exit_writev',
  'syscalls/sys_enter_sendto', 'syscalls/sys_exit_sendto', 'syscalls/sys_enter_recvfrom', 'syscalls/sys_exit_recvfrom',
  'syscalls/sys_enter_sendmsg', 'syscalls/sys_exit_sendmsg', 'syscalls/sys_enter_recvmsg', 'syscalls/sys_exit_recvmsg',
  'sock/inet_sock_set_state',
];
export const OPTIONAL_TRACEPOINTS = ['sock/sk_data_ready', 'syscalls/sys_enter_sendfile64', 'syscalls/sys_exit_sendfile64',
  'sched/sched_process_exec', ...TCP_TRACEPOINTS];

const CAP_SYS_ADMIN = 21n;
const CAP_PERFMON = 38n;
const CAP_BPF = 39n;

export interface CheckReport {
  kernel: string;
  privileges: { root: boolean; capBpf: boolean; capPerfmon: boolean; capSysAdmin: boolean };
  btf: boolean;
  tracefs: boolean;
  addon: { loaded: boolean; error?: string };
  features: Partial<NativeFeatures> & { kprobe: boolean; uprobe: boolean };
  tracepoints: Record<string, boolean>;
  /** Why kspan cannot run, or undefined when it can. */
  fatal?: string;
  plan: string[];
}

/** Mounts tracefs if it is not (libbpf resolves tracepoint ids through it). */
export function ensureTracefs(): boolean {
  if (fs.existsSync(`${TRACEFS}/events`)) return true;
  try {
    execFileSync('mount', ['-t', 'tracefs', 'nodev', TRACEFS], { stdio: 'ignore' });
  } catch {
    return false;
  }
  return fs.existsSync(`${TRACEFS}/events`);
}

function effectiveCaps(): bigint {
  try {
    const m = /CapEff:\s*([0-9a-f]+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? BigInt(`0x${m[1]}`) : 0n;
  } catch {
    return 0n;
  }
}

/** What this kernel offers and what kspan will use; `fatal` is set when it cannot run. */
export function checkKernel(): CheckReport {
  const caps = effectiveCaps();
  const has = (bit: bigint) => (caps & (1n << bit)) !== 0n;
  const privileges = {
    root: process.getuid?.() === 0,
    capBpf: has(CAP_BPF),
    capPerfmon: has(CAP_PERFMON),
    capSysAdmin: has(CAP_SYS_ADMIN),
  };
  const tracefs = ensureTracefs();
  const tracepoints: Record<string, boolean> = {};
  for (const tp of [...SOCKET_TRACEPOINTS, ...OPTIONAL_TRACEPOINTS]) tracepoints[tp] = fs.existsSync(`${TRACEFS}/events/${tp}`);
  const report: CheckReport = {
    kernel: os.release(),
    privileges,
    btf: fs.existsSync('/sys/kernel/btf/vmlinux'),
    tracefs,
    addon: { loaded: false },
    features: {
      kprobe: fs.existsSync('/sys/bus/event_source/devices/kprobe/type'),
      uprobe: fs.existsSync('/sys/bus/event_source/devices/uprobe/type'),
    },
    tracepoints,
    plan: [],
  };
  try {
    const addon = loadNativeAddon();
    report.addon.loaded = true;
    if (privileges.capSysAdmin || (privileges.capBpf && privileges.capPerfmon)) Object.assign(report.features, addon.probeFeatures());
  } catch (err) {
    report.addon.error = (err as Error).message;
  }
  report.fatal = fatalReason(report);
  report.plan = plan(report);
  return report;
}

function fatalReason(r: CheckReport): string | undefined {
  if (!r.privileges.capSysAdmin && !(r.privileges.capBpf && r.privileges.capPerfmon)) {
    return 'not privileged: run as root, or grant CAP_BPF and CAP_PERFMON';
  }
  if (!r.addon.loaded) return r.addon.error ?? 'native addon not loaded';
  if (!r.btf) return 'no kernel BTF (/sys/kernel/btf/vmlinux missing): kspan needs CONFIG_DEBUG_INFO_BTF=y';
  if (!r.tracefs) return `tracefs not mounted at ${TRACEFS} and mounting it failed`;
  if (r.features.ringbuf === false) return 'BPF ring buffers not supported (kernel older than 5.8)';
  if (r.features.tracepointProg === false) return 'BPF tracepoint programs not supported';
  const missing = SOCKET_TRACEPOINTS.filter((tp) => !r.tracepoints[tp]);
  if (missing.length) return `required tracepoint ${missing[0]} missing (CONFIG_FTRACE_SYSCALLS?)`;
  return undefined;
}

function plan(r: CheckReport): string[] {
  if (r.fatal) return [];
  const out = [`sockets family: ${SOCKET_TRACEPOINTS.length} syscall tracepoints`];
  out.push(r.tracepoints['sock/sk_data_ready']
    ? 'SERVER span start: request arrival (sock:sk_data_ready)'
    : 'SERVER span start: first read (sock:sk_data_ready missing)');
  out.push(r.tracepoints['syscalls/sys_enter_sendfile64'] ? 'sendfile bodies: counted' : 'sendfile bodies: not seen');
  out.push(r.features.uprobe ? 'tls family: uprobes on OpenSSL SSL_read/SSL_write' : 'tls family: off (no uprobe support)');
  const sched = r.features.tpBtf ? 'tp_btf' : r.features.rawTracepointProg ? 'raw_tp' : undefined;
  out.push(sched ? `sched family: ${sched} sched_wakeup/sched_wakeup_new/sched_switch` : 'sched family: off (no tp_btf or raw_tp)');
  const tcp = TCP_TRACEPOINTS.filter((tp) => r.tracepoints[tp]);
  out.push(tcp.length ? `tcp family: ${tcp.join(', ')}` : 'tcp family: off (no TCP tracepoints)');
  out.push(`kprobe/fentry variants: ${r.features.kprobe || r.features.fentry ? 'available (not needed: tracepoint variants used)' : 'not available here; tracepoint variants used'}`);
  return out;
}

export function formatReport(r: CheckReport): string {
  const yes = (b: boolean | undefined) => (b === undefined ? 'unknown' : b ? 'yes' : 'no');
  const lines = [
    `kernel            ${r.kernel}`,
    `privileges        root=${yes(r.privileges.root)} CAP_BPF=${yes(r.privileges.capBpf)} CAP_PERFMON=${yes(r.privileges.capPerfmon)} CAP_SYS_ADMIN=${yes(r.privileges.capSysAdmin)}`,
    `BTF               ${yes(r.btf)}`,
    `tracefs           ${yes(r.tracefs)}`,
    `native addon      ${r.addon.loaded ? 'loaded (system libbpf)' : `no: ${r.addon.error}`}`,
    `hook types        tracepoint=${yes(r.features.tracepointProg)} raw_tp=${yes(r.features.rawTracepointProg)} tp_btf=${yes(r.features.tpBtf)} kprobe=${yes(r.features.kprobe)} fentry=${yes(r.features.fentry)} uprobe=${yes(r.features.uprobe)} ringbuf=${yes(r.features.ringbuf)}`,
    'tracepoints:',
    ...Object.entries(r.tracepoints).map(([tp, ok]) => `  ${ok ? 'ok     ' : 'MISSING'} ${tp}${OPTIONAL_TRACEPOINTS.includes(tp) ? ' (optional)' : ''}`),
  ];
  if (r.fatal) lines.push(`kspan cannot run: ${r.fatal}`);
  else lines.push('kspan will use:', ...r.plan.map((p) => `  ${p}`));
  return lines.join('\n');
}
