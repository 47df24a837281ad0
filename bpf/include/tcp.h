/* SPDX-License-Identifier: Apache-2.0 */
/* Events and maps of the tcp family, shared by bpf/tcp.bpf.c and the
 * TypeScript decoder (src/receivers/tcp/TcpEventDecoder.ts).
 * Fixed-width fields, explicit padding (built with -Wpadded), type byte first.
 * Every event has the same 64-byte head: type and three event-specific bytes,
 * a u32, the struct sock * (0 if none), the event time, then the 4-tuple, so
 * the correlator can match it by socket pointer or by tuple.
 * Changing a layout means changing the decoder's offsets in the same commit. */
#ifndef KSPAN_TCP_H
#define KSPAN_TCP_H

#define KSPAN_TCP_MAX_CONNECTING 16384 /* sockets between SYN_SENT and ESTABLISHED/CLOSE, LRU */
#define KSPAN_TCP_DROP_CORE_SLOTS 256  /* counters for core drop reasons (enum skb_drop_reason < 256) */
#define KSPAN_TCP_DROP_SUBSYS_SLOTS 32 /* then one counter per drop-reason subsystem (reason >> 16) */
#define KSPAN_TCP_DROP_SLOTS (KSPAN_TCP_DROP_CORE_SLOTS + KSPAN_TCP_DROP_SUBSYS_SLOTS)

enum kspan_tcp_event_type {
	KSPAN_EV_TCP_RETRANSMIT = 1,
	KSPAN_EV_TCP_CONNECT = 2,
	KSPAN_EV_TCP_DROP = 3,
};

/* How kspan_tcp_retransmit_event.orig_ts was obtained. */
enum kspan_tcp_rtx_origin {
	/* TCP_SKB_CB(skb)->tx.first_tx_mstamp: the send time of the flight the
	 * segment went out in (exact when the segment started the flight, as a
	 * request does; otherwise within about one RTT). Not for SYNs. */
	KSPAN_RTX_ORIG_FIRST_TX = 1,
	/* The retransmit time minus the retransmission timeouts that expired
	 * (icsk_rto, halved once per backoff): exact for timeout retransmits
	 * (ca_state Loss; SYN retransmits), an upper bound of the delay for
	 * fast retransmits. */
	KSPAN_RTX_ORIG_RTO = 2,
};

/* kspan_tcp_connect_event.flags */
enum kspan_tcp_connect_flags {
	KSPAN_CONNECT_F_FAILED = 1, /* SYN_SENT -> CLOSE: refused, timed out, or aborted */
};

/* kspan_tcp_drop_event.flags */
enum kspan_tcp_drop_flags {
	KSPAN_DROP_F_SK = 1,      /* tuple read from the TCP socket the skb belongs to */
	KSPAN_DROP_F_RX_SK = 2,   /* that socket is the tracepoint's rx_sk (a receive-path drop) */
	KSPAN_DROP_F_PACKET = 4,  /* no TCP socket: tuple parsed from the packet's IP/TCP headers */
	KSPAN_DROP_F_INGRESS = 8, /* the packet had been received (skb_iif set), not sent */
};

/* Indexes of the per-CPU counters map. */
enum kspan_tcp_counter {
	KSPAN_TCP_CNT_EVENTS = 0,       /* records written to the ring buffer */
	KSPAN_TCP_CNT_RINGBUF_FULL = 1, /* records lost: ring buffer full */
	KSPAN_TCP_CNT_RETRANSMITS = 2,  /* retransmitted segments (all sockets) */
	KSPAN_TCP_CNT_RTX_FAILED = 3,   /* retransmit attempts that failed (tracepoint err != 0) */
	KSPAN_TCP_CNT_DROPS = 4,        /* kfree_skb drops (all protocols; by reason in drop_counts) */
	KSPAN_TCP_CNT_CONNECTS = 5,     /* active opens finished (established or failed) */
	KSPAN_TCP_CNT_MAX = 6,
};

struct kspan_tcp_tuple {
	__u16 family;      /* AF_INET or AF_INET6 */
	__u16 local_port;  /* host byte order */
	__u16 remote_port; /* host byte order */
	__u16 _pad0;
	__u8 local_addr[16];  /* IPv4 in the first 4 bytes */
	__u8 remote_addr[16];
};

/* A segment was retransmitted (tcp:tcp_retransmit_skb, err == 0). */
struct kspan_tcp_retransmit_event {
	__u8 type;     /* KSPAN_EV_TCP_RETRANSMIT */
	__u8 state;    /* TCP state (1 ESTABLISHED, 2 SYN_SENT, ... as in the kernel) */
	__u8 ca_state; /* 0 Open, 1 Disorder, 2 CWR, 3 Recovery (fast retransmit), 4 Loss (timeout) */
	__u8 origin;   /* enum kspan_tcp_rtx_origin */
	__u32 seq;     /* first sequence number of the segment */
	__u64 sk;      /* struct sock * */
	__u64 ts;      /* the retransmission, CLOCK_MONOTONIC ns */
	struct kspan_tcp_tuple tuple;
	__u64 orig_ts; /* original send time (see origin) */
	__u32 rto_us;  /* icsk_rto when it fired (before this timeout's backoff) */
	__u32 len;     /* sequence space of the segment (end_seq - seq) */
	__u8 retransmits; /* icsk_retransmits: timeouts in a row so far */
	__u8 backoff;     /* icsk_backoff */
	__u16 _pad0;
	__u32 srtt_us;    /* smoothed RTT */
};

/* An active open finished: SYN_SENT -> ESTABLISHED, or SYN_SENT -> CLOSE (failed). */
struct kspan_tcp_connect_event {
	__u8 type;  /* KSPAN_EV_TCP_CONNECT */
	__u8 flags; /* enum kspan_tcp_connect_flags */
	__u8 state; /* the new state: ESTABLISHED (1) or CLOSE (7) */
	__u8 _pad0;
	__s32 err;  /* sk_err when failed: ECONNREFUSED, ETIMEDOUT..., 0 if the application gave up */
	__u64 sk;
	__u64 ts;   /* ESTABLISHED or CLOSE */
	struct kspan_tcp_tuple tuple;
	__u64 start_ts; /* SYN_SENT: inside connect() */
	__u32 tgid;     /* the process that called connect() */
	__u32 tid;
};

/* The kernel dropped a packet of a TCP connection (skb:kfree_skb). */
struct kspan_tcp_drop_event {
	__u8 type;      /* KSPAN_EV_TCP_DROP */
	__u8 flags;     /* enum kspan_tcp_drop_flags */
	__u8 state;     /* TCP state of the socket, 0 when parsed from the packet */
	__u8 tcp_flags; /* TCP header flags (FIN 0x01, SYN 0x02, RST 0x04, ACK 0x10) when parsed from the packet */
	__u32 reason;   /* enum skb_drop_reason */
	__u64 sk;       /* 0 when parsed from the packet */
	__u64 ts;
	struct kspan_tcp_tuple tuple;
	__u64 location; /* kernel text address of the drop */
	__u16 protocol; /* skb->protocol (ethertype), host order */
	__u16 _pad0;
	__u32 _pad1;
};

/* Kernel-side state, not sent to user space. */
struct kspan_tcp_connecting {
	__u64 ts;
	__u32 tgid;
	__u32 tid;
};

#endif /* KSPAN_TCP_H */
