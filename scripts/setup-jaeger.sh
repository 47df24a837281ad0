#!/usr/bin/env bash
# Build (or reuse) a pinned Jaeger v2 all-in-one binary for kspan's end-to-end tests.
#
# Usage: scripts/setup-jaeger.sh
#
# Progress goes to stderr; the LAST line on stdout is the absolute path of a
# working `jaeger` binary, so callers can do:
#     JAEGER_BIN="$(scripts/setup-jaeger.sh | tail -n1)"
#
# Where things go (nothing is written inside the repository):
#   binary    ${KSPAN_CACHE_DIR:-$HOME/.cache/kspan}/jaeger-<version>/jaeger   (~82 MB)
#   Go caches <same dir>/go/{mod,build}: a private GOMODCACHE and GOCACHE, so
#             the ~1.3 GB of downloaded modules and ~1.6 GB of build cache do
#             not pile up in the user's own Go caches. They are deleted after a
#             successful build (set KSPAN_JAEGER_KEEP_GO_CACHE=1 to keep them)
#             and kept after a failed one, so a re-run resumes the downloads.
#
# Why not `go install github.com/jaegertracing/jaeger/cmd/jaeger@...`?
# Jaeger's go.mod carries a `replace` directive (github.com/Shopify/sarama), and
# `go install pkg@version` refuses modules whose go.mod has replace directives.
# So we fetch the module source via the module proxy (`go mod download`), copy
# it to a writable directory, and `go build` it there as the main module, which
# makes the replace directive apply exactly as in Jaeger's own release builds.
#
# Versioning: Jaeger tags each release twice (v1.x for the v1 binaries and v2.x
# for the v2 binary). The Go module path has no /v2 suffix, so only the v1.x
# tags are usable as Go module versions; module v1.76.0 is the same commit as
# Jaeger v2.13.0, and cmd/jaeger in it is the v2 (OpenTelemetry-collector
# based) binary. We stamp "v2.13.0" into `jaeger version` via -ldflags, the way
# Jaeger's Makefile does.
#
# Environment:
#   KSPAN_CACHE_DIR        cache root (default: $HOME/.cache/kspan)
#   KSPAN_JAEGER_REBUILD=1 ignore an existing cached binary and rebuild it
#   KSPAN_JAEGER_KEEP_GO_CACHE=1  keep the private Go module/build caches after building
#   GO                     go command to use (default: `go` on PATH, then /usr/local/go/bin/go)
set -Eeuo pipefail

# ---- pinned version --------------------------------------------------------
readonly JAEGER_MODULE=github.com/jaegertracing/jaeger
readonly JAEGER_MODULE_VERSION=v1.76.0 # Go module version (the release's v1.x tag)
readonly JAEGER_VERSION=v2.13.0        # the same release's Jaeger v2 version
readonly JAEGER_PACKAGE=./cmd/jaeger

log() { printf '[setup-jaeger] %s\n' "$*" >&2; }
die() {
  printf '[setup-jaeger] ERROR: %s\n' "$*" >&2
  exit 1
}

on_error() {
  local rc=$? line=$1
  printf '[setup-jaeger] ERROR: command failed (exit %s) at line %s: %s\n' \
    "$rc" "$line" "$BASH_COMMAND" >&2
  exit "$rc"
}
trap 'on_error $LINENO' ERR

# A working binary answers `jaeger version` with exit status 0.
binary_works() {
  [[ -x "$1" ]] && "$1" version >/dev/null 2>&1
}

