/* SPDX-License-Identifier: (GPL-2.0 OR Apache-2.0) */
/* Maps shared by the sockets and tls families. Both objects declare them;
 * user space loads sockets first and makes tls reuse these map fds, so they
 * are one set of kernel maps. Include after vmlinux.h and sockets.h. */
#ifndef KSPAN_SOCKETS_MAPS_H
#define KSPAN_SOCKETS_MAPS_H

#include "wakeup.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024);
} sock_events SEC(".maps");

/* (tgid, fd) -> connection state; LRU: a process that dies never closes. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, KSPAN_MAX_CONNS);
	__type(key, struct kspan_conn_key);
	__type(value, struct kspan_conn_info);
} conns SEC(".maps");

/* sk -> first sk_data_ready since the owner last read; LRU: sockets of
 * untraced processes are never read by us and must age out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, KSPAN_MAX_ARRIVALS);
	__type(key, __u64);
	__type(value, __u64);
} arrivals SEC(".maps");

/* sk -> arrival of the ciphertext most recently read from it: the SSL_read
 * that returns its plaintext starts the request from there. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, KSPAN_MAX_ARRIVALS);
	__type(key, __u64);
	__type(value, __u64);
} tls_arrivals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSPAN_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} sock_counters SEC(".maps");

/* pid_tgid -> the SSL_read/SSL_write call the thread is inside. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, KSPAN_MAX_INFLIGHT);
	__type(key, __u64);
	__type(value, struct kspan_tls_call);
} tls_calls SEC(".maps");

/* (SSL*, tgid) -> the connection it runs over. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, KSPAN_MAX_SSL);
	__type(key, struct kspan_ssl_key);
	__type(value, struct kspan_conn_key);
} ssl_conns SEC(".maps");

/* Memory-BIO TLS (node): OpenSSL never touches the socket, so the binding is
 * inferred per thread: the last ciphertext read before an SSL_read, and the
 * first ciphertext write after an SSL_write whose SSL* was unknown. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, KSPAN_MAX_INFLIGHT);
	__type(key, __u64);
	__type(value, struct kspan_conn_key);
} tls_last_read SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, KSPAN_MAX_INFLIGHT);
	__type(key, __u64);
	__type(value, __u64);
} tls_pending_bind SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&sock_counters, &idx);
	if (v)
		*v += 1;
}

/* Takes (reads and clears) the stamp of sk in an arrivals map; 0 if none. */
static __always_inline __u64 take_arrival(void *map, __u64 sk)
{
	__u64 *ts = bpf_map_lookup_elem(map, &sk);
	__u64 v;

	if (!ts)
		return 0;
	v = *ts;
	bpf_map_delete_elem(map, &sk);
	return v;
}

static __always_inline void output(void *data, __u64 size)
{
	if (bpf_ringbuf_output(&sock_events, data, size, wakeup_flags(&sock_events)))
		count(KSPAN_CNT_RINGBUF_FULL);
	else
		count(KSPAN_CNT_EVENTS);
}

/* Records that ssl runs over (tgid, fd) and tells user space, once. */
static __always_inline void bind_ssl(__u64 ssl, __u32 tgid, __u32 tid, int fd, __u64 conn_id)
{
	struct kspan_ssl_key key = { .ssl = ssl, .tgid = tgid };
	struct kspan_conn_key ck = { .tgid = tgid, .fd = fd };
	struct kspan_conn_key *old = bpf_map_lookup_elem(&ssl_conns, &key);
	struct kspan_tls_bind_event ev = {};

	if (old && old->fd == fd)
		return;
	bpf_map_update_elem(&ssl_conns, &key, &ck, BPF_ANY);
	ev.type = KSPAN_EV_TLS_BIND;
	ev.tgid = tgid;
	ev.tid = tid;
	ev.fd = fd;
	ev.conn_id = conn_id;
	ev.ssl = ssl;
	ev.ts = bpf_ktime_get_ns();
	output(&ev, sizeof(ev));
}

#endif /* KSPAN_SOCKETS_MAPS_H */
