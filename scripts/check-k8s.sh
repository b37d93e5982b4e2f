#!/usr/bin/env bash
# Offline checks of the deployment (k8s/, deploy/docker/): every overlay renders with
# `kubectl kustomize`, then the tests in tests/k8s (node's test runner) validate the rendered
# objects against the Kubernetes schemas and the suite's rules, and compare them with the
# binaries' --help and the Dockerfile. No cluster and no Docker engine needed.
#   scripts/check-k8s.sh [--build-dir DIR]   (default: build/dev, else build/release; binaries
#                                             not built there are skipped, by name)
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

say() { printf 'check-k8s: %s\n' "$*" >&2; }
die() {
  printf 'check-k8s: error: %s\n' "$*" >&2
  exit 1
}

build_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir)
      [ $# -ge 2 ] || die "--build-dir needs a directory"
      build_dir=$2
      shift
      ;;
    --build-dir=*) build_dir=${1#--build-dir=} ;;
    -h | --help)
      sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done
if [ -z "$build_dir" ]; then
  for d in build/dev build/release; do
    if [ -d "$repo_root/$d" ]; then
      build_dir="$repo_root/$d"
      break
    fi
  done
fi

# --- kubectl with a kustomize of v4 or later ---------------------------------------------------
# The overlays use kustomize v4/v5 syntax (components, patches with targets). Debian's own
# kubernetes-client (1.20) bundles kustomize v2.0.3, which cannot read them, so it is no
# fallback; kubectl comes with this project's machine image, or from a repository that offers a
# current `kubectl` package (pkgs.k8s.io, Google Cloud CLI).
kustomize_major() {
  kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: v\([0-9]*\).*/\1/p'
}
if ! command -v kubectl >/dev/null 2>&1; then
  if apt-cache policy kubectl 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    say "installing kubectl"
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends kubectl >&2
  fi
fi
command -v kubectl >/dev/null 2>&1 ||
  die "kubectl is not installed and no apt repository offers it; install kubectl >= 1.27 (pkgs.k8s.io) — Debian's kubernetes-client 1.20 cannot render these overlays (its kustomize is v2)"
major="$(kustomize_major)"
if [ -z "$major" ] || [ "$major" -lt 4 ]; then
  die "$(command -v kubectl) has kustomize ${major:+v$major}${major:-(none)}; the overlays need kustomize v4 or later (kubectl >= 1.21, tested with 1.32)"
fi

# --- npm tools (kubernetes-models, ajv, yaml) from tools/node --------------------------------
node_dir="$repo_root/tools/node"
if [ ! -d "$node_dir/node_modules/kubernetes-models" ] ||
  ! cmp -s "$node_dir/package-lock.json" "$node_dir/node_modules/.installed-from-package-lock.json"; then
  "$repo_root/scripts/deps.sh"
fi
command -v node >/dev/null 2>&1 || die "node is missing (scripts/deps.sh installs it)"

# --- render ------------------------------------------------------------------------------------
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
rendered=0
for dir in "$repo_root"/k8s/overlays/*/; do
  overlay="$(basename "$dir")"
  [ -f "$dir/kustomization.yaml" ] || continue
  if ! kubectl kustomize "$dir" >"$out/$overlay.yaml" 2>"$out/$overlay.err"; then
    cat "$out/$overlay.err" >&2
    die "overlay $overlay does not render (above)"
  fi
  say "rendered k8s/overlays/$overlay: $(grep -c '^kind:' "$out/$overlay.yaml") objects"
  rendered=$((rendered + 1))
done
[ "$rendered" -gt 0 ] || die "no overlay in k8s/overlays"

# --- tests -------------------------------------------------------------------------------------
cd "$repo_root"
K8S_RENDERED_DIR="$out" K8S_BUILD_DIR="$build_dir" \
  node --test --test-reporter=spec tests/k8s/*.test.mjs
