/* SPDX-License-Identifier: Apache-2.0 */
/* Events of the sockets family, shared by bpf/sockets.bpf.c and the
 * TypeScript decoder (src/receivers/sockets/SocketEventDecoder.ts).
 * Fixed-width fields, explicit padding (built with -Wpadded), type byte first.
 * Changing a layout means changing the decoder's offsets in the same commit. */
#ifndef KSPAN_SOCKETS_H
#define KSPAN_SOCKETS_H

#define KSPAN_PAYLOAD_MAX 4096 /* most bytes of one syscall copied to user space */
#define KSPAN_TAIL_BYTES 16    /* last bytes of a syscall's data when not all copied */
#define KSPAN_MAX_IOV 32       /* iovec entries walked per readv/writev/sendmsg/recvmsg (node writes 9+) */
#define KSPAN_MAX_CONNS 65536  /* (tgid, fd) entries tracked, LRU */
#define KSPAN_MAX_ARRIVALS 65536
#define KSPAN_MAX_INFLIGHT 16384 /* threads inside a traced syscall at once */
#define KSPAN_MAX_PIDS 4096
#define KSPAN_MAX_PORTS 256
#define KSPAN_CLASSIFY_TRIES 4 /* non-HTTP-looking chunks before a connection is ignored */
#define KSPAN_MAX_SSL 65536    /* SSL* -> connection bindings, LRU */

enum kspan_sock_event_type {
	KSPAN_EV_SOCK_OPEN = 1,
	KSPAN_EV_SOCK_DATA = 2,
	KSPAN_EV_SOCK_CLOSE = 3,
	KSPAN_EV_TLS_BIND = 4,  /* an SSL* is now known to run over a connection */
	KSPAN_EV_PROC_EXEC = 5, /* a process exec'd: TLS discovery looks at it */
};

enum kspan_conn_role {
	KSPAN_ROLE_UNKNOWN = 0, /* seen first mid-connection (kspan started later) */
	KSPAN_ROLE_SERVER = 1,  /* returned by accept */
	KSPAN_ROLE_CLIENT = 2,  /* opened by connect */
};

enum kspan_direction {
	KSPAN_DIR_EGRESS = 0, /* the process wrote */
	KSPAN_DIR_INGRESS = 1, /* the process read */
};

enum kspan_proto {
	KSPAN_PROTO_UNKNOWN = 0,
	KSPAN_PROTO_HTTP1 = 1,
	KSPAN_PROTO_HTTP2 = 2,
	KSPAN_PROTO_OTHER = 3,
	KSPAN_PROTO_TLS = 4, /* ciphertext: plaintext comes from the tls family */
};

enum kspan_syscall {
	KSPAN_SYS_READ = 1,
	KSPAN_SYS_READV = 2,
	KSPAN_SYS_RECVFROM = 3,
	KSPAN_SYS_RECVMSG = 4,
	KSPAN_SYS_WRITE = 5,
	KSPAN_SYS_WRITEV = 6,
	KSPAN_SYS_SENDTO = 7,
	KSPAN_SYS_SENDMSG = 8,
	KSPAN_SYS_SENDFILE = 9,
	KSPAN_SYS_SSL_READ = 10, /* plaintext returned by SSL_read(_ex) */
	KSPAN_SYS_SSL_WRITE = 11, /* plaintext passed to SSL_write(_ex) */
};

/* Indexes of the per-CPU counters map. */
enum kspan_sock_counter {
	KSPAN_CNT_EVENTS = 0,       /* records written to the ring buffer */
	KSPAN_CNT_RINGBUF_FULL = 1, /* records lost: ring buffer full */
	KSPAN_CNT_INFLIGHT_FULL = 2, /* syscalls not traced: in-flight map full */
	KSPAN_CNT_CONN_FULL = 3,    /* connections not tracked: map update failed */
	KSPAN_CNT_IGNORED = 4,      /* connections classified as not HTTP */
	KSPAN_CNT_TLS_UNBOUND = 5,  /* SSL_read plaintext whose connection was unknown */
	KSPAN_CNT_MAX = 6,
};

