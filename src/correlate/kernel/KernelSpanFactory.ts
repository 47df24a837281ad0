import { RunqueueWaitEvent } from '../../receivers/sched/types';
import { TcpConnectEvent, TcpDropEvent, TcpRetransmitEvent } from '../../receivers/tcp/types';
import { MonotonicClock } from '../../receivers/MonotonicClock';
import { KspanSpan, ProcessIdentity, SpanEvent } from '../span';
import { newSpanId } from '../TraceContext';

/**
 * Kernel child spans (contract in DESIGN.md / docs/telemetry.md): INTERNAL,
 * children of the request span they delayed, timed by kernel timestamps.
 */
export class KernelSpanFactory {
  constructor(private readonly clock: MonotonicClock) {}

  runqueueWait(parent: KspanSpan, w: RunqueueWaitEvent, start: number, end: number, process: ProcessIdentity): KspanSpan {
    return this.child(parent, 'runqueue wait', start, end, process, {
      'thread.id': w.tid,
      'cpu.logical_number': w.cpu,
      'kernel.runqueue.wait_ns': end - start,
      'kernel.runqueue.reason': w.preempted ? 'preempted' : w.newThread ? 'new_thread' : 'wakeup',
      'kernel.runqueue.ran_instead.comm': w.prevComm,
      'kernel.runqueue.ran_instead.pid': w.prevTgid,
      'kernel.runqueue.ran_instead.tid': w.prevTid,
    });
  }

  socketQueueWait(parent: KspanSpan, arrival: number, firstRead: number, process: ProcessIdentity): KspanSpan {
    return this.child(parent, 'socket queue wait', arrival, firstRead, process, { 'kspan.socket.wait_ns': firstRead - arrival });
  }

  retransmit(parent: KspanSpan, r: TcpRetransmitEvent, process: ProcessIdentity): KspanSpan {
    return this.child(parent, 'tcp retransmit', r.origTs, r.ts, process, {
      'network.peer.address': r.remoteAddress,
      'network.peer.port': r.remotePort,
      'network.local.address': r.localAddress,
      'network.local.port': r.localPort,
      'kernel.tcp.state': r.stateName,
      'kernel.tcp.ca_state': r.caState,
      'kernel.tcp.retransmit.delay_ns': r.delayNs,
      'kernel.tcp.retransmit.origin': r.origin,
      'kernel.tcp.rto_us': r.rtoUs,
      'kernel.tcp.seq': r.seq,
      'kernel.tcp.length': r.length,
    });
  }

  connect(parent: KspanSpan, c: TcpConnectEvent, process: ProcessIdentity): KspanSpan {
    const span = this.child(parent, 'tcp connect', c.startTs, c.ts, process, {
      'network.peer.address': c.remoteAddress,
      'network.peer.port': c.remotePort,
      'kernel.tcp.connect.duration_ns': c.durationNs,
    });
    if (c.failed) {
      span.status = { code: 'ERROR', message: c.error || 'connect failed' };
      span.attributes['error.type'] = c.error || 'connect_failed';
    }
    return span;
  }

  dropEvent(d: TcpDropEvent): SpanEvent {
    return {
      name: 'tcp drop',
      timeUnixNano: this.clock.toUnixNano(d.ts),
      attributes: { 'kernel.drop.reason': d.reasonName, 'kernel.drop.ingress': d.ingress },
    };
  }

  private child(parent: KspanSpan, name: string, start: number, end: number, process: ProcessIdentity, attributes: KspanSpan['attributes']): KspanSpan {
    return {
      traceId: parent.traceId,
      spanId: newSpanId(),
      parentSpanId: parent.spanId,
      name,
      kind: 'INTERNAL',
      startTimeUnixNano: this.clock.toUnixNano(start),
      endTimeUnixNano: this.clock.toUnixNano(Math.max(end, start)),
      attributes,
      status: { code: 'UNSET' },
      process,
    };
  }
}
