#!/usr/bin/env bash
# Checks scripts/new-service without compiling anything (ctest scaffold_new_service_test, part
# of ./dev test, well under 20 s): in a throwaway copy of the sources it
#  1. refuses a bad stem and an existing service;
#  2. creates a service whose stem has no services.tsv row (the row is added with the next free
#     ports), with every file in place and no placeholder left, its proto passing buf lint, and
#     the whole project still configuring with CMake (integration_add_service, the e2e list);
#  3. recreates training's Kubernetes folder: the files that every service shares (Service,
#     ServiceAccount, PodDisruptionBudget, HPA, TLS certificate, PostgreSQL role) come out
#     byte-identical to the committed ones, so the templates cannot drift from the services;
#  4. with kubectl, renders every overlay with the new service in it.
#   tests/scaffold/new_service_test.sh [<source dir>]   (default: this checkout)
set -euo pipefail
src="$(cd "${1:-$(dirname "${BASH_SOURCE[0]}")/../..}" && pwd)"

fail() {
  printf 'new_service_test: FAIL: %s\n' "$*" >&2
  exit 1
}
ok() { printf 'new_service_test: ok: %s\n' "$*"; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# A copy of the sources without build trees, runtime state and npm modules.
copy() {
  mkdir -p "$1"
  tar -C "$src" --exclude=./build --exclude=./.run --exclude=./.git \
    --exclude=./tools/node/node_modules -cf - . | tar -C "$1" -xf -
}

# --- 1. refusals -------------------------------------------------------------------------------
tree="$work/tree"
copy "$tree"
for bad in Placement 9lives early-measures early__measures _x "" auth; do
  if "$tree/scripts/new-service" --root "$tree" "$bad" >/dev/null 2>&1; then
    fail "accepted the bad stem '$bad'"
  fi
done
if "$tree/scripts/new-service" --root "$tree" grants >/dev/null 2>"$work/err"; then
  fail "accepted grants, which exists"
fi
grep -q "already exists" "$work/err" || fail "refusal of grants does not say why: $(cat "$work/err")"
"$tree/scripts/new-service" --help | grep -q "services.tsv" || fail "--help does not explain services.tsv"
ok "bad stems and an existing service refused"

# --- 2. a new service --------------------------------------------------------------------------
stem=scaffold_probe
if grep -q "^$stem	" "$tree/services.tsv"; then fail "services.tsv already has $stem"; fi
next_grpc="$(awk -F'\t' '$0 !~ /^#/ && NF >= 5 && $3 > m { m = $3 } END { print m + 1 }' "$tree/services.tsv")"
next_admin="$(awk -F'\t' '$0 !~ /^#/ && NF >= 5 && $4 > m { m = $4 } END { print m + 1 }' "$tree/services.tsv")"
"$tree/scripts/new-service" --dry-run "$stem" --root "$tree" 2>"$work/dry"
[ ! -e "$tree/services/$stem" ] || fail "--dry-run wrote services/$stem"
grep -q "services/$stem/src/${stem}_spec.cc" "$work/dry" || fail "--dry-run does not list the spec"
"$tree/scripts/new-service" --root "$tree" "$stem" 2>"$work/out" || fail "new-service $stem: $(cat "$work/out")"
grep -q "^$stem	scaffold-probe-server	$next_grpc	$next_admin	$stem\$" "$tree/services.tsv" ||
  fail "services.tsv has no row '$stem scaffold-probe-server $next_grpc $next_admin $stem'"
for f in \
  proto/lansstyrelsen/integration/$stem/v1/${stem}_service.proto \
  services/$stem/CMakeLists.txt services/$stem/README.md services/$stem/src/main.cc \
  services/$stem/src/${stem}_spec.h services/$stem/src/${stem}_spec.cc \
  services/$stem/src/${stem}_service.h services/$stem/sql/migrations/0001_init.sql \
  services/$stem/sql/queries/.gitkeep services/$stem/test/${stem}_test_env.h \
  services/$stem/test/${stem}_test_env.cc services/$stem/test/${stem}_spec_service_test.cc \
  tests/e2e/services/$stem.cc k8s/base/services/$stem/kustomization.yaml \
  k8s/base/services/$stem/deployment.yaml k8s/base/services/$stem/config.env; do
  [ -f "$tree/$f" ] || fail "$f was not created"
done
if grep -rl '@[A-Za-z_]*@' "$tree/services/$stem" "$tree/proto/lansstyrelsen/integration/$stem" \
  "$tree/k8s/base/services/$stem" "$tree/tests/e2e/services/$stem.cc"; then
  fail "placeholders left in the files above"
fi
grep -q '^service ScaffoldProbeService {}$' "$tree/proto/lansstyrelsen/integration/$stem/v1/${stem}_service.proto" ||
  fail "the proto does not declare an empty ScaffoldProbeService"
grep -q 'spec.default_grpc_port = '"$next_grpc"';' "$tree/services/$stem/src/${stem}_spec.cc" ||
  fail "the spec does not carry the gRPC port $next_grpc"
grep -q "^  - services/$stem\$" "$tree/k8s/base/kustomization.yaml" || fail "k8s base does not list the component"
grep -q "$stem=dns:///scaffold-probe-pods:50051" "$tree/k8s/base/services/gateway/config.env" ||
  fail "GATEWAY_BACKENDS does not name the service"
grep -q "^| $stem | $next_grpc | $next_admin |\$" "$tree/README.md" || fail "README.md has no port row for $stem"
grep -q "create secret generic scaffold-probe-db-credentials" "$tree/k8s/README.md" ||
  fail "k8s/README.md does not create the Secret scaffold-probe-db-credentials"
ok "files of $stem created, row $next_grpc/$next_admin added, shared files updated"

buf="$src/tools/node/node_modules/.bin/buf"
googleapis=/usr/share/gocode/src/github.com/gogo/googleapis
if [ -x "$buf" ] && command -v protoc >/dev/null 2>&1 && [ -d "$googleapis" ]; then
  (cd "$tree/proto" && protoc -I . -I "$googleapis" -I /usr/include --include_imports \
    --include_source_info -o "$work/image.binpb" "lansstyrelsen/integration/$stem/v1/${stem}_service.proto")
  (cd "$tree" && "$buf" lint "$work/image.binpb" --config buf.yaml --path "lansstyrelsen/integration/$stem") ||
    fail "buf lint of the new proto (above)"
  ok "buf lint of the new proto"
else
  ok "buf lint skipped (buf, protoc or googleapis missing; ./dev test lints every proto)"
fi

if command -v cmake >/dev/null 2>&1; then
  cmake -S "$tree" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Debug >"$work/cmake.log" 2>&1 ||
    { tail -n 30 "$work/cmake.log" >&2; fail "the project with $stem does not configure"; }
  cmake --build "$work/build" --target help >"$work/targets" 2>&1 || fail "cmake --target help"
  for target in scaffold-probe-server scaffold_probe_server scaffold_probe_service_tests e2e_suite; do
    grep -q "^$target: " "$work/targets" || fail "configured, but the target $target is missing"
  done
  grep -q "ScaffoldProbeSuiteService();" "$work/build/tests/e2e/suite_services.cc" ||
    fail "the generated e2e list does not start $stem"
  ok "the project configures with $stem (targets and e2e entry present)"
fi

# --- 3. the shared Kubernetes files of an existing service -------------------------------------
again="$work/again"
copy "$again"
rm -rf "$again/k8s/base/services/training" "$again/services/training" \
  "$again/proto/lansstyrelsen/integration/training" "$again/tests/e2e/services/training.cc"
"$again/scripts/new-service" --root "$again" training 2>/dev/null || fail "new-service training in a copy without it"
for f in service.yaml serviceaccount.yaml pdb.yaml hpa.yaml postgres-role.yaml tls-certificate.yaml; do
  diff -u "$src/k8s/base/services/training/$f" "$again/k8s/base/services/training/$f" >&2 ||
    fail "k8s/base/services/training/$f differs from scripts/templates/service/k8s (above)"
done
ok "the shared Kubernetes files of training are the templates' output"

# --- 4. render -------------------------------------------------------------------------------
if command -v kubectl >/dev/null 2>&1 && kubectl kustomize --help >/dev/null 2>&1; then
  for dir in "$tree"/k8s/overlays/*/; do
    kubectl kustomize "$dir" >"$work/rendered.yaml" 2>"$work/kustomize.err" ||
      { cat "$work/kustomize.err" >&2; fail "overlay $(basename "$dir") does not render with $stem"; }
    grep -q "image: registry.*/scaffold-probe-server:" "$work/rendered.yaml" ||
      fail "overlay $(basename "$dir") has no scaffold-probe-server image"
    # Object names take '-', the app.kubernetes.io/name label keeps the stem (tests/k8s).
    grep -q "^  name: scaffold-probe-pods\$" "$work/rendered.yaml" ||
      fail "overlay $(basename "$dir") has no headless Service scaffold-probe-pods"
    grep -q "app.kubernetes.io/name: $stem\$" "$work/rendered.yaml" ||
      fail "overlay $(basename "$dir") labels no object app.kubernetes.io/name: $stem"
  done
  ok "every overlay renders with $stem"
else
  ok "rendering skipped (no kubectl; scripts/check-k8s.sh needs it anyway)"
fi