version_ge() { # version_ge A B: A >= B (dotted numbers)
  [[ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" == "$2" ]]
}

work_tmp=""
cleanup() {
  [[ -n "$work_tmp" ]] || return 0
  chmod -R u+w "$work_tmp" 2>/dev/null || true
  rm -rf "$work_tmp"
}

# The whole body is a function, so bash has parsed all of it before running:
# editing this file while a (long) build runs cannot derail that run.
main() {
  if [[ -z "${HOME:-}" && -z "${KSPAN_CACHE_DIR:-}" ]]; then
    die "neither KSPAN_CACHE_DIR nor HOME is set; cannot choose a cache directory"
  fi
  cache_root="${KSPAN_CACHE_DIR:-$HOME/.cache/kspan}"
  out_dir="${cache_root%/}/jaeger-${JAEGER_VERSION}"
  bin="${out_dir}/jaeger"

  # Warn (but do not refuse) if the cache sits inside this repository.
  repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
  mkdir -p "$out_dir" || die "cannot create cache directory $out_dir"
  out_dir="$(cd "$out_dir" && pwd -P)"
  bin="${out_dir}/jaeger"
  case "$out_dir/" in
    "$repo_root"/*) log "WARNING: cache directory $out_dir is inside the repository $repo_root" ;;
  esac

  if [[ "${KSPAN_JAEGER_REBUILD:-0}" != 1 ]] && binary_works "$bin"; then
    log "reusing cached Jaeger ${JAEGER_VERSION}: $bin"
    printf '%s\n' "$bin"
    exit 0
  fi

  # ---- locate Go -------------------------------------------------------------
  go_cmd="${GO:-}"
  if [[ -n "$go_cmd" ]]; then
    command -v "$go_cmd" >/dev/null 2>&1 || die "GO=$go_cmd is not an executable go command"
  else
    if command -v go >/dev/null 2>&1; then
      go_cmd="$(command -v go)"
    elif [[ -x /usr/local/go/bin/go ]]; then
      go_cmd=/usr/local/go/bin/go
    else
      die "the Go toolchain ('go') was not found on PATH or at /usr/local/go/bin/go; install Go >= 1.24 to build Jaeger"
    fi
  fi
  "$go_cmd" version >/dev/null 2>&1 || die "'$go_cmd version' failed; is the Go installation broken?"

  # Serialise concurrent runs (e.g. two test processes) on the same cache dir.
  lock_file="${out_dir}/.build.lock"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$lock_file"
    if ! flock -n 9; then
      log "another setup-jaeger run holds $lock_file; waiting for it (up to 30 min)..."
      flock -w 1800 9 || die "timed out waiting for $lock_file"
    fi
    # The other run may have finished the build while we waited.
    if [[ "${KSPAN_JAEGER_REBUILD:-0}" != 1 ]] && binary_works "$bin"; then
      log "reusing cached Jaeger ${JAEGER_VERSION}: $bin"
      printf '%s\n' "$bin"
      exit 0
    fi
    # We hold the lock, so any work dir left here is from a run that was killed.
    for stale in "$out_dir"/.work.*; do
      [[ -e "$stale" ]] || continue
      log "removing stale work directory $stale"
      chmod -R u+w "$stale" 2>/dev/null || true
      rm -rf "$stale"
    done
  fi

  log "building Jaeger ${JAEGER_VERSION} (module ${JAEGER_MODULE}@${JAEGER_MODULE_VERSION}) with $("$go_cmd" version)"
  log "this downloads ~300 Go modules and compiles for several minutes on a small machine"

  # Run Go commands from an empty temp dir so that no surrounding go.mod/go.work
  # can interfere, and with our own flags rather than whatever GOFLAGS says.
  work_tmp="$(mktemp -d "${out_dir}/.work.XXXXXX")"
  trap cleanup EXIT
  export GO111MODULE=on GOWORK=off GOFLAGS=
  go_cache_dir="${out_dir}/go"
  export GOMODCACHE="${go_cache_dir}/mod" GOCACHE="${go_cache_dir}/build"
  mkdir -p "$GOMODCACHE" "$GOCACHE"

  # ---- fetch the module source via the module proxy ----------------------------
  dl_json="$(cd "$work_tmp" && "$go_cmd" mod download -json "${JAEGER_MODULE}@${JAEGER_MODULE_VERSION}")" ||
    die "go mod download ${JAEGER_MODULE}@${JAEGER_MODULE_VERSION} failed (is the Go module proxy reachable? GOPROXY=$("$go_cmd" env GOPROXY))"
  mod_dir="$(printf '%s\n' "$dl_json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' | head -n1)"
  [[ -n "$mod_dir" && -f "$mod_dir/go.mod" ]] ||
    die "could not find the downloaded module directory in 'go mod download -json' output: $dl_json"
  log "module source: $mod_dir"

  # ---- pick a toolchain able to build it ---------------------------------------
  # The go directive is the minimum Go version. If the local Go is older, let the
  # go command fetch a suitable toolchain (also served by the module proxy).
  required_go="$(sed -n 's/^go \([0-9][0-9.]*\)[[:space:]]*$/\1/p' "$mod_dir/go.mod" | head -n1)"
  local_go="$("$go_cmd" env GOVERSION)"
  local_go="${local_go#go}"
  local_go="${local_go%%[!0-9.]*}"
  if [[ -n "$required_go" ]] && ! version_ge "$local_go" "$required_go"; then
    log "local Go $local_go is older than the go $required_go required by Jaeger; using GOTOOLCHAIN=go${required_go}+auto"
    export GOTOOLCHAIN="go${required_go}+auto"
  else
    export GOTOOLCHAIN=local
  fi

  # ---- build in a writable copy -------------------------------------------------
  src_dir="${work_tmp}/src"
  cp -R "$mod_dir" "$src_dir"
  chmod -R u+w "$src_dir" # the module cache is read-only

  build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  ldflags="-s -w"
  ldflags+=" -X github.com/jaegertracing/jaeger/internal/version.latestVersion=${JAEGER_VERSION}"
  ldflags+=" -X github.com/jaegertracing/jaeger/internal/version.commitSHA=module-${JAEGER_MODULE_VERSION}"
  ldflags+=" -X github.com/jaegertracing/jaeger/internal/version.date=${build_date}"

  tmp_bin="${work_tmp}/jaeger"
  start_s=$SECONDS
  log "go build -mod=mod -trimpath ${JAEGER_PACKAGE} (CGO_ENABLED=0) ..."
  if ! (cd "$src_dir" && CGO_ENABLED=0 "$go_cmd" build -mod=mod -trimpath -buildvcs=false \
    -ldflags "$ldflags" -o "$tmp_bin" "$JAEGER_PACKAGE" >&2); then
    die "go build of ${JAEGER_PACKAGE} failed (see the compiler output above)"
  fi
  log "build finished in $((SECONDS - start_s))s"

  "$tmp_bin" version >&2 || die "the freshly built binary does not run: '$tmp_bin version' failed"
  printf '\n' >&2 # `jaeger version` prints its JSON without a trailing newline
  mv -f "$tmp_bin" "$bin" # same filesystem: atomic replace
  binary_works "$bin" || die "installed binary $bin does not run"
  log "installed $bin ($(du -h "$bin" | cut -f1))"

  if [[ "${KSPAN_JAEGER_KEEP_GO_CACHE:-0}" == 1 ]]; then
    log "keeping the Go caches in $go_cache_dir ($(du -sh "$go_cache_dir" | cut -f1))"
  else
    log "removing the build-only Go caches in $go_cache_dir ($(du -sh "$go_cache_dir" | cut -f1))"
    chmod -R u+w "$go_cache_dir" # module cache files are read-only
    rm -rf "$go_cache_dir"
  fi
  printf '%s\n' "$bin"
}

main "$@"
