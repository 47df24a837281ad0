/* BPF object lifecycle: open, load-time knobs, autoload, load, attach,
 * map access, close. */
#include "kspan.h"
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN 256

static napi_value js_open(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1], handle;
	char path[4096];
	struct kspan_env *ke = kspan_env_get(env);
	struct kspan_object *o;
	int err;

	NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 1 || kspan_arg_string(env, argv[0], path, sizeof(path)))
		return NULL;
	o = calloc(1, sizeof(*o));
	if (!o)
		return kspan_throw_errno(env, "open", ENOMEM);
	kspan_log_capture_begin();
	o->obj = bpf_object__open_file(path, NULL);
	err = libbpf_get_error(o->obj);
	if (err) {
		free(o);
		return kspan_throw_errno(env, path, err);
	}
	kspan_log_capture_end();
	o->next = ke->objects;
	ke->objects = o;
	NAPI_CALL(env, napi_create_external(env, o, NULL, NULL, &handle));
	return handle;
}

/* [{ name, section, autoload }] */
static napi_value js_programs(napi_env env, napi_callback_info info)
{
	size_t argc = 1, i = 0;
	napi_value argv[1], arr;
	struct bpf_program *prog;
	struct kspan_object *o;

	NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (!(o = kspan_arg_object(env, argv[0])))
		return NULL;
	NAPI_CALL(env, napi_create_array(env, &arr));
	bpf_object__for_each_program(prog, o->obj) {
		napi_value item, name, section, autoload;
		napi_create_object(env, &item);
		napi_create_string_utf8(env, bpf_program__name(prog), NAPI_AUTO_LENGTH, &name);
		napi_create_string_utf8(env, bpf_program__section_name(prog), NAPI_AUTO_LENGTH, &section);
		napi_get_boolean(env, bpf_program__autoload(prog), &autoload);
		napi_set_named_property(env, item, "name", name);
		napi_set_named_property(env, item, "section", section);
		napi_set_named_property(env, item, "autoload", autoload);
		napi_set_element(env, arr, i++, item);
	}
	return arr;
}

static struct bpf_program *find_prog(napi_env env, struct kspan_object *o, napi_value v)
{
	char name[NAME_MAX_LEN];
	struct bpf_program *prog;

	if (kspan_arg_string(env, v, name, sizeof(name)))
		return NULL;
	prog = bpf_object__find_program_by_name(o->obj, name);
	if (!prog)
		napi_throw_error(env, NULL, "no such BPF program");
	return prog;
}

static struct bpf_map *find_map(napi_env env, struct kspan_object *o, napi_value v)
{
	char name[NAME_MAX_LEN];
	struct bpf_map *map;

	if (kspan_arg_string(env, v, name, sizeof(name)))
		return NULL;
	map = bpf_object__find_map_by_name(o->obj, name);
	if (!map)
		napi_throw_error(env, NULL, "no such BPF map");
	return map;
}

static napi_value js_set_autoload(napi_env env, napi_callback_info info)
{
	size_t argc = 3;
	napi_value argv[3];
	struct kspan_object *o;
	struct bpf_program *prog;
	bool on;

	NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (!(o = kspan_arg_object(env, argv[0])) || !(prog = find_prog(env, o, argv[1])))
		return NULL;
	NAPI_CALL(env, napi_get_value_bool(env, argv[2], &on));
	kspan_log_capture_begin();
	if (bpf_program__set_autoload(prog, on))
		return kspan_throw_errno(env, "set_autoload", EBUSY);
	kspan_log_capture_end();
	return NULL;
}

/* Write a `const volatile` global by name, before load. Offsets come from
 * the object's BTF so any .rodata variable works without a skeleton. */
static napi_value js_set_rodata(napi_env env, napi_callback_info info)
{
	size_t argc = 3, vlen, size, i;
	napi_value argv[3];
	char name[NAME_MAX_LEN];
	struct kspan_object *o;
	struct bpf_map *map;
	const struct btf *btf;
	const struct btf_type *sec;
	const struct btf_var_secinfo *vs;
	void *value, *data;
	int sec_id;

	NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (!(o = kspan_arg_object(env, argv[0])) || kspan_arg_string(env, argv[1], name, sizeof(name)))
		return NULL;
	NAPI_CALL(env, napi_get_buffer_info(env, argv[2], &value, &vlen));
	btf = bpf_object__btf(o->obj);
	map = bpf_object__find_map_by_name(o->obj, ".rodata");
	if (!btf || !map) {
		napi_throw_error(env, NULL, "object has no .rodata/BTF");
		return NULL;
	}
	sec_id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (sec_id < 0) {
		napi_throw_error(env, NULL, "no .rodata datasec in BTF");
		return NULL;
	}
	sec = btf__type_by_id(btf, sec_id);
	vs = btf_var_secinfos(sec);
	data = (void *)bpf_map__initial_value(map, &size);
	for (i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(btf, vs->type);
		if (strcmp(btf__name_by_offset(btf, var->name_off), name))
			continue;
		if (vs->size != vlen || vs->offset + vs->size > size) {
			napi_throw_range_error(env, NULL, "rodata value size mismatch");
			return NULL;
		}
		memcpy((char *)data + vs->offset, value, vlen);
		return NULL;
	}
	napi_throw_error(env, NULL, "no such rodata variable");
	return NULL;
}

