/**
 * The tcp decoder and drop-reason names, on records captured from a real run
 * (test/fixtures/kernel/tcp.*, recorded by the integration test
 * kernel-families.test.ts: iptables random drops on one loopback port, a
 * clean port, a connect to each and to a closed port) and on hand-built ones.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BatchRecorder } from '../../../src/receivers/bpf/BatchRecorder';
import { MonotonicClock } from '../../../src/receivers/MonotonicClock';
import { DropReasonNames, parseTracefsFormat, readBtfEnums } from '../../../src/receivers/tcp/DropReasons';
import { CONNECT_SIZE, DROP_SIZE, RETRANSMIT_SIZE, TcpEventDecoder } from '../../../src/receivers/tcp/TcpEventDecoder';
import { TcpConnectEvent, TcpDropEvent, TcpRetransmitEvent } from '../../../src/receivers/tcp/types';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'kernel');
const meta = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'tcp.json'), 'utf8')) as {
  lossyPort: number; cleanPort: number; closedPort: number; okConnectPid: number; okLocalPort: number;
  refusedConnectPid: number; dropReasons: Record<string, string>;
};
const recordedNames = new DropReasonNames(new Map(Object.entries(meta.dropReasons).map(([k, v]) => [Number(k), v])), new Map(), 'btf');

interface Collected { rtx: TcpRetransmitEvent[]; connects: TcpConnectEvent[]; drops: TcpDropEvent[]; decoder: TcpEventDecoder }

function decodeAll(batches: Buffer[], names = recordedNames): Collected {
  const c = { rtx: [], connects: [], drops: [] } as unknown as Collected;
  c.decoder = new TcpEventDecoder(new MonotonicClock(), {
    onRetransmit: (e) => c.rtx.push(e),
    onConnect: (e) => c.connects.push(e),
    onDrop: (e) => c.drops.push(e),
  }, names);
  for (const b of batches) c.decoder.decodeBatch(b);
  return c;
}

function batchOf(...records: Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const r of records) {
    const hdr = Buffer.alloc(8);
    hdr.writeUInt32LE(r.length);
    parts.push(hdr, r, Buffer.alloc((8 - (r.length % 8)) % 8));
  }
  return Buffer.concat(parts);
}

/** The common 64-byte head: type, sk, ts, tuple. */
function head(size: number, type: number, o: { sk?: bigint; ts: bigint; family?: number; lport?: number; rport?: number; laddr?: number[]; raddr?: number[] }): Buffer {
  const b = Buffer.alloc(size);
  b.writeUInt8(type, 0);
  b.writeBigUInt64LE(o.sk ?? 0xffff888012345678n, 8);
  b.writeBigUInt64LE(o.ts, 16);
  b.writeUInt16LE(o.family ?? 2, 24);
  b.writeUInt16LE(o.lport ?? 0, 26);
  b.writeUInt16LE(o.rport ?? 0, 28);
  Buffer.from(o.laddr ?? [127, 0, 0, 1]).copy(b, 32);
  Buffer.from(o.raddr ?? [127, 0, 0, 1]).copy(b, 48);
  return b;
}

const recorded = decodeAll(BatchRecorder.read(path.join(FIXTURES, 'tcp.batches')));
const on = (port: number) => (e: { localPort: number; remotePort: number }) => e.localPort === port || e.remotePort === port;

test('recorded run: retransmits on the lossy port with their original send time, none on the clean one', () => {
  assert.equal(recorded.decoder.stats.malformed, 0);
  const lossy = recorded.rtx.filter(on(meta.lossyPort));
  assert.ok(lossy.length >= 3, `${lossy.length} retransmits`);
  assert.ok(lossy.some((e) => e.delayNs >= 200e6), 'at least the 200 ms minimum RTO');
  for (const e of lossy) {
    assert.equal(e.localAddress, '127.0.0.1');
    assert.equal(e.remoteAddress, '127.0.0.1');
    assert.equal(e.family, 2);
    assert.ok(e.sk > 0xffff000000000000n, 'a kernel pointer');
    assert.ok(e.origTs < e.ts);
    assert.ok(Math.abs(e.ts - e.origTs - e.delayNs) < 1);
    assert.equal(e.origin, e.stateName === 'SYN_SENT' ? 'rto' : 'first_tx');
    assert.ok(['Open', 'Disorder', 'Recovery', 'Loss'].includes(e.caState));
    assert.ok(e.rtoUs >= 200_000);
    assert.ok(e.length > 0);
  }
  // A connection is one sk; its retransmits share it.
  const bySk = new Map<bigint, Set<number>>();
  for (const e of lossy) bySk.set(e.sk, (bySk.get(e.sk) ?? new Set()).add(e.localPort));
  for (const ports of bySk.values()) assert.equal(ports.size, 1);
  assert.equal(recorded.rtx.filter(on(meta.cleanPort)).length, 0);
});

