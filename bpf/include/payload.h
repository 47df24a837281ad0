/* SPDX-License-Identifier: (GPL-2.0 OR Apache-2.0) */
/* Copying a bounded prefix (and a short tail) of user buffers into a data
 * event. Used by the sockets and tls families. Include after sockets.h. */
#ifndef KSPAN_PAYLOAD_H
#define KSPAN_PAYLOAD_H

/* A data event plus room for masked copies: the verifier must see every
 * copy fit whatever the running offset, and masks are what it tracks best. */
#define COPY_MASK (2 * KSPAN_PAYLOAD_MAX - 1)
struct data_scratch {
	struct kspan_sock_data_event ev;
	__u8 overflow[3 * KSPAN_PAYLOAD_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct data_scratch);
} data_scratch_map SEC(".maps");

static __always_inline struct data_scratch *scratch(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&data_scratch_map, &zero);
}

/* Bytes to copy of a `len`-byte buffer given the load-time cap. */
static __always_inline __u32 copy_want(__u64 len, __u32 cap)
{
	__u32 want = cap > KSPAN_PAYLOAD_MAX ? KSPAN_PAYLOAD_MAX : cap;
	return len < want ? (__u32)len : want;
}

static __always_inline __u32 copy_flat(struct data_scratch *s, __u64 buf, __u32 want)
{
	return bpf_probe_read_user(s->ev.payload, want & COPY_MASK, (void *)buf) ? 0 : want;
}

/* Copy up to `want` bytes from the iovec array into ev->payload; returns bytes copied. */
static __always_inline __u32 copy_iov(struct data_scratch *s, const struct iovec *iov,
				      __u32 iovcnt, __u32 want)
{
	__u64 off = 0;

	for (int i = 0; i < KSPAN_MAX_IOV; i++) {
		struct iovec v = {};
		__u64 n;

		if (i >= iovcnt || off >= want)
			break;
		if (bpf_probe_read_user(&v, sizeof(v), &iov[i]))
			break;
		n = v.iov_len < want - off ? v.iov_len : want - off;
		if (n == 0)
			continue;
		/* Both are <= KSPAN_PAYLOAD_MAX already; the masks make that
		 * provable to the verifier, and scratch overflow covers the rest. */
		if (bpf_probe_read_user(&s->ev.payload[off & COPY_MASK], n & COPY_MASK, v.iov_base))
			break;
		off += n;
	}
	return off;
}

/* Last KSPAN_TAIL_BYTES of the data: lets the parser see a chunked body's
 * terminator even when the middle was not copied. */
static __always_inline void copy_tail(struct data_scratch *s, __u64 buf, bool is_iov,
				      __u32 iovcnt, __u64 total)
{
	__u64 end_base = buf, end_len = total;

	if (total <= KSPAN_TAIL_BYTES)
		return;
	if (is_iov) {
		const struct iovec *iov = (const struct iovec *)buf;
		__u64 seen = 0;

		end_len = 0;
		for (int i = 0; i < KSPAN_MAX_IOV; i++) {
			struct iovec v = {};

			if (i >= iovcnt || seen >= total)
				break;
			if (bpf_probe_read_user(&v, sizeof(v), &iov[i]))
				return;
			if (v.iov_len == 0)
				continue;
			end_base = (__u64)v.iov_base;
			end_len = total - seen < v.iov_len ? total - seen : v.iov_len;
			seen += v.iov_len;
		}
		if (seen < total)
			return; /* data beyond the iovecs we walk */
	}
	if (end_len < KSPAN_TAIL_BYTES)
		return;
	if (!bpf_probe_read_user(s->ev.tail, KSPAN_TAIL_BYTES,
				 (void *)(end_base + end_len - KSPAN_TAIL_BYTES)))
		s->ev.tail_len = KSPAN_TAIL_BYTES;
}

#endif /* KSPAN_PAYLOAD_H */
