// SPDX-License-Identifier: (GPL-2.0 OR Apache-2.0)
/* tls family: uprobes on OpenSSL's SSL_read/SSL_write (and _ex) capture the
 * plaintext of TLS connections. The connection an SSL* runs over is learnt
 * by the sockets family (ssl_conns, shared map): exactly when OpenSSL does
 * the socket syscall inside the SSL call, by thread order for memory BIOs.
 * Plaintext goes into the sockets ring buffer as ordinary data events, so
 * the same parsers and correlator handle HTTPS and HTTP alike. */
#include "include/vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "include/sockets.h"
#include "include/sockets_maps.h"
#include "include/payload.h"

const volatile __u32 self_tgid = 0;
const volatile __u32 payload_bytes = 2048;

static __always_inline void tls_enter(void *ssl, const void *buf, void *len_ptr, __u8 op)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct kspan_tls_call call = {};

	if ((pid_tgid >> 32) == self_tgid)
		return;
	/* An SSL call made from inside another (a callback): keep the outer one. */
	if (bpf_map_lookup_elem(&tls_calls, &pid_tgid))
		return;
	call.ssl = (__u64)ssl;
	call.buf = (__u64)buf;
	call.len_ptr = (__u64)len_ptr;
	call.enter_ts = bpf_ktime_get_ns();
	call.op = op;
	bpf_map_update_elem(&tls_calls, &pid_tgid, &call, BPF_ANY);
}

/* The connection ssl runs over, binding it by thread order if not yet known. */
static __always_inline struct kspan_conn_info *ssl_conn(__u64 ssl, __u64 pid_tgid, __u8 op)
{
	struct kspan_ssl_key key = { .ssl = ssl, .tgid = pid_tgid >> 32 };
	struct kspan_conn_key *ck = bpf_map_lookup_elem(&ssl_conns, &key);
	struct kspan_conn_info *conn;

	if (!ck && op == KSPAN_TLS_READ) {
		/* Memory BIO: the ciphertext this thread read last is what it decrypts now. */
		ck = bpf_map_lookup_elem(&tls_last_read, &pid_tgid);
		if (ck) {
			conn = bpf_map_lookup_elem(&conns, ck);
			if (conn)
				bind_ssl(ssl, key.tgid, (__u32)pid_tgid, ck->fd, conn->conn_id);
			return conn;
		}
	}
	if (!ck)
		return NULL;
	return bpf_map_lookup_elem(&conns, ck);
}

static __always_inline void tls_exit(long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct kspan_tls_call *callp = bpf_map_lookup_elem(&tls_calls, &pid_tgid);
	struct kspan_tls_call call;
	struct kspan_conn_info *conn;
	struct data_scratch *s;
	__u64 bytes = 0, arrival = 0;
	__u32 want, got;
	int fd = -1;

	if (!callp)
		return;
	call = *callp;
	bpf_map_delete_elem(&tls_calls, &pid_tgid);
	/* All four return int: only the low 32 bits of the register are defined. */
	if (call.len_ptr) {
		/* SSL_*_ex: 1 on success, the count through the size_t pointer. */
		if ((int)ret != 1 || bpf_probe_read_user(&bytes, sizeof(bytes), (void *)call.len_ptr))
			return;
	} else {
		if ((int)ret <= 0)
			return;
		bytes = (int)ret;
	}
	if (bytes == 0)
		return;

	conn = ssl_conn(call.ssl, pid_tgid, call.op);
	if (!conn) {
		if (call.op == KSPAN_TLS_WRITE) {
			/* Memory BIO: the next ciphertext write on this thread names the connection. */
			bpf_map_update_elem(&tls_pending_bind, &pid_tgid, &call.ssl, BPF_ANY);
		} else {
			count(KSPAN_CNT_TLS_UNBOUND);
			return;
		}
	} else {
		struct kspan_ssl_key key = { .ssl = call.ssl, .tgid = pid_tgid >> 32 };
		struct kspan_conn_key *ck = bpf_map_lookup_elem(&ssl_conns, &key);

		if (ck)
			fd = ck->fd;
		if (call.op == KSPAN_TLS_READ)
			arrival = take_arrival(&tls_arrivals, conn->sk);
	}

	s = scratch();
	if (!s)
		return;
	want = copy_want(bytes, payload_bytes);
	got = copy_flat(s, call.buf, want);
	s->ev.type = KSPAN_EV_SOCK_DATA;
	s->ev.direction = call.op == KSPAN_TLS_READ ? KSPAN_DIR_INGRESS : KSPAN_DIR_EGRESS;
	s->ev.syscall = call.op == KSPAN_TLS_READ ? KSPAN_SYS_SSL_READ : KSPAN_SYS_SSL_WRITE;
	s->ev.tail_len = 0;
	s->ev.captured = got;
	s->ev.tgid = pid_tgid >> 32;
	s->ev.tid = (__u32)pid_tgid;
	s->ev.conn_id = conn ? conn->conn_id : 0;
	s->ev.enter_ts = call.enter_ts;
	s->ev.exit_ts = bpf_ktime_get_ns();
	s->ev.arrival_ts = arrival;
	s->ev.wire_len = bytes;
	s->ev.ssl = call.ssl;
	s->ev.fd = fd;
	if (bytes > got)
		copy_tail(s, call.buf, false, 0, bytes);
	output(&s->ev, offsetof(struct kspan_sock_data_event, payload) + (got & COPY_MASK));
}

SEC("uprobe")
int BPF_KPROBE(ssl_read_enter, void *ssl, void *buf, int num)
{
	tls_enter(ssl, buf, NULL, KSPAN_TLS_READ);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(ssl_read_ex_enter, void *ssl, void *buf, size_t num, size_t *readbytes)
{
	tls_enter(ssl, buf, readbytes, KSPAN_TLS_READ);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(ssl_write_enter, void *ssl, const void *buf, int num)
{
	tls_enter(ssl, buf, NULL, KSPAN_TLS_WRITE);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(ssl_write_ex_enter, void *ssl, const void *buf, size_t num, size_t *written)
{
	tls_enter(ssl, buf, written, KSPAN_TLS_WRITE);
	return 0;
}

/* BPF_KPROBE/BPF_KRETPROBE read uprobe arguments the same way (pt_regs).
 * One return probe serves all four: the call record says which it was. */
SEC("uretprobe")
int BPF_KRETPROBE(ssl_rw_exit, long ret)
{
	tls_exit(ret);
	return 0;
}

/* SSL_free: the pointer may be reused for another connection. */
SEC("uprobe")
int BPF_KPROBE(ssl_free_enter, void *ssl)
{
	struct kspan_ssl_key key = { .ssl = (__u64)ssl, .tgid = bpf_get_current_pid_tgid() >> 32 };

	bpf_map_delete_elem(&ssl_conns, &key);
	return 0;
}

/* New programs may carry their own OpenSSL (node, a container's libssl). */
SEC("tracepoint/sched/sched_process_exec")
int proc_exec(void *ctx)
{
	struct kspan_proc_exec_event ev = {};
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	ev.type = KSPAN_EV_PROC_EXEC;
	ev.tgid = pid_tgid >> 32;
	ev.ts = bpf_ktime_get_ns();
	bpf_get_current_comm(ev.comm, sizeof(ev.comm));
	output(&ev, sizeof(ev));
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
