/* SPDX-License-Identifier: (GPL-2.0 OR Apache-2.0) */
/* Ring buffer wakeup policy, shared by every family.
 *
 * By default each record wakes the consumer, which costs the traced thread an
 * irq_work and a context switch of kspan's poller per event. kspan's poller
 * drains on a short timer instead, so records are submitted without a wakeup
 * and the consumer is only woken early once wakeup_bytes are waiting (a burst
 * that could fill the ring before the next timer tick). */
#ifndef KSPAN_WAKEUP_H
#define KSPAN_WAKEUP_H

/* 0 keeps the kernel default: wake on every record. */
const volatile __u64 wakeup_bytes = 0;

static __always_inline __u64 wakeup_flags(void *ring)
{
	if (!wakeup_bytes)
		return 0;
	return bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA) >= wakeup_bytes ? BPF_RB_FORCE_WAKEUP
									 : BPF_RB_NO_WAKEUP;
}

#endif /* KSPAN_WAKEUP_H */
