// SPDX-License-Identifier: (GPL-2.0 OR Apache-2.0)
/* sockets family: syscall tracepoints on TCP sockets.
 *
 * For every traced process: accept/connect announce a connection with its
 * 4-tuple; read/write-like syscalls on a connection that looks like HTTP send
 * the first bytes (bounded) with enter/exit timestamps; close ends it.
 * sock:sk_data_ready stamps when a request's bytes reached the socket, so a
 * SERVER span can start before the application read them. */
#include "include/vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "include/sockets.h"
#include "include/sockets_maps.h"
#include "include/payload.h"

#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define IPPROTO_TCP 6
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define EINPROGRESS 115

/* Load-time knobs, set by user space before load. */
const volatile __u32 self_tgid = 0;        /* kspan itself: never traced */
const volatile __u8 filter_pids = 0;       /* trace only tgids in traced_pids */
const volatile __u8 filter_ports = 0;      /* trace only connections with a port in traced_ports */
const volatile __u32 payload_bytes = 2048; /* bytes copied per syscall, <= KSPAN_PAYLOAD_MAX */

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, KSPAN_MAX_INFLIGHT);
	__type(key, __u64); /* pid_tgid */
	__type(value, struct kspan_syscall_args);
} inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KSPAN_MAX_PIDS);
	__type(key, __u32);
	__type(value, __u8);
} traced_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KSPAN_MAX_PORTS);
	__type(key, __u16);
	__type(value, __u8);
} traced_ports SEC(".maps");

/* Connection ids: one global counter; uniqueness matters, not order. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} conn_id_seq SEC(".maps");

static __always_inline bool process_traced(__u32 tgid)
{
	if (tgid == self_tgid)
		return false;
	if (filter_pids && !bpf_map_lookup_elem(&traced_pids, &tgid))
		return false;
	return true;
}

static __always_inline struct file *fd_to_file(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file **fds = BPF_CORE_READ(task, files, fdt, fd);
	unsigned int max = BPF_CORE_READ(task, files, fdt, max_fds);
	struct file *file = NULL;

	if (fd < 0 || (unsigned int)fd >= max)
		return NULL;
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	return file;
}

/* The TCP sock behind a file, or NULL if the file is not an inet stream socket. */
static __always_inline struct sock *file_to_tcp_sock(struct file *file)
{
	umode_t mode = BPF_CORE_READ(file, f_inode, i_mode);
	struct socket *sock;
	struct sock *sk;
	__u16 family, type, protocol;

	if ((mode & S_IFMT) != S_IFSOCK)
		return NULL;
	sock = BPF_CORE_READ(file, private_data);
	if (!sock)
		return NULL;
	sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return NULL;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	type = BPF_CORE_READ(sk, sk_type);
	protocol = BPF_CORE_READ(sk, sk_protocol);
	if ((family != AF_INET && family != AF_INET6) || type != SOCK_STREAM ||
	    protocol != IPPROTO_TCP)
		return NULL;
	return sk;
}

static __always_inline bool port_traced(struct sock *sk)
{
	__u16 lport, rport;

	if (!filter_ports)
		return true;
	lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	rport = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	return bpf_map_lookup_elem(&traced_ports, &lport) ||
	       bpf_map_lookup_elem(&traced_ports, &rport);
}

static __always_inline __u64 next_conn_id(void)
{
	__u32 zero = 0;
	__u64 *seq = bpf_map_lookup_elem(&conn_id_seq, &zero);

	if (!seq)
		return 0;
	return __sync_fetch_and_add(seq, 1) + 1;
}

