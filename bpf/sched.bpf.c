// SPDX-License-Identifier: (GPL-2.0 OR Apache-2.0)
/* sched family: runqueue wait per thread, measured in the kernel.
 *
 * A thread starts waiting when it is woken (sched_wakeup, sched_wakeup_new)
 * or switched out while still runnable (preempted, yielded); it stops when
 * sched_switch switches it in. Every wait of every process feeds a log2
 * histogram per process (tgid); waits of the threads user space watches
 * (those serving or making a traced request right now) above min_wait_ns
 * become events naming the task that ran on the CPU before them.
 *
 * Each hook is compiled twice, as tp_btf (BTF-typed arguments, cheapest) and
 * as raw_tp (any kernel with raw tracepoints); user space probes the kernel
 * and turns autoload off for the variant it does not use, as libbpf-tools'
 * runqlat does. sched_switch runs ~10^5 times a second per busy core: the
 * common path is hash lookups with in-place writes (no map update, delete or
 * ring buffer access). Measured with kernel.bpf_stats_enabled on the 2-core
 * dev VM: ~220 ns per wakeup, ~320 ns per switch (tp_btf), of which ~75 ns
 * is the cost of any attached program. */
#include "include/vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "include/sched.h"
#include "include/wakeup.h"

#define TASK_RUNNING 0

/* Load-time knobs, set by user space before load. */
const volatile __u32 self_tgid = 0;         /* kspan itself: never measured */
const volatile __u64 min_wait_ns = 100000;  /* events only for longer waits (histograms take all) */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1024 * 1024);
} sched_events SEC(".maps");

/* tid -> when it became runnable (ts 0: running or asleep). Entries are
 * reused for the thread's next wait; LRU: exited threads age out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, KSPAN_SCHED_MAX_THREADS);
	__type(key, __u32);
	__type(value, struct kspan_sched_start);
} wait_start SEC(".maps");

/* tid -> 1 while the thread serves or makes a traced request; filled by user
 * space. LRU: entries of threads that exited while watched (never looked up
 * again) are the first evicted. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, KSPAN_SCHED_MAX_WATCHED);
	__type(key, __u32);
	__type(value, __u8);
} watched_tids SEC(".maps");

/* tgid -> runqueue latency histogram. LRU: exited processes age out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, KSPAN_SCHED_MAX_PROCS);
	__type(key, __u32);
	__type(value, struct kspan_sched_hist);
} proc_hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSPAN_SCHED_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} sched_counters SEC(".maps");

/* Before 5.14 the field was `state`. */
struct task_struct___o {
	volatile long state;
} __attribute__((preserve_access_index));

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&sched_counters, &idx);
	if (v)
		*v += 1;
}

static __always_inline long task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ((struct task_struct___o *)t, state);
}

/* floor(log2(v)) without loops (v > 0). */
static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 r = 0, shift;

	shift = (v > 0xFFFFFFFFULL) << 5; v >>= shift; r |= shift;
	shift = (v > 0xFFFF) << 4; v >>= shift; r |= shift;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

/* The thread is runnable from now. Its entry is reused in place: a map
 * update or delete allocates or frees an LRU node, a lookup does not, and
 * this runs at every wakeup and preemption. */
static __always_inline void record_start(__u32 tid, __u32 tgid, __u32 flags, __u64 now)
{
	struct kspan_sched_start *s, fresh = {};

	if (tid == 0 || tgid == self_tgid)
		return;
	s = bpf_map_lookup_elem(&wait_start, &tid);
	if (s) {
		s->ts = now;
		s->flags = flags;
		return;
	}
	fresh.ts = now;
	fresh.flags = flags;
	bpf_map_update_elem(&wait_start, &tid, &fresh, BPF_ANY);
}

static __always_inline void hist_add(__u32 tgid, __u64 delta_ns)
{
	struct kspan_sched_hist *h = bpf_map_lookup_elem(&proc_hists, &tgid);
	__u64 us = delta_ns / 1000;
	__u32 slot = us ? log2_u64(us) : 0;

	if (!h) {
		struct kspan_sched_hist zero = {};

		bpf_map_update_elem(&proc_hists, &tgid, &zero, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&proc_hists, &tgid);
		if (!h)
			return;
	}
	if (slot >= KSPAN_SCHED_HIST_SLOTS)
		slot = KSPAN_SCHED_HIST_SLOTS - 1;
	__sync_fetch_and_add(&h->slots[slot], 1);
	__sync_fetch_and_add(&h->count, 1);
	__sync_fetch_and_add(&h->sum_ns, delta_ns);
}

