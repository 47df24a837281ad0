{
  "targets": [
    {
      "target_name": "kspan_bpf",
      "sources": ["src/addon.c", "src/object.c", "src/ringbuf.c", "src/features.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-O2",
                 "<!@(pkg-config --cflags libbpf)"],
      "libraries": ["<!@(pkg-config --libs libbpf)", "-lpthread"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
