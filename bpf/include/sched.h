/* SPDX-License-Identifier: Apache-2.0 */
/* Events and maps of the sched family, shared by bpf/sched.bpf.c and the
 * TypeScript decoder (src/receivers/sched/SchedEventDecoder.ts).
 * Fixed-width fields, explicit padding (built with -Wpadded), type byte first.
 * Changing a layout means changing the decoder's offsets in the same commit. */
#ifndef KSPAN_SCHED_H
#define KSPAN_SCHED_H

#define KSPAN_SCHED_MAX_THREADS 32768  /* threads with a wait-start slot (reused per wait), LRU */
#define KSPAN_SCHED_MAX_WATCHED 16384  /* watched threads (requests in flight), LRU */
#define KSPAN_SCHED_MAX_PROCS 8192     /* per-process histograms, LRU */
#define KSPAN_SCHED_HIST_SLOTS 27      /* log2(µs) slots: the last one holds >= 2^26 µs (67 s) */
#define KSPAN_SCHED_COMM_LEN 16

enum kspan_sched_event_type {
	KSPAN_EV_SCHED_WAIT = 1,
};

/* kspan_sched_wait_event.flags */
enum kspan_sched_wait_flags {
	KSPAN_SCHED_F_PREEMPTED = 1, /* the wait began when the thread was switched out still runnable */
	KSPAN_SCHED_F_NEW = 2,       /* the wait began at sched_wakeup_new (a new thread's first run) */
};

/* Indexes of the per-CPU counters map. */
enum kspan_sched_counter {
	KSPAN_SCHED_CNT_EVENTS = 0,       /* records written to the ring buffer */
	KSPAN_SCHED_CNT_RINGBUF_FULL = 1, /* records lost: ring buffer full */
	KSPAN_SCHED_CNT_WAITS = 2,        /* runqueue waits measured (all processes) */
	KSPAN_SCHED_CNT_MAX = 3,
};

/* A watched thread waited on a runqueue longer than min_wait_ns. */
struct kspan_sched_wait_event {
	__u8 type;  /* KSPAN_EV_SCHED_WAIT */
	__u8 flags; /* enum kspan_sched_wait_flags */
	__u16 _pad0;
	__u32 cpu;  /* the CPU the thread got at the end of the wait */
	__u32 tid;
	__u32 tgid;
	__u64 start_ts; /* runnable since (wakeup or preemption), CLOCK_MONOTONIC ns */
	__u64 end_ts;   /* switched in */
	__u32 prev_tid; /* the task switched out when this thread got the CPU: what ran instead */
	__u32 prev_tgid;
	char prev_comm[KSPAN_SCHED_COMM_LEN];
	char comm[KSPAN_SCHED_COMM_LEN];
};

/* Kernel-side state. */
struct kspan_sched_start {
	__u64 ts;
	__u32 flags; /* enum kspan_sched_wait_flags */
	__u32 _pad0;
};

/* Per-process runqueue latency: slot k = floor(log2(w / 1 µs)) counts waits
 * 2^k µs <= w < 2^(k+1) µs; slot 0 holds every w < 2 µs and the last slot is
 * open-ended. Read by user space, never reset (cumulative). */
struct kspan_sched_hist {
	__u64 slots[KSPAN_SCHED_HIST_SLOTS];
	__u64 count;
	__u64 sum_ns;
};

#endif /* KSPAN_SCHED_H */