static __always_inline void emit_wait(struct task_struct *prev, struct task_struct *next,
				      __u32 prev_tid, __u32 prev_tgid, __u32 tid, __u32 tgid,
				      const struct kspan_sched_start *s, __u64 now)
{
	struct kspan_sched_wait_event *ev;

	ev = bpf_ringbuf_reserve(&sched_events, sizeof(*ev), 0);
	if (!ev) {
		count(KSPAN_SCHED_CNT_RINGBUF_FULL);
		return;
	}
	ev->type = KSPAN_EV_SCHED_WAIT;
	ev->flags = s->flags;
	ev->_pad0 = 0;
	ev->cpu = bpf_get_smp_processor_id();
	ev->tid = tid;
	ev->tgid = tgid;
	ev->start_ts = s->ts;
	ev->end_ts = now;
	ev->prev_tid = prev_tid;
	ev->prev_tgid = prev_tgid;
	if (bpf_core_read_str(ev->prev_comm, sizeof(ev->prev_comm), &prev->comm) < 0)
		ev->prev_comm[0] = 0;
	if (bpf_core_read_str(ev->comm, sizeof(ev->comm), &next->comm) < 0)
		ev->comm[0] = 0;
	bpf_ringbuf_submit(ev, wakeup_flags(&sched_events));
	count(KSPAN_SCHED_CNT_EVENTS);
}

/* The switch itself: prev stops running (and waits again if still runnable),
 * next ends its wait. Scalars are read by the caller (directly for tp_btf,
 * through CO-RE probe reads for raw_tp). */
static __always_inline void on_switch(struct task_struct *prev, struct task_struct *next,
				      bool prev_runnable, __u32 prev_tid, __u32 prev_tgid,
				      __u32 next_tid, __u32 next_tgid)
{
	struct kspan_sched_start *s, start;
	__u64 now = bpf_ktime_get_ns(), delta;

	if (prev_runnable)
		record_start(prev_tid, prev_tgid, KSPAN_SCHED_F_PREEMPTED, now);

	if (next_tid == 0)
		return;
	s = bpf_map_lookup_elem(&wait_start, &next_tid);
	if (!s || !s->ts)
		return;
	start = *s;
	s->ts = 0; /* consumed; the entry stays for the thread's next wait */
	if (now < start.ts)
		return;
	delta = now - start.ts;
	count(KSPAN_SCHED_CNT_WAITS);
	hist_add(next_tgid, delta);
	if (delta < min_wait_ns || !bpf_map_lookup_elem(&watched_tids, &next_tid))
		return;
	emit_wait(prev, next, prev_tid, prev_tgid, next_tid, next_tgid, &start, now);
}

/* A wakeup of a task still on a CPU (it had not finished going to sleep) is
 * not a wait: it keeps running. */
static __always_inline bool on_cpu(struct task_struct *p)
{
	return bpf_core_field_exists(p->on_cpu) && BPF_CORE_READ(p, on_cpu);
}

/* ---- tp_btf variants: arguments are typed task pointers, read directly ---- */

SEC("tp_btf/sched_wakeup")
int BPF_PROG(sched_wakeup_btf, struct task_struct *p)
{
	if (bpf_core_field_exists(p->on_cpu) && p->on_cpu)
		return 0;
	record_start(p->pid, p->tgid, 0, bpf_ktime_get_ns());
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(sched_wakeup_new_btf, struct task_struct *p)
{
	record_start(p->pid, p->tgid, KSPAN_SCHED_F_NEW, bpf_ktime_get_ns());
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	bool runnable = preempt;

	if (!runnable) {
		if (bpf_core_field_exists(prev->__state))
			runnable = prev->__state == TASK_RUNNING;
		else
			runnable = task_state(prev) == TASK_RUNNING;
	}
	on_switch(prev, next, runnable, prev->pid, prev->tgid, next->pid, next->tgid);
	return 0;
}

/* ---- raw_tp variants: arguments are u64s in ctx->args[] ---- */

SEC("raw_tp/sched_wakeup")
int sched_wakeup_raw(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *p = (struct task_struct *)ctx->args[0];

	if (on_cpu(p))
		return 0;
	record_start(BPF_CORE_READ(p, pid), BPF_CORE_READ(p, tgid), 0, bpf_ktime_get_ns());
	return 0;
}

SEC("raw_tp/sched_wakeup_new")
int sched_wakeup_new_raw(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *p = (struct task_struct *)ctx->args[0];

	record_start(BPF_CORE_READ(p, pid), BPF_CORE_READ(p, tgid), KSPAN_SCHED_F_NEW, bpf_ktime_get_ns());
	return 0;
}

SEC("raw_tp/sched_switch")
int sched_switch_raw(struct bpf_raw_tracepoint_args *ctx)
{
	bool preempt = (bool)ctx->args[0];
	struct task_struct *prev = (struct task_struct *)ctx->args[1];
	struct task_struct *next = (struct task_struct *)ctx->args[2];
	bool runnable = preempt || task_state(prev) == TASK_RUNNING;

	on_switch(prev, next, runnable, BPF_CORE_READ(prev, pid), BPF_CORE_READ(prev, tgid),
		  BPF_CORE_READ(next, pid), BPF_CORE_READ(next, tgid));
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
