#!/usr/bin/env bash
# Build kube-apiserver and etcd from the Go module proxy into a per-user cache keyed by version,
# and print the directory that holds them (the value for KUBEBUILDER_ASSETS).
#
#   tools/envtest/build.sh            # builds once (minutes), then answers instantly
#   KUBEBUILDER_ASSETS=/dir tools/envtest/build.sh   # reuses binaries you already have
#   tools/envtest/build.sh --check    # never builds: prints the directory, or exits 4
#
# Why build: release binaries cannot be downloaded here; the Go module proxy can be reached.
# kube-apiserver needs a throw-away wrapper module that pins every Kubernetes staging module
# (k8s.io/kubernetes requires them at v0.0.0 behind replace directives). etcd builds as-is.
# Only the binary directory goes to stdout; progress goes to stderr.
set -euo pipefail

K8S_VERSION=${GROVE_K8S_VERSION:-v1.34.4}
ETCD_VERSION=${GROVE_ETCD_VERSION:-v3.6.16}

CHECK_ONLY=0
[ "${1:-}" = --check ] && CHECK_ONLY=1

say() { printf 'envtest: %s\n' "$*" >&2; }
have_binaries() { [ -x "$1/kube-apiserver" ] && [ -x "$1/etcd" ]; }

if [ -n "${KUBEBUILDER_ASSETS:-}" ]; then
  if have_binaries "$KUBEBUILDER_ASSETS"; then
    echo "$KUBEBUILDER_ASSETS"
    exit 0
  fi
  say "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS lacks kube-apiserver or etcd; building our own"
fi

cache_root=${GROVE_ENVTEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/grove-mcp/envtest}
dest="$cache_root/k8s-$K8S_VERSION-etcd-$ETCD_VERSION"
if have_binaries "$dest"; then
  echo "$dest"
  exit 0
fi

if [ "$CHECK_ONLY" = 1 ]; then
  say "no kube-apiserver/etcd built in $dest yet"
  exit 4
fi
command -v go >/dev/null || { say "Go is needed to build the binaries (https://go.dev/dl/)"; exit 3; }
mkdir -p "$cache_root"
work=$(mktemp -d "$cache_root/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
export CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=${GOTOOLCHAIN:-local}

build_etcd() {
  mkdir -p "$work/etcd" && cd "$work/etcd"
  go mod init example.invalid/etcd-build >/dev/null 2>&1
  go get -tool "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >&2
  go build -trimpath -ldflags "-s -w" -o "$work/out/etcd" go.etcd.io/etcd/server/v3
}

build_kube_apiserver() {
  mkdir -p "$work/kas" && cd "$work/kas"
  go mod init example.invalid/kube-apiserver-build >/dev/null 2>&1
  local gomod staging minor go_line
  gomod=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')
  [ -f "$gomod" ] || { say "could not download k8s.io/kubernetes@$K8S_VERSION's go.mod"; return 1; }
  staging="v0.${K8S_VERSION#v1.}"
  for m in $(awk '/=> \.\/staging\//{print $1}' "$gomod"); do
    go mod edit -replace "$m=$m@$staging"
  done
  go_line=$(awk '/^go /{print $2; exit}' "$gomod")
  minor=$(echo "$K8S_VERSION" | cut -d. -f2)
  go mod edit -go="$go_line" -godebug="default=go${go_line%.*}"
  go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@$K8S_VERSION" >&2
  local v=k8s.io/component-base/version
  go build -trimpath -o "$work/out/kube-apiserver" -ldflags "-s -w \
    -X $v.gitVersion=$K8S_VERSION -X $v.gitMajor=1 -X $v.gitMinor=$minor \
    -X $v.gitTreeState=clean -X $v.buildDate=1970-01-01T00:00:00Z" \
    k8s.io/kubernetes/cmd/kube-apiserver
}

mkdir -p "$work/out"
say "building etcd $ETCD_VERSION (once)"
build_etcd
say "building kube-apiserver $K8S_VERSION (once; several minutes on 2 cores)"
build_kube_apiserver
mkdir -p "$dest.tmp.$$"
mv "$work/out/etcd" "$work/out/kube-apiserver" "$dest.tmp.$$/"
rm -rf "$dest" && mv "$dest.tmp.$$" "$dest"
say "built into $dest"
echo "$dest"