static __always_inline void emit_open(struct sock *sk, __u64 conn_id, int fd, __u8 role)
{
	struct kspan_sock_open_event ev = {};
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	ev.type = KSPAN_EV_SOCK_OPEN;
	ev.role = role;
	ev.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	ev.local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
	ev.remote_port = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	ev.tgid = pid_tgid >> 32;
	ev.tid = (__u32)pid_tgid;
	ev.conn_id = conn_id;
	ev.ts = bpf_ktime_get_ns();
	ev.fd = fd;
	if (ev.family == AF_INET) {
		bpf_core_read(ev.local_addr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(ev.remote_addr, 4, &sk->__sk_common.skc_daddr);
	} else {
		bpf_core_read(ev.local_addr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(ev.remote_addr, 16, &sk->__sk_common.skc_v6_daddr);
	}
	bpf_get_current_comm(ev.comm, sizeof(ev.comm));
	output(&ev, sizeof(ev));
}

/* Find or create the state of (current tgid, fd). Returns NULL when the fd
 * is not a traced TCP socket. A cached entry is trusted only while the fd
 * still points at the same struct file (fds are reused after close/dup2). */
static __always_inline struct kspan_conn_info *lookup_conn(int fd, __u8 role)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct kspan_conn_key key = { .tgid = tgid, .fd = fd };
	struct kspan_conn_info *info, fresh = {};
	struct file *file = fd_to_file(fd);
	struct sock *sk;

	if (!file)
		return NULL;
	info = bpf_map_lookup_elem(&conns, &key);
	if (info && info->file == (__u64)file)
		return info->sk ? info : NULL;

	fresh.file = (__u64)file;
	sk = file_to_tcp_sock(file);
	if (sk && port_traced(sk)) {
		fresh.sk = (__u64)sk;
		fresh.conn_id = next_conn_id();
		fresh.role = role;
	}
	if (bpf_map_update_elem(&conns, &key, &fresh, BPF_ANY)) {
		count(KSPAN_CNT_CONN_FULL);
		return NULL;
	}
	if (!fresh.sk)
		return NULL;
	emit_open(sk, fresh.conn_id, fd, role);
	return bpf_map_lookup_elem(&conns, &key);
}

static __always_inline bool word_is(__u32 w, const char s[4])
{
	return w == ((__u32)s[0] | (__u32)s[1] << 8 | (__u32)s[2] << 16 | (__u32)s[3] << 24);
}

/* Protocol guess from a message's first bytes: HTTP/1 methods and status
 * lines, and the HTTP/2 client preface. */
static __always_inline __u8 classify(const __u8 *head, __u32 len)
{
	__u32 w;

	if (len < 4)
		return KSPAN_PROTO_UNKNOWN;
	/* TLS record: change_cipher_spec..application_data, version 3.x */
	if (head[0] >= 0x14 && head[0] <= 0x17 && head[1] == 0x03 && head[2] <= 0x04)
		return KSPAN_PROTO_TLS;
	w = *(__u32 *)head;
	if (word_is(w, "PRI "))
		return KSPAN_PROTO_HTTP2;
	if (word_is(w, "GET ") || word_is(w, "POST") || word_is(w, "PUT ") ||
	    word_is(w, "HEAD") || word_is(w, "DELE") || word_is(w, "PATC") ||
	    word_is(w, "OPTI") || word_is(w, "CONN") || word_is(w, "TRAC") ||
	    word_is(w, "HTTP"))
		return KSPAN_PROTO_HTTP1;
	return KSPAN_PROTO_UNKNOWN;
}

static __always_inline void note_tls_read(struct kspan_conn_info *conn, __u64 pid_tgid, int fd,
					  __u8 direction)
{
	struct kspan_conn_key key = { .tgid = pid_tgid >> 32, .fd = fd };
	__u64 arrival;

	if (direction != KSPAN_DIR_INGRESS)
		return;
	bpf_map_update_elem(&tls_last_read, &pid_tgid, &key, BPF_ANY);
	arrival = take_arrival(&arrivals, conn->sk);
	if (arrival)
		bpf_map_update_elem(&tls_arrivals, &conn->sk, &arrival, BPF_ANY);
}

/* Ciphertext is never sent to user space; it only tells which connection an
 * SSL* runs over. Returns true when the syscall moved ciphertext. */
static __always_inline bool tls_ciphertext(struct kspan_conn_info *conn, __u64 pid_tgid, int fd,
					   __u8 direction)
{
	struct kspan_tls_call *call = bpf_map_lookup_elem(&tls_calls, &pid_tgid);
	__u32 tgid = pid_tgid >> 32;
	__u64 *pending;

	if (call) {
		/* OpenSSL reading/writing the socket itself (fd BIO): exact. */
		conn->proto = KSPAN_PROTO_TLS;
		bind_ssl(call->ssl, tgid, (__u32)pid_tgid, fd, conn->conn_id);
		note_tls_read(conn, pid_tgid, fd, direction);
		return true;
	}
	if (conn->proto != KSPAN_PROTO_TLS)
		return false;
	if (direction == KSPAN_DIR_INGRESS) {
		note_tls_read(conn, pid_tgid, fd, direction);
	} else {
		pending = bpf_map_lookup_elem(&tls_pending_bind, &pid_tgid);
		if (pending) {
			bind_ssl(*pending, tgid, (__u32)pid_tgid, fd, conn->conn_id);
			bpf_map_delete_elem(&tls_pending_bind, &pid_tgid);
		}
	}
	return true;
}

static __always_inline void enter(int fd, __u64 buf, __u32 iovcnt, __u8 syscall)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct kspan_syscall_args args = {};

	if (!process_traced(pid_tgid >> 32))
		return;
	args.buf = buf;
	args.enter_ts = bpf_ktime_get_ns();
	args.fd = fd;
	args.iovcnt = iovcnt;
	args.syscall = syscall;
	if (bpf_map_update_elem(&inflight, &pid_tgid, &args, BPF_ANY))
		count(KSPAN_CNT_INFLIGHT_FULL);
}

