// SPDX-License-Identifier: (GPL-2.0 OR Apache-2.0)
/* tcp family: retransmits, connect latency and packet drops, from stable
 * tracepoints only (kprobes and fentry are not needed).
 *
 * tcp:tcp_retransmit_skb   a retransmitted segment, with its original send
 *                          time (see the note at tcp_retransmit_skb below)
 * sock:inet_sock_set_state SYN_SENT -> ESTABLISHED gives the connect time,
 *                          SYN_SENT -> CLOSE a failed connect
 * skb:kfree_skb            every drop counted by reason; drops of TCP
 *                          packets (a TCP socket, or TCP headers) as events
 *
 * Each event carries the struct sock * and the 4-tuple, so user space can
 * match it to a connection the sockets family tracks. */
#include "include/vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "include/tcp.h"
#include "include/wakeup.h"

#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define IPPROTO_TCP 6
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define TCP_CA_LOSS 4
#define NSEC_PER_SEC 1000000000ULL

/* Load-time knobs, set by user space before load. */
const volatile __u32 self_tgid = 0;    /* kspan's own connects are not reported */
const volatile __u8 drop_events = 1;   /* 0: count drops by reason only, no events */

/* jiffies -> ns for icsk_rto; libbpf fills it from the kernel config, 0 if unknown. */
extern unsigned int CONFIG_HZ __kconfig __weak;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1024 * 1024);
} tcp_events SEC(".maps");

/* sk -> when connect() sent the SYN. LRU: a socket freed without a
 * SYN_SENT -> ESTABLISHED/CLOSE transition we see must age out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, KSPAN_TCP_MAX_CONNECTING);
	__type(key, __u64);
	__type(value, struct kspan_tcp_connecting);
} connecting SEC(".maps");

/* Drops by reason, all protocols: [0, CORE_SLOTS) are core reasons, then
 * one slot per subsystem (reason >> 16); the last slot takes the rest. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSPAN_TCP_DROP_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} drop_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSPAN_TCP_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} tcp_counters SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&tcp_counters, &idx);
	if (v)
		*v += 1;
}

static __always_inline void *reserve(__u32 size)
{
	void *ev = bpf_ringbuf_reserve(&tcp_events, size, 0);

	if (!ev)
		count(KSPAN_TCP_CNT_RINGBUF_FULL);
	return ev;
}

static __always_inline void submit(void *ev)
{
	bpf_ringbuf_submit(ev, wakeup_flags(&tcp_events));
	count(KSPAN_TCP_CNT_EVENTS);
}

/* The tuple as the tcp and sock tracepoints record it (their sport/dport are
 * host order; v6 fields hold v4-mapped addresses for AF_INET). */
#define TUPLE_FROM_TP(t, ctx)                                                          \
	do {                                                                           \
		(t)->family = (ctx)->family;                                           \
		(t)->local_port = (ctx)->sport;                                        \
		(t)->remote_port = (ctx)->dport;                                       \
		(t)->_pad0 = 0;                                                        \
		if ((t)->family == AF_INET) {                                          \
			bpf_probe_read_kernel((t)->local_addr, 4, &(ctx)->saddr);      \
			bpf_probe_read_kernel((t)->remote_addr, 4, &(ctx)->daddr);     \
		} else {                                                               \
			bpf_probe_read_kernel((t)->local_addr, 16, &(ctx)->saddr_v6);  \
			bpf_probe_read_kernel((t)->remote_addr, 16, &(ctx)->daddr_v6); \
		}                                                                      \
	} while (0)

/* A full socket's bound port (skc_num) is zeroed when it closes and releases
 * the port; inet_sport keeps it. Time-wait and request socks have no
 * inet_sock part: their skc_num stays. */