static napi_value js_set_max_entries(napi_env env, napi_callback_info info)
{
	size_t argc = 3;
	napi_value argv[3];
	struct kspan_object *o;
	struct bpf_map *map;
	uint32_t n;
	int err;

	NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (!(o = kspan_arg_object(env, argv[0])) || !(map = find_map(env, o, argv[1])))
		return NULL;
	NAPI_CALL(env, napi_get_value_uint32(env, argv[2], &n));
	kspan_log_capture_begin();
	if ((err = bpf_map__set_max_entries(map, n)))
		return kspan_throw_errno(env, "set_max_entries", err);
	kspan_log_capture_end();
	return NULL;
}

static napi_value js_load(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1];
	struct kspan_object *o;
	int err;

	NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (!(o = kspan_arg_object(env, argv[0])))
		return NULL;
	kspan_log_capture_begin();
	err = bpf_object__load(o->obj);
	if (err)
		return kspan_throw_errno(env, "bpf_object__load", err);
	kspan_log_capture_end();
	o->loaded = true;
	return NULL;
}

static int add_link(struct kspan_object *o, struct bpf_link *link)
{
	if (o->nlinks == o->links_cap) {
		size_t cap = o->links_cap ? o->links_cap * 2 : 64;
		struct bpf_link **l = realloc(o->links, cap * sizeof(*l));
		if (!l)
			return -ENOMEM;
		o->links = l;
		o->links_cap = cap;
	}
	o->links[o->nlinks++] = link;
	return 0;
}

static napi_value finish_attach(napi_env env, struct kspan_object *o, struct bpf_link *link,
				const char *what)
{
	int err = libbpf_get_error(link);

	if (err)
		return kspan_throw_errno(env, what, err);
	kspan_log_capture_end();
	if (add_link(o, link)) {
		bpf_link__destroy(link);
		return kspan_throw_errno(env, what, ENOMEM);
	}
	return NULL;
}

static napi_value js_attach(napi_env env, napi_callback_info info)
{
	size_t argc = 2;
	napi_value argv[2];
	struct kspan_object *o;
	struct bpf_program *prog;

	NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (!(o = kspan_arg_object(env, argv[0])) || !(prog = find_prog(env, o, argv[1])))
		return NULL;
	kspan_log_capture_begin();
	return finish_attach(env, o, bpf_program__attach(prog), bpf_program__name(prog));
}

/* attachUprobe(handle, prog, binaryPath, funcName, retprobe): every process
 * that maps binaryPath (pid -1); libbpf resolves funcName in its ELF symbols. */
static napi_value js_attach_uprobe(napi_env env, napi_callback_info info)
{
	size_t argc = 5;
	napi_value argv[5];
	char binary[4096], func[256];
	struct kspan_object *o;
	struct bpf_program *prog;
	bool retprobe;
	LIBBPF_OPTS(bpf_uprobe_opts, opts);

	NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (!(o = kspan_arg_object(env, argv[0])) || !(prog = find_prog(env, o, argv[1])) ||
	    kspan_arg_string(env, argv[2], binary, sizeof(binary)) ||
	    kspan_arg_string(env, argv[3], func, sizeof(func)))
		return NULL;
	NAPI_CALL(env, napi_get_value_bool(env, argv[4], &retprobe));
	opts.func_name = func;
	opts.retprobe = retprobe;
	kspan_log_capture_begin();
	return finish_attach(env, o, bpf_program__attach_uprobe_opts(prog, -1, binary, 0, &opts), func);
}

/* reuseMap(handle, map, fromHandle, fromMap): before load, make this object's
 * map the same kernel map as another loaded object's (families share state). */
