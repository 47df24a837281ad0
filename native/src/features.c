/* Kernel feature probes that need the bpf() syscall. File-based checks
 * (tracefs, kprobe PMU, BTF file) are done in TypeScript. */
#include "kspan.h"
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>
#include <unistd.h>

static const struct bpf_insn ret0[] = {
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
	{ .code = BPF_JMP | BPF_EXIT },
};

/* Load and attach a BTF-typed tracing program: the only honest test, since
 * some kernels load tracing programs but refuse to attach them. */
static bool probe_tracing(struct btf *vmlinux, const char *target, __u32 kind,
			  enum bpf_attach_type type)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = type);
	int id, fd, link;

	if (!vmlinux)
		return false;
	id = btf__find_by_name_kind(vmlinux, target, kind);
	if (id < 0)
		return false;
	opts.attach_btf_id = id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", ret0, 2, &opts);
	if (fd < 0)
		return false;
	link = bpf_raw_tracepoint_open(NULL, fd);
	close(fd);
	if (link < 0)
		return false;
	close(link);
	return true;
}

static void set_bool(napi_env env, napi_value obj, const char *key, bool v)
{
	napi_value b;
	napi_get_boolean(env, v, &b);
	napi_set_named_property(env, obj, key, b);
}

static napi_value js_probe(napi_env env, napi_callback_info info)
{
	napi_value out;
	struct btf *vmlinux;

	kspan_log_capture_begin();
	vmlinux = btf__load_vmlinux_btf();
	if (libbpf_get_error(vmlinux))
		vmlinux = NULL;
	NAPI_CALL(env, napi_create_object(env, &out));
	set_bool(env, out, "btf", vmlinux != NULL);
	set_bool(env, out, "tracepointProg", libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_TRACEPOINT, NULL) == 1);
	set_bool(env, out, "rawTracepointProg", libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_RAW_TRACEPOINT, NULL) == 1);
	set_bool(env, out, "kprobeProg", libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_KPROBE, NULL) == 1);
	set_bool(env, out, "ringbuf", libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1);
	set_bool(env, out, "tpBtf", probe_tracing(vmlinux, "btf_trace_sched_switch", BTF_KIND_TYPEDEF, BPF_TRACE_RAW_TP));
	set_bool(env, out, "fentry", probe_tracing(vmlinux, "tcp_v4_connect", BTF_KIND_FUNC, BPF_TRACE_FENTRY));
	btf__free(vmlinux);
	kspan_log_capture_end();
	return out;
}

static napi_value js_num_cpus(napi_env env, napi_callback_info info)
{
	napi_value n;
	napi_create_int32(env, libbpf_num_possible_cpus(), &n);
	return n;
}

void kspan_features_register(napi_env env, napi_value exports)
{
	napi_property_descriptor props[] = {
		{ "probeFeatures", NULL, js_probe, NULL, NULL, NULL, napi_default, NULL },
		{ "numPossibleCpus", NULL, js_num_cpus, NULL, NULL, NULL, napi_default, NULL },
	};
	napi_define_properties(env, exports, 2, props);
}