struct kspan_sock_open_event {
	__u8 type;   /* KSPAN_EV_SOCK_OPEN */
	__u8 role;   /* enum kspan_conn_role */
	__u16 family; /* AF_INET or AF_INET6 */
	__u16 local_port;  /* host byte order */
	__u16 remote_port; /* host byte order */
	__u32 tgid;
	__u32 tid;
	__u64 conn_id;
	__u64 ts; /* CLOCK_MONOTONIC ns */
	__u8 local_addr[16];  /* IPv4 in the first 4 bytes */
	__u8 remote_addr[16];
	__s32 fd;
	__u32 _pad0;
	char comm[16];
};

struct kspan_sock_data_event {
	__u8 type;      /* KSPAN_EV_SOCK_DATA */
	__u8 direction; /* enum kspan_direction */
	__u8 syscall;   /* enum kspan_syscall */
	__u8 tail_len;  /* valid bytes in tail[] */
	__u32 captured; /* bytes in payload[] */
	__u32 tgid;
	__u32 tid;
	__u64 conn_id;
	__u64 enter_ts;   /* syscall entry, CLOCK_MONOTONIC ns */
	__u64 exit_ts;    /* syscall return */
	__u64 arrival_ts; /* ingress: first sk_data_ready since the last read, 0 if unknown */
	__u64 wire_len;   /* bytes the syscall moved */
	__u64 ssl;        /* SSL* for tls events (conn_id 0: not bound yet), else 0 */
	__s32 fd;
	__u32 _pad0;
	__u8 tail[KSPAN_TAIL_BYTES];
	__u8 payload[KSPAN_PAYLOAD_MAX];
};

struct kspan_sock_close_event {
	__u8 type; /* KSPAN_EV_SOCK_CLOSE */
	__u8 _pad0[3];
	__u32 tgid;
	__u32 tid;
	__s32 fd;
	__u64 conn_id;
	__u64 ts;
};

struct kspan_tls_bind_event {
	__u8 type; /* KSPAN_EV_TLS_BIND */
	__u8 _pad0[3];
	__u32 tgid;
	__u32 tid;
	__s32 fd;
	__u64 conn_id;
	__u64 ssl;
	__u64 ts;
};

struct kspan_proc_exec_event {
	__u8 type; /* KSPAN_EV_PROC_EXEC */
	__u8 _pad0[3];
	__u32 tgid;
	__u64 ts;
	char comm[16];
};

/* Kernel-side state, not sent to user space. */
struct kspan_conn_key {
	__u32 tgid;
	__s32 fd;
};

struct kspan_conn_info {
	__u64 conn_id;
	__u64 file;  /* struct file * the fd pointed to: detects fd reuse */
	__u64 sk;    /* struct sock *, 0 for a non-TCP fd */
	__u8 proto;  /* enum kspan_proto */
	__u8 tries;  /* chunks seen while proto was unknown */
	__u8 role;
	__u8 _pad0[5];
};

struct kspan_syscall_args {
	__u64 buf;    /* user buffer, iovec array, or msghdr */
	__u64 enter_ts;
	__s32 fd;
	__u32 iovcnt; /* iovec count (readv/writev) */
	__u8 syscall; /* enum kspan_syscall */
	__u8 _pad0[7];
};

enum kspan_tls_op {
	KSPAN_TLS_READ = 1,
	KSPAN_TLS_WRITE = 2,
};

/* An SSL_read/SSL_write call in flight on a thread. */
struct kspan_tls_call {
	__u64 ssl;
	__u64 buf;
	__u64 len_ptr; /* size_t * of the _ex variants, else 0 */
	__u64 enter_ts;
	__u8 op;       /* enum kspan_tls_op */
	__u8 _pad0[7];
};

struct kspan_ssl_key {
	__u64 ssl; /* pointers are per address space: the tgid disambiguates */
	__u32 tgid;
	__u32 _pad0;
};

#endif /* KSPAN_SOCKETS_H */