static napi_value js_reuse_map(napi_env env, napi_callback_info info)
{
	size_t argc = 4;
	napi_value argv[4];
	struct kspan_object *o, *from;
	struct bpf_map *map, *src;
	int err;

	NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (!(o = kspan_arg_object(env, argv[0])) || !(map = find_map(env, o, argv[1])) ||
	    !(from = kspan_arg_object(env, argv[2])) || !(src = find_map(env, from, argv[3])))
		return NULL;
	if (!from->loaded) {
		napi_throw_error(env, NULL, "source object not loaded");
		return NULL;
	}
	kspan_log_capture_begin();
	if ((err = bpf_map__reuse_fd(map, bpf_map__fd(src))))
		return kspan_throw_errno(env, "bpf_map__reuse_fd", err);
	kspan_log_capture_end();
	return NULL;
}

/* mapLookup(handle, map, key) -> Buffer | null. Per-CPU maps return one
 * 8-byte-aligned slot per possible CPU. */
static napi_value js_map_lookup(napi_env env, napi_callback_info info)
{
	size_t argc = 3, klen;
	napi_value argv[3], result;
	struct kspan_object *o;
	struct bpf_map *map;
	void *key, *out;
	size_t vsize;
	int ncpus, err;

	NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (!(o = kspan_arg_object(env, argv[0])) || !(map = find_map(env, o, argv[1])))
		return NULL;
	NAPI_CALL(env, napi_get_buffer_info(env, argv[2], &key, &klen));
	vsize = bpf_map__value_size(map);
	switch (bpf_map__type(map)) {
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		ncpus = libbpf_num_possible_cpus();
		if (ncpus < 1)
			return kspan_throw_errno(env, "num_possible_cpus", ncpus);
		vsize = ((vsize + 7) & ~(size_t)7) * (size_t)ncpus;
		break;
	default:
		break;
	}
	NAPI_CALL(env, napi_create_buffer(env, vsize, &out, &result));
	err = bpf_map_lookup_elem(bpf_map__fd(map), key, out);
	if (err) {
		if (errno == ENOENT)
			return NULL;
		return kspan_throw_errno(env, "map lookup", errno);
	}
	return result;
}

static napi_value js_map_update(napi_env env, napi_callback_info info)
{
	size_t argc = 4, klen, vlen;
	napi_value argv[4];
	struct kspan_object *o;
	struct bpf_map *map;
	void *key, *value;

	NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (!(o = kspan_arg_object(env, argv[0])) || !(map = find_map(env, o, argv[1])))
		return NULL;
	NAPI_CALL(env, napi_get_buffer_info(env, argv[2], &key, &klen));
	NAPI_CALL(env, napi_get_buffer_info(env, argv[3], &value, &vlen));
	if (klen != bpf_map__key_size(map) || vlen != bpf_map__value_size(map)) {
		napi_throw_range_error(env, NULL, "key/value size does not match the map");
		return NULL;
	}
	if (bpf_map_update_elem(bpf_map__fd(map), key, value, BPF_ANY))
		return kspan_throw_errno(env, "map update", errno);
	return NULL;
}

static napi_value js_map_delete(napi_env env, napi_callback_info info)
{
	size_t argc = 3, klen;
	napi_value argv[3], result;
	struct kspan_object *o;
	struct bpf_map *map;
	void *key;

	NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (!(o = kspan_arg_object(env, argv[0])) || !(map = find_map(env, o, argv[1])))
		return NULL;
	NAPI_CALL(env, napi_get_buffer_info(env, argv[2], &key, &klen));
	napi_get_boolean(env, bpf_map_delete_elem(bpf_map__fd(map), key) == 0, &result);
	return result;
}

/* mapNextKey(handle, map, key | null) -> next key Buffer | null (end). */
static napi_value js_map_next_key(napi_env env, napi_callback_info info)
{
	size_t argc = 3, klen = 0;
	napi_value argv[3], result;
	napi_valuetype t;
	struct kspan_object *o;
	struct bpf_map *map;
	void *key = NULL, *out;

	NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (!(o = kspan_arg_object(env, argv[0])) || !(map = find_map(env, o, argv[1])))
		return NULL;
	NAPI_CALL(env, napi_typeof(env, argv[2], &t));
	if (t != napi_null && t != napi_undefined)
		NAPI_CALL(env, napi_get_buffer_info(env, argv[2], &key, &klen));
	NAPI_CALL(env, napi_create_buffer(env, bpf_map__key_size(map), &out, &result));
	if (bpf_map_get_next_key(bpf_map__fd(map), key, out)) {
		if (errno == ENOENT)
			return NULL;
		return kspan_throw_errno(env, "map next key", errno);
	}
	return result;
}