static __always_inline void tuple_from_sk(struct kspan_tcp_tuple *t, struct sock *sk, __u8 state)
{
	t->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (state == TCP_TIME_WAIT || state == TCP_NEW_SYN_RECV)
		t->local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
	else
		t->local_port = __builtin_bswap16(BPF_CORE_READ((struct inet_sock *)sk, inet_sport));
	t->remote_port = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	t->_pad0 = 0;
	if (t->family == AF_INET) {
		bpf_core_read(t->local_addr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(t->remote_addr, 4, &sk->__sk_common.skc_daddr);
	} else {
		bpf_core_read(t->local_addr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(t->remote_addr, 16, &sk->__sk_common.skc_v6_daddr);
	}
}

static __always_inline __u64 jiffies_to_ns(__u64 j)
{
	return CONFIG_HZ ? j * (NSEC_PER_SEC / CONFIG_HZ) : 0;
}

/* Original send time of a retransmitted segment.
 *
 * The tracepoint fires at the end of __tcp_retransmit_skb, after
 * __tcp_transmit_skb has sent the copy: by then skb->skb_mstamp_ns holds the
 * retransmission's own departure time (measured here: within 30 µs of now),
 * so it cannot give the original. TCP_SKB_CB(skb)->tx.first_tx_mstamp is
 * rewritten too (tcp_rate_skb_sent), but with tp->first_tx_mstamp: the send
 * time of the flight the segment belongs to, which an outstanding segment
 * cannot move past (packets_out > 0 while it is unacknowledged; only an ACK
 * of a later segment moves it, by at most about one RTT). For a request that
 * began a flight it is exactly the original send; measured on loopback it
 * matched the first send across two backed-off timeouts (212 ms, 424 ms).
 * It is 0 for a SYN (tcp_connect counts the SYN in flight before sending it,
 * so no flight start is stamped) and missing before 4.10: then the expired
 * timeouts are subtracted instead (a SYN retransmit: 1 s, 3 s, ...). */
static __always_inline void retransmit_origin(struct kspan_tcp_retransmit_event *ev,
					      struct sk_buff *skb, struct sock *sk)
{
	struct inet_connection_sock *icsk = (struct inet_connection_sock *)sk;
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	struct tcp_skb_cb *cb = (struct tcp_skb_cb *)skb->cb;
	__u64 first_tx = 0, rto_ns, total;
	__u32 rto, srtt, rttvar;

	rto = BPF_CORE_READ(icsk, icsk_rto);
	srtt = BPF_CORE_READ(tp, srtt_us) >> 3;
	rttvar = BPF_CORE_READ(tp, rttvar_us);
	ev->srtt_us = srtt;
	ev->seq = BPF_CORE_READ(cb, seq);
	ev->len = BPF_CORE_READ(cb, end_seq) - ev->seq;
	ev->ca_state = BPF_CORE_READ_BITFIELD_PROBED(icsk, icsk_ca_state);
	ev->retransmits = BPF_CORE_READ(icsk, icsk_retransmits);
	ev->backoff = BPF_CORE_READ(icsk, icsk_backoff);
	rto_ns = jiffies_to_ns(rto);
	if (!rto_ns) /* HZ unknown: the RTO as tcp_set_rto computes it, backed off */
		rto_ns = ((__u64)(srtt + rttvar) * 1000) << (ev->backoff & 15);
	ev->rto_us = rto_ns / 1000;

	if (bpf_core_field_exists(cb->tx.first_tx_mstamp))
		first_tx = BPF_CORE_READ(cb, tx.first_tx_mstamp) * 1000;
	if (first_tx && first_tx <= ev->ts) {
		ev->orig_ts = first_tx;
		ev->origin = KSPAN_RTX_ORIG_FIRST_TX;
		return;
	}
	/* Timeouts in a row double the RTO: rto + rto/2 + ... + rto/2^backoff. */
	total = rto_ns;
	if (ev->ca_state == TCP_CA_LOSS && ev->backoff)
		total = 2 * rto_ns - (rto_ns >> (ev->backoff & 31));
	ev->orig_ts = total < ev->ts ? ev->ts - total : 0;
	ev->origin = KSPAN_RTX_ORIG_RTO;
}

SEC("tracepoint/tcp/tcp_retransmit_skb")
int tcp_retransmit_skb(struct trace_event_raw_tcp_retransmit_skb *ctx)
{
	struct kspan_tcp_retransmit_event *ev;
	struct sock *sk = (struct sock *)ctx->skaddr;
	struct sk_buff *skb = (struct sk_buff *)ctx->skbaddr;

	/* Since 6.11 the tracepoint also fires for attempts that sent nothing. */
	if (bpf_core_field_exists(ctx->err) && ctx->err) {
		count(KSPAN_TCP_CNT_RTX_FAILED);
		return 0;
	}
	count(KSPAN_TCP_CNT_RETRANSMITS);
	ev = reserve(sizeof(*ev));
	if (!ev)
		return 0;
	ev->type = KSPAN_EV_TCP_RETRANSMIT;
	ev->state = ctx->state;
	ev->sk = (__u64)sk;
	ev->ts = bpf_ktime_get_ns();
	TUPLE_FROM_TP(&ev->tuple, ctx);
	ev->_pad0 = 0;
	retransmit_origin(ev, skb, sk);
	submit(ev);
	return 0;
}

/* Client connects. SYN_SENT is set inside connect(), in the caller's context;
 * the tuple is taken from the final transition, when the local port is bound
 * (tcp_v4_connect sets SYN_SENT before it picks the port). */
SEC("tracepoint/sock/inet_sock_set_state")
int inet_sock_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	struct kspan_tcp_connect_event *ev;
	struct kspan_tcp_connecting *c, start;
	__u64 sk = (__u64)ctx->skaddr;
	int newstate = ctx->newstate;

	if (ctx->protocol != IPPROTO_TCP)
		return 0;
	if (newstate == TCP_SYN_SENT) {
		__u64 pid_tgid = bpf_get_current_pid_tgid();
		struct kspan_tcp_connecting fresh = {};

		if ((pid_tgid >> 32) == self_tgid)
			return 0;
		fresh.ts = bpf_ktime_get_ns();
		fresh.tgid = pid_tgid >> 32;
		fresh.tid = (__u32)pid_tgid;
		bpf_map_update_elem(&connecting, &sk, &fresh, BPF_ANY);
		return 0;
	}
	if (ctx->oldstate != TCP_SYN_SENT)
		return 0;
	c = bpf_map_lookup_elem(&connecting, &sk);
	if (!c)
		return 0;
	start = *c;
	bpf_map_delete_elem(&connecting, &sk);
	if (newstate != TCP_ESTABLISHED && newstate != TCP_CLOSE)
		return 0; /* simultaneous open (SYN_RECV): not a plain connect */
	count(KSPAN_TCP_CNT_CONNECTS);
	ev = reserve(sizeof(*ev));
	if (!ev)
		return 0;
	ev->type = KSPAN_EV_TCP_CONNECT;
	ev->flags = newstate == TCP_CLOSE ? KSPAN_CONNECT_F_FAILED : 0;
	ev->state = newstate;
	ev->_pad0 = 0;
	ev->err = newstate == TCP_CLOSE ? BPF_CORE_READ((struct sock *)sk, sk_err) : 0;
	ev->sk = sk;
	ev->ts = bpf_ktime_get_ns();
	TUPLE_FROM_TP(&ev->tuple, ctx);
	ev->start_ts = start.ts;
	ev->tgid = start.tgid;
	ev->tid = start.tid;
	submit(ev);
	return 0;
}

/* Is sk a TCP socket? Time-wait and request socks are only a sock_common
 * (no sk_protocol): TCP is the only user of those states here. */
static __always_inline bool is_tcp_sock(struct sock *sk, __u8 *state)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	if (family != AF_INET && family != AF_INET6)
		return false;
	*state = BPF_CORE_READ(sk, __sk_common.skc_state);
	if (*state == TCP_TIME_WAIT || *state == TCP_NEW_SYN_RECV)
		return true;
	return BPF_CORE_READ(sk, sk_protocol) == IPPROTO_TCP &&
	       BPF_CORE_READ(sk, sk_type) == SOCK_STREAM;
}

