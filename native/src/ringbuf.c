/* Ring buffer consumer: one thread per ring polls libbpf and hands records
 * to JS in batches through a thread-safe function, so crossing into JS costs
 * one call per batch, not per record.
 *
 * Records are copied into batches of at most BATCH_BYTES (sealed into a FIFO),
 * and JS holds at most BATCHES_IN_JS of them until it calls ringBufferReady()
 * (from setImmediate, after the event loop has turned). Without these credits
 * Node's thread-safe function keeps dispatching while we keep refilling its
 * queue, and under overload the event loop never reaches timers or I/O (span
 * export stalls); small batches keep each loop turn short. While JS is behind,
 * sealed batches wait here up to HOLD_BYTES; past that we stop reading, the
 * kernel ring fills and the BPF side counts what it could not write (nothing
 * is lost silently). */
#include "kspan.h"
#include <bpf/bpf.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH_BYTES (256 * 1024)     /* a batch is sealed past this (~1k events, a few ms of JS) */
#define HOLD_BYTES (4 * 1024 * 1024) /* sealed batches waiting for JS before we stop reading */
#define BATCHES_IN_JS 2              /* handed to JS and not yet acknowledged */
/* The BPF side submits without waking us (see bpf/include/wakeup.h) unless
 * the ring is filling up, so we drain on this timer. It also bounds how long
 * stop() waits. */
#define DRAIN_INTERVAL_MS 10

struct batch {
	uint8_t *data;
	size_t len, cap;
	uint32_t records;
	struct batch *next;
};

struct kspan_ringbuf {
	struct ring_buffer *rb;
	napi_threadsafe_function tsfn;
	pthread_t thread;
	atomic_bool stop;
	bool running;
	/* Poller thread only: the batch being filled and the sealed FIFO. */
	struct batch cur;
	struct batch *sealed_head, *sealed_tail;
	size_t sealed_bytes;
	pthread_mutex_t lock; /* guards in_js */
	pthread_cond_t ready; /* signalled when JS acknowledges a batch */
	int in_js;
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

/* Moves the batch being filled to the end of the sealed FIFO. */
static void seal(struct kspan_ringbuf *r)
{
	struct batch *b;

	if (!r->cur.len || !(b = malloc(sizeof(*b))))
		return; /* nothing, or no memory: keep filling; retried at the next seal */
	*b = r->cur;
	b->next = NULL;
	memset(&r->cur, 0, sizeof(r->cur));
	if (r->sealed_tail)
		r->sealed_tail->next = b;
	else
		r->sealed_head = b;
	r->sealed_tail = b;
	r->sealed_bytes += b->len;
}

/* Takes a credit; false when JS already holds all of them. */
static bool take_credit(struct kspan_ringbuf *r)
{
	bool ok;

	pthread_mutex_lock(&r->lock);
	ok = r->in_js < BATCHES_IN_JS;
	if (ok)
		r->in_js++;
	pthread_mutex_unlock(&r->lock);
	return ok;
}

static void give_credit(struct kspan_ringbuf *r)
{
	pthread_mutex_lock(&r->lock);
	if (r->in_js > 0)
		r->in_js--;
	pthread_cond_signal(&r->ready);
	pthread_mutex_unlock(&r->lock);
}

static void free_batches(struct batch *b)
{
	while (b) {
		struct batch *next = b->next;
		free(b->data);
		free(b);
		b = next;
	}
}

/* Hands sealed batches to JS, oldest first, while JS has credits. */
static void hand_over(struct kspan_ringbuf *r)
{
	while (r->sealed_head && take_credit(r)) {
		struct batch *b = r->sealed_head;
		r->sealed_head = b->next;
		if (!r->sealed_head)
			r->sealed_tail = NULL;
		r->sealed_bytes -= b->len;
		b->next = NULL;
		if (napi_call_threadsafe_function(r->tsfn, b, napi_tsfn_blocking) != napi_ok) {
			free_batches(b); /* closing */
			give_credit(r);
		}
	}
}

/* JS is behind: wait for a credit (bounded, so stop() is noticed). */
static void wait_for_js(struct kspan_ringbuf *r)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += DRAIN_INTERVAL_MS * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&r->lock);
	if (r->in_js >= BATCHES_IN_JS && !atomic_load(&r->stop))
		pthread_cond_timedwait(&r->ready, &r->lock, &until);
	pthread_mutex_unlock(&r->lock);
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
	if (r->cur.len >= BATCH_BYTES)
		seal(r);
	return 0;
}

