#!/usr/bin/env bash
# One command from a fresh Debian/Ubuntu host to a running kspan:
# install build deps, npm ci, build BPF objects + addon + TypeScript, then run
# with the embedded default (console + /var/log/kspan/spans.jsonl + Prometheus
# on 127.0.0.1:9464) or with the config given: scripts/kspan-up.sh --config FILE
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
[[ -d node_modules ]] || npm ci --no-audit --no-fund
npm run build >&2
exec node dist/src/cli.js run "$@"