/* The tuple from the packet's IPv4/IPv6 and TCP headers (no options walk). */
static __always_inline bool tuple_from_packet(struct kspan_tcp_drop_event *ev, struct sk_buff *skb)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 nh = BPF_CORE_READ(skb, network_header);
	__u8 ip[40], tcp[14], *src, *dst;
	__u32 l4;
	bool ingress = ev->flags & KSPAN_DROP_F_INGRESS;

	if (!head || nh == 0xffff)
		return false;
	if (ev->protocol == ETH_P_IP) {
		if (bpf_probe_read_kernel(ip, 20, head + nh) || (ip[0] >> 4) != 4 || ip[9] != IPPROTO_TCP)
			return false;
		l4 = (ip[0] & 0xf) * 4;
		if (l4 < 20)
			return false;
		ev->tuple.family = AF_INET;
		src = &ip[12];
		dst = &ip[16];
		__builtin_memcpy(ev->tuple.local_addr, ingress ? dst : src, 4);
		__builtin_memcpy(ev->tuple.remote_addr, ingress ? src : dst, 4);
	} else if (ev->protocol == ETH_P_IPV6) {
		if (bpf_probe_read_kernel(ip, 40, head + nh) || (ip[0] >> 4) != 6 || ip[6] != IPPROTO_TCP)
			return false;
		l4 = 40;
		ev->tuple.family = AF_INET6;
		src = &ip[8];
		dst = &ip[24];
		__builtin_memcpy(ev->tuple.local_addr, ingress ? dst : src, 16);
		__builtin_memcpy(ev->tuple.remote_addr, ingress ? src : dst, 16);
	} else {
		return false;
	}
	if (bpf_probe_read_kernel(tcp, sizeof(tcp), head + nh + l4))
		return false;
	ev->tuple.local_port = ingress ? (tcp[2] << 8 | tcp[3]) : (tcp[0] << 8 | tcp[1]);
	ev->tuple.remote_port = ingress ? (tcp[0] << 8 | tcp[1]) : (tcp[2] << 8 | tcp[3]);
	ev->tcp_flags = tcp[13];
	return true;
}