static __always_inline void data_exit(long ret, __u8 direction)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct kspan_syscall_args *args;
	struct kspan_conn_info *conn;
	struct data_scratch *s;
	__u32 want, got;
	__u64 buf, arrival = 0;
	__u32 iovcnt;
	bool is_iov;
	__u8 syscall;
	int fd;

	args = bpf_map_lookup_elem(&inflight, &pid_tgid);
	if (!args)
		return;
	buf = args->buf;
	fd = args->fd;
	iovcnt = args->iovcnt;
	syscall = args->syscall;
	s = scratch();
	if (!s) {
		bpf_map_delete_elem(&inflight, &pid_tgid);
		return;
	}
	s->ev.enter_ts = args->enter_ts;
	bpf_map_delete_elem(&inflight, &pid_tgid);
	if (ret <= 0)
		return;
	conn = lookup_conn(fd, KSPAN_ROLE_UNKNOWN);
	if (!conn || conn->proto == KSPAN_PROTO_OTHER)
		return;
	if (tls_ciphertext(conn, pid_tgid, fd, direction))
		return;

	if (syscall == KSPAN_SYS_RECVMSG || syscall == KSPAN_SYS_SENDMSG) {
		struct user_msghdr msg = {};

		if (bpf_probe_read_user(&msg, sizeof(msg), (void *)buf))
			return;
		buf = (__u64)msg.msg_iov;
		iovcnt = msg.msg_iovlen;
	}
	is_iov = syscall == KSPAN_SYS_READV || syscall == KSPAN_SYS_WRITEV ||
		 syscall == KSPAN_SYS_RECVMSG || syscall == KSPAN_SYS_SENDMSG;

	want = copy_want(ret, payload_bytes);
	if (syscall == KSPAN_SYS_SENDFILE)
		got = 0; /* file bytes: only their count matters */
	else if (is_iov)
		got = copy_iov(s, (const struct iovec *)buf, iovcnt, want);
	else
		got = copy_flat(s, buf, want);

	if (conn->proto == KSPAN_PROTO_UNKNOWN) {
		__u8 proto = classify(s->ev.payload, got);

		if (proto == KSPAN_PROTO_UNKNOWN) {
			/* Mid-body at late start, or not HTTP: give it a few chances. */
			if (++conn->tries >= KSPAN_CLASSIFY_TRIES) {
				conn->proto = KSPAN_PROTO_OTHER;
				count(KSPAN_CNT_IGNORED);
			}
			return;
		}
		conn->proto = proto;
		if (proto == KSPAN_PROTO_TLS) {
			note_tls_read(conn, pid_tgid, fd, direction);
			return;
		}
	}

	if (direction == KSPAN_DIR_INGRESS)
		arrival = take_arrival(&arrivals, conn->sk);

	s->ev.type = KSPAN_EV_SOCK_DATA;
	s->ev.direction = direction;
	s->ev.syscall = syscall;
	s->ev.tail_len = 0;
	s->ev.captured = got;
	s->ev.tgid = pid_tgid >> 32;
	s->ev.tid = (__u32)pid_tgid;
	s->ev.conn_id = conn->conn_id;
	s->ev.exit_ts = bpf_ktime_get_ns();
	s->ev.arrival_ts = arrival;
	s->ev.wire_len = ret;
	s->ev.ssl = 0;
	s->ev.fd = fd;
	if ((__u64)ret > got && syscall != KSPAN_SYS_SENDFILE)
		copy_tail(s, buf, is_iov, iovcnt, ret);

	output(&s->ev, offsetof(struct kspan_sock_data_event, payload) + (got & COPY_MASK));
}

#define DATA_PROBES(name, sysid, direction, bufarg, iovarg)                         \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                  \
	int enter_##name(struct trace_event_raw_sys_enter *ctx)                      \
	{                                                                            \
		enter((int)ctx->args[0], ctx->args[bufarg], iovarg, sysid);          \
		return 0;                                                            \
	}                                                                            \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                   \
	int exit_##name(struct trace_event_raw_sys_exit *ctx)                        \
	{                                                                            \
		data_exit(ctx->ret, direction);                                      \
		return 0;                                                            \
	}

DATA_PROBES(read, KSPAN_SYS_READ, KSPAN_DIR_INGRESS, 1, 0)
DATA_PROBES(recvfrom, KSPAN_SYS_RECVFROM, KSPAN_DIR_INGRESS, 1, 0)
DATA_PROBES(recvmsg, KSPAN_SYS_RECVMSG, KSPAN_DIR_INGRESS, 1, 0)
DATA_PROBES(readv, KSPAN_SYS_READV, KSPAN_DIR_INGRESS, 1, (__u32)ctx->args[2])
DATA_PROBES(write, KSPAN_SYS_WRITE, KSPAN_DIR_EGRESS, 1, 0)
DATA_PROBES(sendto, KSPAN_SYS_SENDTO, KSPAN_DIR_EGRESS, 1, 0)
DATA_PROBES(sendmsg, KSPAN_SYS_SENDMSG, KSPAN_DIR_EGRESS, 1, 0)
DATA_PROBES(writev, KSPAN_SYS_WRITEV, KSPAN_DIR_EGRESS, 1, (__u32)ctx->args[2])