/* [{ name, type, keySize, valueSize, maxEntries, fd }] for memory accounting. */
static napi_value js_maps(napi_env env, napi_callback_info info)
{
	size_t argc = 1, i = 0;
	napi_value argv[1], arr;
	struct kspan_object *o;
	struct bpf_map *map;

	NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (!(o = kspan_arg_object(env, argv[0])))
		return NULL;
	NAPI_CALL(env, napi_create_array(env, &arr));
	bpf_object__for_each_map(map, o->obj) {
		napi_value item, v;
		napi_create_object(env, &item);
		napi_create_string_utf8(env, bpf_map__name(map), NAPI_AUTO_LENGTH, &v);
		napi_set_named_property(env, item, "name", v);
		napi_create_uint32(env, bpf_map__type(map), &v);
		napi_set_named_property(env, item, "type", v);
		napi_create_uint32(env, bpf_map__max_entries(map), &v);
		napi_set_named_property(env, item, "maxEntries", v);
		napi_create_uint32(env, bpf_map__value_size(map), &v);
		napi_set_named_property(env, item, "valueSize", v);
		napi_create_int32(env, o->loaded ? bpf_map__fd(map) : -1, &v);
		napi_set_named_property(env, item, "fd", v);
		napi_set_element(env, arr, i++, item);
	}
	return arr;
}

void kspan_object_close(struct kspan_object *o)
{
	size_t i;

	if (o->closed)
		return;
	/* Consumers first: their threads read maps the object owns. */
	for (i = 0; i < o->nringbufs; i++)
		kspan_ringbuf_stop(o->ringbufs[i]);
	o->nringbufs = 0;
	for (i = 0; i < o->nlinks; i++)
		bpf_link__destroy(o->links[i]);
	free(o->links);
	o->links = NULL;
	o->nlinks = o->links_cap = 0;
	bpf_object__close(o->obj);
	o->obj = NULL;
	o->closed = true;
}

/* detach(handle): removes the probes but keeps maps and ring buffers, so
 * what the kernel already wrote can still be drained before close(). */
static napi_value js_detach(napi_env env, napi_callback_info info)
{
	size_t argc = 1, i;
	napi_value argv[1];
	struct kspan_object *o;

	NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (!(o = kspan_arg_object(env, argv[0])))
		return NULL;
	for (i = 0; i < o->nlinks; i++)
		bpf_link__destroy(o->links[i]);
	o->nlinks = 0;
	return NULL;
}

static napi_value js_close(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1];
	struct kspan_object *o = NULL;

	NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (napi_get_value_external(env, argv[0], (void **)&o) != napi_ok || !o)
		return NULL;
	/* The struct stays on the environment's list (freed at teardown), so a
	 * stale handle is a clean "already closed" error, never a dangling pointer. */
	kspan_object_close(o);
	return NULL;
}

void kspan_object_register(napi_env env, napi_value exports)
{
	napi_property_descriptor props[] = {
		{ "open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL },
		{ "programs", NULL, js_programs, NULL, NULL, NULL, napi_default, NULL },
		{ "maps", NULL, js_maps, NULL, NULL, NULL, napi_default, NULL },
		{ "setAutoload", NULL, js_set_autoload, NULL, NULL, NULL, napi_default, NULL },
		{ "setRodata", NULL, js_set_rodata, NULL, NULL, NULL, napi_default, NULL },
		{ "setMaxEntries", NULL, js_set_max_entries, NULL, NULL, NULL, napi_default, NULL },
		{ "load", NULL, js_load, NULL, NULL, NULL, napi_default, NULL },
		{ "attach", NULL, js_attach, NULL, NULL, NULL, napi_default, NULL },
		{ "attachUprobe", NULL, js_attach_uprobe, NULL, NULL, NULL, napi_default, NULL },
		{ "reuseMap", NULL, js_reuse_map, NULL, NULL, NULL, napi_default, NULL },
		{ "mapLookup", NULL, js_map_lookup, NULL, NULL, NULL, napi_default, NULL },
		{ "mapUpdate", NULL, js_map_update, NULL, NULL, NULL, napi_default, NULL },
		{ "mapDelete", NULL, js_map_delete, NULL, NULL, NULL, napi_default, NULL },
		{ "mapNextKey", NULL, js_map_next_key, NULL, NULL, NULL, napi_default, NULL },
		{ "detach", NULL, js_detach, NULL, NULL, NULL, napi_default, NULL },
		{ "close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL },
	};
	napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}