test('recorded run: netfilter drops of the lossy port, tuple from the packet headers', () => {
  const nf = recorded.drops.filter((d) => d.reasonName === 'NETFILTER_DROP');
  assert.ok(nf.length >= 3);
  for (const d of nf) {
    assert.equal(d.localPort, meta.lossyPort, 'only the port the rule matches');
    assert.equal(d.source, 'packet');
    assert.equal(d.ingress, true);
    assert.equal(d.sk, 0n);
    assert.equal(d.state, 0);
    assert.equal(d.protocol, 0x0800);
    assert.ok(d.tcpFlags & 0x12, 'a SYN or an ACK');
    assert.ok(d.location > 0xffffffff00000000n);
  }
  const socketDrops = recorded.drops.filter((d) => d.source !== 'packet');
  for (const d of socketDrops) assert.ok(d.sk !== 0n && d.state > 0, `${d.reasonName} on a socket`);
});

test('recorded run: connect durations and a refused connect', () => {
  const ok = recorded.connects.filter((c) => c.tgid === meta.okConnectPid);
  assert.equal(ok.length, 1);
  assert.equal(ok[0].failed, false);
  assert.equal(ok[0].errno, 0);
  assert.equal(ok[0].error, '');
  assert.equal(ok[0].remotePort, meta.cleanPort);
  assert.equal(ok[0].localPort, meta.okLocalPort);
  assert.ok(ok[0].durationNs > 0 && ok[0].durationNs < 1e9);
  assert.ok(ok[0].startTs < ok[0].ts);
  const bad = recorded.connects.filter((c) => c.tgid === meta.refusedConnectPid);
  assert.equal(bad.length, 1);
  assert.equal(bad[0].failed, true);
  assert.equal(bad[0].errno, 111);
  assert.equal(bad[0].error, 'ECONNREFUSED');
  assert.equal(bad[0].remotePort, meta.closedPort);
  assert.ok(bad[0].localPort > 0);
  const syn = recorded.drops.find((d) => d.reasonName === 'NO_SOCKET' && d.localPort === meta.closedPort);
  assert.ok(syn, 'the SYN to the closed port');
  assert.equal(syn.tcpFlags, 0x02);
  assert.equal(syn.remotePort, bad[0].localPort, 'the drop and the failed connect name the same connection');
});

const synRtx = recorded.rtx.find((e) => e.stateName === 'SYN_SENT' && on(meta.lossyPort)(e));

test('recorded run: a dropped SYN is retransmitted after the 1 s initial RTO, and the connect shows it', { skip: synRtx ? false : 'no SYN was dropped in this recording' }, () => {
  const e = synRtx!;
  assert.equal(e.origin, 'rto', 'a SYN has no flight start: the expired timeout gives its send time');
  assert.equal(e.caState, 'Loss');
  assert.equal(e.rtoUs, 1_000_000);
  assert.equal(e.delayNs, 1e9);
  const conn = recorded.connects.find((c) => c.sk === e.sk);
  assert.ok(conn, 'the connect of the same socket');
  assert.equal(conn.failed, false);
  assert.equal(conn.localPort, e.localPort);
  assert.ok(conn.durationNs >= 1e9, `connect took ${conn.durationNs} ns`);
  assert.ok(conn.startTs <= e.origTs + 1e6 && e.ts <= conn.ts, 'the retransmit sits inside the connect');
  assert.ok(recorded.drops.some((d) => d.reasonName === 'NETFILTER_DROP' && d.tcpFlags === 0x02 && d.remotePort === e.localPort), 'the dropped SYN');
});

