/* Module entry, per-environment state and shared argument helpers. */
#include "kspan.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libbpf's messages during open/load are captured so a failed load can say
 * why (verifier log included) instead of printing to kspan's stderr. */
static char log_buf[16384];
static size_t log_len;
static bool log_capturing;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	if (!log_capturing)
		return 0;
	if (log_len < sizeof(log_buf) - 1) {
		int n = vsnprintf(log_buf + log_len, sizeof(log_buf) - log_len, fmt, args);
		if (n > 0)
			log_len += (size_t)n < sizeof(log_buf) - log_len ? (size_t)n : sizeof(log_buf) - log_len - 1;
	}
	return 0;
}

void kspan_log_capture_begin(void)
{
	log_len = 0;
	log_buf[0] = '\0';
	log_capturing = true;
}

const char *kspan_log_capture_end(void)
{
	log_capturing = false;
	/* Keep the tail: the verifier's verdict is at the end. */
	if (log_len > 4000)
		return log_buf + log_len - 4000;
	return log_buf;
}

napi_value kspan_throw_errno(napi_env env, const char *what, int err)
{
	char msg[4600];
	const char *log = kspan_log_capture_end();

	if (err < 0)
		err = -err;
	snprintf(msg, sizeof(msg), "%s: %s (errno %d)%s%s", what, strerror(err), err,
		 log[0] ? "\n" : "", log);
	napi_value error, code, message;
	napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
	napi_create_error(env, NULL, message, &error);
	napi_create_int32(env, err, &code);
	napi_set_named_property(env, error, "errno", code);
	napi_throw(env, error);
	return NULL;
}

int kspan_arg_string(napi_env env, napi_value v, char *buf, size_t len)
{
	size_t n;

	if (napi_get_value_string_utf8(env, v, buf, len, &n) != napi_ok) {
		napi_throw_type_error(env, NULL, "expected a string");
		return -1;
	}
	return 0;
}

struct kspan_object *kspan_arg_object(napi_env env, napi_value v)
{
	struct kspan_object *o = NULL;

	if (napi_get_value_external(env, v, (void **)&o) != napi_ok || !o) {
		napi_throw_type_error(env, NULL, "expected a BPF object handle");
		return NULL;
	}
	if (o->closed) {
		napi_throw_error(env, NULL, "BPF object already closed");
		return NULL;
	}
	return o;
}

struct kspan_env *kspan_env_get(napi_env env)
{
	struct kspan_env *ke = NULL;

	napi_get_instance_data(env, (void **)&ke);
	return ke;
}

/* Environment teardown: close whatever JS left open (threads joined first). */
static void env_cleanup(napi_env env, void *data, void *hint)
{
	struct kspan_env *ke = data;
	struct kspan_object *o = ke->objects;

	while (o) {
		struct kspan_object *next = o->next;
		kspan_object_close(o);
		o = next;
	}
	ke->objects = NULL;
	free(ke);
}

static napi_value init(napi_env env, napi_value exports)
{
	struct kspan_env *ke = calloc(1, sizeof(*ke));

	if (!ke) {
		napi_throw_error(env, NULL, "out of memory");
		return NULL;
	}
	NAPI_CALL(env, napi_set_instance_data(env, ke, env_cleanup, NULL));
	libbpf_set_print(libbpf_print);
	kspan_object_register(env, exports);
	kspan_ringbuf_register(env, exports);
	kspan_features_register(env, exports);
	return exports;
}

NAPI_MODULE_INIT()
{
	return init(env, exports);
}