/* sendfile(out_fd, in_fd, ...): the body of a static file; counted, not copied. */
SEC("tracepoint/syscalls/sys_enter_sendfile64")
int enter_sendfile64(struct trace_event_raw_sys_enter *ctx)
{
	enter((int)ctx->args[0], 0, 0, KSPAN_SYS_SENDFILE);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_sendfile64")
int exit_sendfile64(struct trace_event_raw_sys_exit *ctx)
{
	data_exit(ctx->ret, KSPAN_DIR_EGRESS);
	return 0;
}

/* accept/accept4 return a new connection: announce it as a server end. */
static __always_inline void accept_exit(long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	if (ret < 0 || !process_traced(pid_tgid >> 32))
		return;
	lookup_conn((int)ret, KSPAN_ROLE_SERVER);
}

SEC("tracepoint/syscalls/sys_exit_accept")
int exit_accept(struct trace_event_raw_sys_exit *ctx)
{
	accept_exit(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int exit_accept4(struct trace_event_raw_sys_exit *ctx)
{
	accept_exit(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_connect")
int enter_connect(struct trace_event_raw_sys_enter *ctx)
{
	enter((int)ctx->args[0], 0, 0, 0);
	return 0;
}

/* A non-blocking connect returns EINPROGRESS with both ends already set. */
SEC("tracepoint/syscalls/sys_exit_connect")
int exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct kspan_syscall_args *args = bpf_map_lookup_elem(&inflight, &pid_tgid);
	int fd;

	if (!args)
		return 0;
	fd = args->fd;
	bpf_map_delete_elem(&inflight, &pid_tgid);
	if (ctx->ret == 0 || ctx->ret == -EINPROGRESS) {
		struct kspan_conn_key key = { .tgid = pid_tgid >> 32, .fd = fd };

		/* connect() on an fd we cached before it had a peer: forget it. */
		bpf_map_delete_elem(&conns, &key);
		lookup_conn(fd, KSPAN_ROLE_CLIENT);
	}
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_close")
int enter_close(struct trace_event_raw_sys_enter *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct kspan_conn_key key = { .tgid = pid_tgid >> 32, .fd = (int)ctx->args[0] };
	struct kspan_conn_info *info = bpf_map_lookup_elem(&conns, &key);
	struct kspan_sock_close_event ev = {};

	if (!info)
		return 0;
	if (info->sk && (info->proto == KSPAN_PROTO_HTTP1 || info->proto == KSPAN_PROTO_HTTP2 ||
			 info->proto == KSPAN_PROTO_TLS)) {
		ev.type = KSPAN_EV_SOCK_CLOSE;
		ev.tgid = key.tgid;
		ev.tid = (__u32)pid_tgid;
		ev.fd = key.fd;
		ev.conn_id = info->conn_id;
		ev.ts = bpf_ktime_get_ns();
		output(&ev, sizeof(ev));
	}
	bpf_map_delete_elem(&conns, &key);
	return 0;
}

/* Stamp the first arrival of unread data on a TCP socket. Only the first
 * since the last read counts: that is when the request started waiting. */
SEC("tracepoint/sock/sk_data_ready")
int sk_data_ready(struct trace_event_raw_sk_data_ready *ctx)
{
	__u64 sk = (__u64)ctx->skaddr;
	__u64 now;

	if (ctx->protocol != IPPROTO_TCP)
		return 0;
	if (bpf_map_lookup_elem(&arrivals, &sk))
		return 0;
	now = bpf_ktime_get_ns();
	bpf_map_update_elem(&arrivals, &sk, &now, BPF_NOEXIST);
	return 0;
}

/* A struct sock is recycled for new connections: forget its arrival stamp
 * when a connection is established or closed, so a new connection on the
 * same address never inherits an old, unread stamp. */
SEC("tracepoint/sock/inet_sock_set_state")
int inet_sock_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	__u64 sk = (__u64)ctx->skaddr;

	if (ctx->protocol != IPPROTO_TCP)
		return 0;
	if (ctx->newstate == TCP_ESTABLISHED || ctx->newstate == TCP_CLOSE) {
		bpf_map_delete_elem(&arrivals, &sk);
		bpf_map_delete_elem(&tls_arrivals, &sk);
	}
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