static __always_inline void count_drop(__u32 reason)
{
	__u32 slot = reason;
	__u64 *v;

	if (reason >= KSPAN_TCP_DROP_CORE_SLOTS) {
		__u32 subsys = reason >> 16;

		if (subsys >= KSPAN_TCP_DROP_SUBSYS_SLOTS)
			subsys = KSPAN_TCP_DROP_SUBSYS_SLOTS - 1;
		slot = KSPAN_TCP_DROP_CORE_SLOTS + subsys;
	}
	v = bpf_map_lookup_elem(&drop_counts, &slot);
	if (v)
		*v += 1;
}

SEC("tracepoint/skb/kfree_skb")
int kfree_skb(struct trace_event_raw_kfree_skb *ctx)
{
	struct kspan_tcp_drop_event ev = {};
	struct sk_buff *skb = ctx->skbaddr;
	struct sock *sk;
	__u32 reason = 0;

	if (bpf_core_field_exists(ctx->reason))
		reason = ctx->reason;
	count(KSPAN_TCP_CNT_DROPS);
	count_drop(reason);
	if (!drop_events)
		return 0;

	ev.protocol = ctx->protocol;
	sk = BPF_CORE_READ(skb, sk);
	if (sk) {
		ev.flags = KSPAN_DROP_F_SK;
	} else if (bpf_core_field_exists(ctx->rx_sk)) {
		sk = ctx->rx_sk;
		ev.flags = KSPAN_DROP_F_SK | KSPAN_DROP_F_RX_SK;
	}
	if (sk && !is_tcp_sock(sk, &ev.state)) {
		sk = NULL;
		ev.flags = 0;
		ev.state = 0;
	}
	if (!sk && ev.protocol != ETH_P_IP && ev.protocol != ETH_P_IPV6)
		return 0;
	if (BPF_CORE_READ(skb, skb_iif))
		ev.flags |= KSPAN_DROP_F_INGRESS;
	if (sk) {
		tuple_from_sk(&ev.tuple, sk, ev.state);
	} else if (tuple_from_packet(&ev, skb)) {
		ev.flags |= KSPAN_DROP_F_PACKET;
	} else {
		return 0; /* not TCP */
	}
	ev.type = KSPAN_EV_TCP_DROP;
	ev.reason = reason;
	ev.sk = (__u64)sk;
	ev.ts = bpf_ktime_get_ns();
	ev.location = (__u64)ctx->location;
	if (bpf_ringbuf_output(&tcp_events, &ev, sizeof(ev), wakeup_flags(&tcp_events)))
		count(KSPAN_TCP_CNT_RINGBUF_FULL);
	else
		count(KSPAN_TCP_CNT_EVENTS);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