test('hand-built records: IPv6 and v4-mapped tuples, origins, errno and reason names', () => {
  const v6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  const mapped = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3];
  const r = head(RETRANSMIT_SIZE, 1, { ts: 0x2_0000_0100n, family: 10, lport: 443, rport: 50000, laddr: v6, raddr: mapped });
  r.writeUInt8(1, 1); // ESTABLISHED
  r.writeUInt8(4, 2); // Loss
  r.writeUInt8(2, 3); // rto
  r.writeUInt32LE(0xfffffff0, 4);
  r.writeBigUInt64LE(0x1_ffff_ff00n, 64);
  r.writeUInt32LE(204_000, 72);
  r.writeUInt32LE(1448, 76);
  r.writeUInt8(2, 80);
  r.writeUInt8(1, 81);
  r.writeUInt32LE(120, 84);

  const c = head(CONNECT_SIZE, 2, { ts: 5000n, lport: 40000, rport: 80 });
  c.writeUInt8(1, 1);
  c.writeUInt8(7, 2);
  c.writeInt32LE(110, 4);
  c.writeBigUInt64LE(1000n, 64);
  c.writeUInt32LE(42, 72);
  c.writeUInt32LE(43, 76);

  const d = head(DROP_SIZE, 3, { sk: 0n, ts: 7000n, lport: 8080, rport: 1234 });
  d.writeUInt8(4 | 8, 1);
  d.writeUInt8(0x12, 3);
  d.writeUInt32LE((3 << 16) | 7, 4); // a subsystem's own reason
  d.writeUInt16LE(0x0800, 72);
  const d2 = head(DROP_SIZE, 3, { ts: 8000n, lport: 8080, rport: 1234 });
  d2.writeUInt8(1 | 2, 1);
  d2.writeUInt8(1, 2);
  d2.writeUInt32LE(250, 4);

  const names = new DropReasonNames(new Map([[2, 'NOT_SPECIFIED']]), new Map([[3, 'OPENVSWITCH']]), 'btf');
  const got = decodeAll([batchOf(r, c, d, d2)], names);
  assert.equal(got.decoder.stats.malformed, 0);
  const [e] = got.rtx;
  assert.equal(e.localAddress, '2001:db8::1');
  assert.equal(e.remoteAddress, '10.1.2.3', 'v4-mapped shown as IPv4, as the sockets family does');
  assert.equal(e.localPort, 443);
  assert.equal(e.delayNs, 0x2_0000_0100 - 0x1_ffff_ff00, 'exact across the 2^32 boundary');
  assert.equal(e.origin, 'rto');
  assert.equal(e.caState, 'Loss');
  assert.equal(e.stateName, 'ESTABLISHED');
  assert.equal(e.seq, 0xfffffff0);
  assert.equal(e.rtoUs, 204_000);
  assert.equal(e.length, 1448);
  assert.equal(e.retransmits, 2);
  assert.equal(e.backoff, 1);
  assert.equal(e.srttUs, 120);

  const [conn] = got.connects;
  assert.equal(conn.failed, true);
  assert.equal(conn.error, 'ETIMEDOUT');
  assert.equal(conn.durationNs, 4000);
  assert.equal(conn.tgid, 42);
  assert.equal(conn.tid, 43);

  const [pkt, sock] = got.drops;
  assert.equal(pkt.source, 'packet');
  assert.equal(pkt.ingress, true);
  assert.equal(pkt.reasonName, 'SUBSYS_OPENVSWITCH_7');
  assert.equal(pkt.tcpFlags, 0x12);
  assert.equal(sock.source, 'rx_socket');
  assert.equal(sock.ingress, false);
  assert.equal(sock.reasonName, 'REASON_250');
  assert.equal(sock.state, 1);
});

test('hostile batches: unknown type and short records are counted, not decoded', () => {
  const short = head(CONNECT_SIZE, 2, { ts: 1n }).subarray(0, 70);
  const unknown = head(DROP_SIZE, 77, { ts: 1n });
  const got = decodeAll([batchOf(short, unknown, head(DROP_SIZE, 3, { ts: 1n }))]);
  assert.equal(got.decoder.stats.malformed, 2);
  assert.equal(got.drops.length, 1);
  const overrun = batchOf(head(DROP_SIZE, 3, { ts: 1n }));
  overrun.writeUInt32LE(1 << 20, 0);
  assert.equal(decodeAll([overrun]).decoder.stats.malformed, 1);
});

test('drop reasons from the tracepoint format file', () => {
  const fmt = `print fmt: "skbaddr=%p rx_sk=%p protocol=%u location=%pS reason: %s", REC->skbaddr, REC->rx_sk, REC->protocol, REC->location, __print_symbolic(REC->reason, { 2, "NOT_SPECIFIED" }, { 3, "NO_SOCKET" }, { 12, "NETFILTER_DROP" }, { 128, "MAX" })`;
  const m = parseTracefsFormat(fmt);
  assert.equal(m.get(12), 'NETFILTER_DROP');
  assert.equal(m.size, 4);
  assert.equal(parseTracefsFormat('print fmt: "no reasons"').size, 0);
});

