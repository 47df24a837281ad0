/* Ring buffer consumer: one thread per ring polls libbpf and hands records
 * to JS in batches through a thread-safe function, so crossing into JS costs
 * one call per batch, not per record. A full JS queue blocks the thread; the
 * kernel side then counts what it could not write (nothing is lost silently). */
#include "kspan.h"
#include <bpf/bpf.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_FLUSH_BYTES (512 * 1024) /* hand a batch to JS past this size */
#define BATCH_QUEUE_MAX 64             /* batches waiting for JS before we block */
/* The BPF side submits without waking us (see bpf/include/wakeup.h) unless
 * the ring is filling up, so we drain on this timer. It also bounds how long
 * stop() waits. */
#define DRAIN_INTERVAL_MS 10

struct batch {
	uint8_t *data;
	size_t len, cap;
	uint32_t records;
};

struct kspan_ringbuf {
	struct ring_buffer *rb;
	napi_threadsafe_function tsfn;
	pthread_t thread;
	atomic_bool stop;
	bool running;
	struct batch cur;
};

static int batch_reserve(struct batch *b, size_t need)
{
	if (b->len + need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 64 * 1024;
	while (cap < b->len + need)
		cap *= 2;
	uint8_t *d = realloc(b->data, cap);
	if (!d)
		return -ENOMEM;
	b->data = d;
	b->cap = cap;
	return 0;
}

static void flush(struct kspan_ringbuf *r)
{
	struct batch *out;

	if (!r->cur.len)
		return;
	out = malloc(sizeof(*out));
	if (!out)
		return; /* keep accumulating; retried at the next flush */
	*out = r->cur;
	memset(&r->cur, 0, sizeof(r->cur));
	if (napi_call_threadsafe_function(r->tsfn, out, napi_tsfn_blocking) != napi_ok) {
		free(out->data); /* closing */
		free(out);
	}
}

/* Record layout in a batch: u32 size, u32 reserved, bytes, padded to 8. */
static int on_record(void *ctx, void *data, size_t size)
{
	struct kspan_ringbuf *r = ctx;
	size_t padded = (size + 7) & ~(size_t)7;
	uint32_t hdr[2] = { (uint32_t)size, 0 };

	if (batch_reserve(&r->cur, 8 + padded))
		return 0; /* out of memory: drop this record */
	memcpy(r->cur.data + r->cur.len, hdr, 8);
	memcpy(r->cur.data + r->cur.len + 8, data, size);
	r->cur.len += 8 + padded;
	r->cur.records++;
	if (r->cur.len >= BATCH_FLUSH_BYTES)
		flush(r);
	return 0;
}

static void *poll_thread(void *arg)
{
	struct kspan_ringbuf *r = arg;

	while (!atomic_load(&r->stop)) {
		int n = ring_buffer__poll(r->rb, DRAIN_INTERVAL_MS);
		if (n < 0 && n != -EINTR)
			break;
		/* A timeout consumed nothing: take what was submitted without a wakeup. */
		if (ring_buffer__consume(r->rb) < 0)
			break;
		flush(r);
	}
	return NULL;
}

static void free_batch(napi_env env, void *data, void *hint)
{
	free(data);
}

/* Runs on the JS thread: wrap the batch as a Buffer (no copy) and call back. */
static void call_js(napi_env env, napi_value cb, void *context, void *data)
{
	struct batch *b = data;
	napi_value buf, count, argv[2];

	if (!env) {
		free(b->data);
		free(b);
		return;
	}
	if (napi_create_external_buffer(env, b->len, b->data, free_batch, NULL, &buf) != napi_ok) {
		free(b->data);
		free(b);
		return;
	}
	napi_create_uint32(env, b->records, &count);
	free(b);
	argv[0] = buf;
	argv[1] = count;
	napi_value recv;
	napi_get_undefined(env, &recv);
	napi_call_function(env, recv, cb, 2, argv, NULL);
}

void kspan_ringbuf_stop(struct kspan_ringbuf *r)
{
	if (!r || !r->running)
		return;
	atomic_store(&r->stop, true);
	/* Abort wakes a producer blocked on a full queue; then the thread exits
	 * within one poll timeout and can be joined. */
	napi_release_threadsafe_function(r->tsfn, napi_tsfn_abort);
	pthread_join(r->thread, NULL);
	ring_buffer__free(r->rb);
	free(r->cur.data);
	r->running = false;
	free(r);
}

/* startRingBuffer(handle, mapName, callback(batch: Buffer, records: number)) */
static napi_value js_start(napi_env env, napi_callback_info info)
{
	size_t argc = 3;
	napi_value argv[3], name;
	char map_name[256];
	struct kspan_object *o;
	struct bpf_map *map;
	struct kspan_ringbuf *r;
	int err;

	NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (!(o = kspan_arg_object(env, argv[0])) || kspan_arg_string(env, argv[1], map_name, sizeof(map_name)))
		return NULL;
	if (!o->loaded || o->nringbufs >= sizeof(o->ringbufs) / sizeof(o->ringbufs[0])) {
		napi_throw_error(env, NULL, "object not loaded, or too many ring buffers");
		return NULL;
	}
	map = bpf_object__find_map_by_name(o->obj, map_name);
	if (!map) {
		napi_throw_error(env, NULL, "no such ring buffer map");
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return kspan_throw_errno(env, "ringbuf", ENOMEM);
	kspan_log_capture_begin();
	r->rb = ring_buffer__new(bpf_map__fd(map), on_record, r, NULL);
	if (!r->rb) {
		err = errno;
		free(r);
		return kspan_throw_errno(env, "ring_buffer__new", err);
	}
	kspan_log_capture_end();
	napi_create_string_utf8(env, "kspan-ringbuf", NAPI_AUTO_LENGTH, &name);
	if (napi_create_threadsafe_function(env, argv[2], NULL, name, BATCH_QUEUE_MAX, 1, NULL,
					    NULL, NULL, call_js, &r->tsfn) != napi_ok) {
		ring_buffer__free(r->rb);
		free(r);
		napi_throw_error(env, NULL, "cannot create thread-safe function");
		return NULL;
	}
	/* The consumer must not keep the event loop alive on its own. */
	napi_unref_threadsafe_function(env, r->tsfn);
	if ((err = pthread_create(&r->thread, NULL, poll_thread, r))) {
		napi_release_threadsafe_function(r->tsfn, napi_tsfn_abort);
		ring_buffer__free(r->rb);
		free(r);
		return kspan_throw_errno(env, "pthread_create", err);
	}
	r->running = true;
	o->ringbufs[o->nringbufs++] = r;
	return NULL;
}

void kspan_ringbuf_register(napi_env env, napi_value exports)
{
	napi_property_descriptor props[] = {
		{ "startRingBuffer", NULL, js_start, NULL, NULL, NULL, napi_default, NULL },
	};
	napi_define_properties(env, exports, 1, props);
}