static void *poll_thread(void *arg)
{
	struct kspan_ringbuf *r = arg;

	while (!atomic_load(&r->stop)) {
		if (r->sealed_bytes >= HOLD_BYTES) {
			wait_for_js(r);
			hand_over(r);
			continue;
		}
		/* One poll can take all the ring holds (a record refused here would
		 * be lost: libbpf has already consumed it), so the hold is checked
		 * between polls: at most HOLD_BYTES + the ring size wait here. */
		int n = ring_buffer__poll(r->rb, DRAIN_INTERVAL_MS);
		if (n < 0 && n != -EINTR)
			break;
		/* A timeout consumed nothing: take what was submitted without a wakeup. */
		if (ring_buffer__consume(r->rb) < 0)
			break;
		seal(r);
		hand_over(r);
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
		give_credit(context); /* JS never sees this batch, so never acknowledges it */
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
	pthread_mutex_lock(&r->lock);
	pthread_cond_broadcast(&r->ready);
	pthread_mutex_unlock(&r->lock);
	/* Abort wakes a producer blocked on a full queue; then the thread exits
	 * within one poll timeout and can be joined. */
	napi_release_threadsafe_function(r->tsfn, napi_tsfn_abort);
	pthread_join(r->thread, NULL);
	ring_buffer__free(r->rb);
	free(r->cur.data);
	free_batches(r->sealed_head);
	pthread_cond_destroy(&r->ready);
	pthread_mutex_destroy(&r->lock);
	r->running = false;
	free(r);
}

/* startRingBuffer(handle, mapName, callback(batch: Buffer, records: number)) → ring index.
 * JS must call ringBufferReady(handle, index) once per batch it has taken. */
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
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->ready, NULL);
	kspan_log_capture_begin();
	r->rb = ring_buffer__new(bpf_map__fd(map), on_record, r, NULL);
	if (!r->rb) {
		err = errno;
		free(r);
		return kspan_throw_errno(env, "ring_buffer__new", err);
	}
	kspan_log_capture_end();
	napi_create_string_utf8(env, "kspan-ringbuf", NAPI_AUTO_LENGTH, &name);
	if (napi_create_threadsafe_function(env, argv[2], NULL, name, BATCHES_IN_JS + 1, 1, NULL,
					    NULL, r, call_js, &r->tsfn) != napi_ok) {
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
	o->ringbufs[o->nringbufs] = r;
	napi_value index;
	napi_create_uint32(env, (uint32_t)o->nringbufs++, &index);
	return index;
}

/* ringBufferReady(handle, index): JS is done with one batch of that ring. */
static napi_value js_ready(napi_env env, napi_callback_info info)
{
	size_t argc = 2;
	napi_value argv[2];
	struct kspan_object *o;
	uint32_t index;

	NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (!(o = kspan_arg_object(env, argv[0])))
		return NULL;
	NAPI_CALL(env, napi_get_value_uint32(env, argv[1], &index));
	if (index < o->nringbufs) /* after close() there is nothing to wake */
		give_credit(o->ringbufs[index]);
	return NULL;
}

void kspan_ringbuf_register(napi_env env, napi_value exports)
{
	napi_property_descriptor props[] = {
		{ "startRingBuffer", NULL, js_start, NULL, NULL, NULL, napi_default, NULL },
		{ "ringBufferReady", NULL, js_ready, NULL, NULL, NULL, napi_default, NULL },
	};
	napi_define_properties(env, exports, 2, props);
}
