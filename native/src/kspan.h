/* Shared declarations of the kspan Node-API addon: a thin layer over the
 * system libbpf. Loading, attaching, ring buffers and map access live here;
 * every decision (what to load, how to decode) is made in TypeScript. */
#ifndef KSPAN_ADDON_H
#define KSPAN_ADDON_H

#include <node_api.h>
#include <bpf/libbpf.h>
#include <stdbool.h>
#include <stddef.h>

struct kspan_ringbuf;

/* One opened BPF object and everything hanging off it. */
struct kspan_object {
	struct bpf_object *obj;
	struct bpf_link **links; /* grows: uprobes add one link per traced file */
	size_t nlinks, links_cap;
	struct kspan_ringbuf *ringbufs[8];
	size_t nringbufs;
	bool loaded;
	bool closed;
	struct kspan_object *next; /* in the environment's list */
};

/* Per-environment state (worker threads each get their own). */
struct kspan_env {
	struct kspan_object *objects;
};

#define NAPI_CALL(env, call)                                                   \
	do {                                                                   \
		if ((call) != napi_ok) {                                       \
			napi_throw_error((env), NULL, "N-API call failed: " #call); \
			return NULL;                                           \
		}                                                              \
	} while (0)

/* addon.c */
struct kspan_env *kspan_env_get(napi_env env);
napi_value kspan_throw_errno(napi_env env, const char *what, int err);
int kspan_arg_string(napi_env env, napi_value v, char *buf, size_t len);
struct kspan_object *kspan_arg_object(napi_env env, napi_value v);
void kspan_log_capture_begin(void);
const char *kspan_log_capture_end(void);

/* object.c */
void kspan_object_register(napi_env env, napi_value exports);
void kspan_object_close(struct kspan_object *o);

/* ringbuf.c */
void kspan_ringbuf_register(napi_env env, napi_value exports);
void kspan_ringbuf_stop(struct kspan_ringbuf *rb);

/* features.c */
void kspan_features_register(napi_env env, napi_value exports);

#endif
