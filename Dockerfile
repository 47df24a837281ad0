# kspan: multi-stage build. Stage 1 builds the BPF objects, the native addon
# and the TypeScript; stage 2 is a slim runtime with only the system libbpf.
# Run (needs the host's kernel view):
#   docker run --rm --privileged --pid=host \
#     -v /sys/kernel/btf:/sys/kernel/btf:ro -v /sys/kernel/tracing:/sys/kernel/tracing \
#     -v /sys/fs/bpf:/sys/fs/bpf -v /proc:/host/proc:ro \
#     -e KSPAN_FILE_PATH=/var/log/kspan/spans.jsonl kspan run
# (--pid=host: kspan reads /proc/<pid> of the processes it traces.)

FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      clang llvm libbpf-dev libelf-dev zlib1g-dev pkg-config make g++ python3 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY bpf ./bpf
COPY native ./native
COPY src ./src
COPY test ./test
COPY bench ./bench
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libbpf1 libelf1 zlib1g ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/kspan
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY --from=build /src/bpf/*.bpf.o ./bpf/
COPY --from=build /src/native/build/Release/kspan_bpf.node ./native/build/Release/
COPY otel-config ./otel-config
ENTRYPOINT ["node", "/opt/kspan/dist/src/cli.js"]
CMD ["run"]
