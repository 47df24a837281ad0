#!/usr/bin/env bash
# Installs what kspan needs on a Debian/Ubuntu host, skipping what is present.
#   scripts/install-deps.sh          build + runtime: clang, llvm, libbpf-dev, bpftool, pkg-config, make, g++
#   scripts/install-deps.sh --test   also what the tests drive: curl, python3, nginx, wrk, iptables, iproute2, go,
#                                    and python grpcio (PyPI)
# Idempotent and quick when everything is there; needs root only to install.
set -euo pipefail

want_test=0
for a in "$@"; do [[ $a == --test ]] && want_test=1; done

log() { printf '[install-deps] %s\n' "$*" >&2; }

declare -A need=() # package -> reason
have() { command -v "$1" >/dev/null 2>&1; }
pkgconf_has() { pkg-config --exists "$1" 2>/dev/null; }

have clang || need[clang]=clang
have llc || need[llvm]=llc
have bpftool || [[ -x /usr/sbin/bpftool ]] || need[bpftool]=bpftool
have pkg-config || need[pkg-config]=pkg-config
have make || need[make]=make
have g++ || need[g++]=g++
pkgconf_has libbpf || need[libbpf-dev]=libbpf
pkgconf_has libelf || need[libelf-dev]=libelf
pkgconf_has zlib || need[zlib1g-dev]=zlib
have node || need[nodejs]=node
have npm || need[npm]=npm
have python3 || need[python3]=python3
if ((want_test)); then
  have curl || need[curl]=curl
  have nginx || [[ -x /usr/sbin/nginx ]] || need[nginx-light]=nginx
  have wrk || need[wrk]=wrk
  have iptables || [[ -x /usr/sbin/iptables ]] || need[iptables]=iptables
  have ip || [[ -x /usr/sbin/ip ]] || need[iproute2]=ip
  # Jaeger is built from the Go module proxy; an old distro Go fetches a newer toolchain itself.
  have go || [[ -x /usr/local/go/bin/go ]] || need[golang-go]=go
fi

# python grpcio for the HTTP/2 tests, from PyPI (after apt, which may bring python3 and pip).
pip_deps() {
  ((want_test)) || return 0
  python3 -c 'import grpc' >/dev/null 2>&1 && return 0
  log "installing python grpcio"
  # PEP 668 distros refuse a plain install into the system python; a test host accepts it.
  python3 -m pip install --quiet grpcio || python3 -m pip install --quiet --break-system-packages grpcio
}
if ((${#need[@]} == 0)); then
  log "all dependencies present"
  pip_deps
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  log "missing: ${!need[*]}; run as root to install them"
  exit 1
fi
log "installing: ${!need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
apt-get install -y -q --no-install-recommends "${!need[@]}" >&2
pip_deps