/** A minimal BTF blob: INT, STRUCT (skipped over), ENUM skb_drop_reason, ENUM64. */
function syntheticBtf(): Buffer {
  const strings = ['', 'int', 's', 'f', 'skb_drop_reason', 'SKB_NOT_DROPPED_YET', 'SKB_DROP_REASON_NOT_SPECIFIED', 'SKB_DROP_REASON_NETFILTER_DROP', 'big', 'BIG_ONE'];
  const strOff = new Map<string, number>();
  let strBuf = Buffer.alloc(0);
  for (const s of strings) {
    strOff.set(s, strBuf.length);
    strBuf = Buffer.concat([strBuf, Buffer.from(`${s}\0`, 'latin1')]);
  }
  const u32s: number[] = [];
  const type = (name: string, kind: number, vlen: number, sizeOrType: number) => u32s.push(strOff.get(name)!, (kind << 24) | vlen, sizeOrType);
  type('int', 1, 0, 4); u32s.push(0x01000020);
  type('s', 4, 1, 4); u32s.push(strOff.get('f')!, 1, 0);
  type('skb_drop_reason', 6, 3, 4);
  u32s.push(strOff.get('SKB_NOT_DROPPED_YET')!, 0, strOff.get('SKB_DROP_REASON_NOT_SPECIFIED')!, 2, strOff.get('SKB_DROP_REASON_NETFILTER_DROP')!, 12);
  type('big', 19, 1, 8); u32s.push(strOff.get('BIG_ONE')!, 5, 1);
  const types = Buffer.alloc(u32s.length * 4);
  u32s.forEach((v, i) => types.writeUInt32LE(v >>> 0, i * 4));
  const hdr = Buffer.alloc(24);
  hdr.writeUInt16LE(0xeb9f, 0);
  hdr.writeUInt8(1, 2);
  hdr.writeUInt32LE(24, 4);
  hdr.writeUInt32LE(0, 8);
  hdr.writeUInt32LE(types.length, 12);
  hdr.writeUInt32LE(types.length, 16);
  hdr.writeUInt32LE(strBuf.length, 20);
  return Buffer.concat([hdr, types, strBuf]);
}

test('drop reasons from BTF: enum and enum64 found past other kinds', () => {
  const enums = readBtfEnums(syntheticBtf(), ['skb_drop_reason', 'big']);
  assert.equal(enums.get('skb_drop_reason')?.get(12), 'SKB_DROP_REASON_NETFILTER_DROP');
  assert.equal(enums.get('big')?.get(5 + 4294967296), 'BIG_ONE');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kspan-btf-'));
  try {
    fs.writeFileSync(path.join(dir, 'vmlinux'), syntheticBtf());
    const names = DropReasonNames.fromKernel(path.join(dir, 'vmlinux'), path.join(dir, 'missing'));
    assert.equal(names.source, 'btf');
    assert.equal(names.name(12), 'NETFILTER_DROP');
    assert.equal(names.name(0), 'NOT_DROPPED_YET');
    assert.equal(names.name(99), 'REASON_99');
    assert.equal(DropReasonNames.fromKernel(path.join(dir, 'missing'), path.join(dir, 'missing')).source, 'none');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.throws(() => readBtfEnums(Buffer.alloc(32), ['x']), /magic/);
});

const KERNEL_BTF = '/sys/kernel/btf/vmlinux';
const FORMAT = '/sys/kernel/tracing/events/skb/kfree_skb/format';
const readable = (p: string) => { try { fs.accessSync(p, fs.constants.R_OK); return true; } catch { return false; } };

test('drop reasons of the running kernel: BTF and the tracepoint agree', { skip: readable(KERNEL_BTF) ? false : `${KERNEL_BTF} not readable` }, () => {
  const names = DropReasonNames.fromKernel();
  assert.equal(names.source, 'btf');
  assert.ok(names.size > 50, `${names.size} reasons`);
  assert.equal(names.name(2), 'NOT_SPECIFIED');
  let format: string | undefined;
  try { format = fs.readFileSync(FORMAT, 'utf8'); } catch { /* tracefs needs root */ }
  if (format) {
    for (const [n, name] of parseTracefsFormat(format)) assert.equal(names.name(n), name, `reason ${n}`);
  }
});
