#!/usr/bin/env bash
# Installs the Debian and npm packages the suite needs to build, test and run; a no-op when present.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

debian_packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev libprotoc-dev protobuf-compiler libabsl-dev
  nlohmann-json3-dev
  libpqxx-dev libpq-dev libhiredis-dev libssl-dev prometheus-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  golang-github-gogo-googleapis-dev
  postgresql postgresql-contrib redis-server redis-tools
  stunnel4  # the Redis TLS client sidecar (deploy/docker, k8s/README.md "TLS inside the cluster") and its test
  libboost-dev libcairo2-dev poppler-utils
  liblemon-dev  # placement matching: LEMON NetworkSimplex (header-only use)
  openssl curl ca-certificates wrk
  tzdata fonts-dejavu-core python3  # Europe/Stockholm dates; diploma PDFs; demo loaders
  jq uuid-runtime                   # the README walkthroughs (jq, uuidgen)
  clang-14 libclang-rt-14-dev  # tests/fuzz: clang's libFuzzer and sanitizer runtimes
  linux-perf  # profiling the benchmarks (tests/bench/README.md: perf record -g -p <pid>)
  chromium    # the browser tests of the web application (tests/browser, puppeteer-core)
)
# Node.js may come from elsewhere (it bundles npm); take Debian's only when there is none.
if ! command -v npm >/dev/null 2>&1; then debian_packages+=(nodejs npm); fi

missing=()
for p in "${debian_packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "deps: missing packages: ${missing[*]}" >&2
      echo "deps: run as root, or install sudo, or install them yourself" >&2
      exit 1
    fi
    sudo_cmd=(sudo)
  fi
  echo "deps: installing ${missing[*]}" >&2
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# npm packages live in the project (tools/node: build and lint tools; web/: the web
# application, its development OpenID provider and browser tests; tests/e2e/clients: the stock
# grpc-js and EventSource clients of the event feed), never globally. The stamp is
# the lock file they were installed from, so a changed lock file reinstalls them. No package may
# download a browser: puppeteer-core drives Debian's chromium and fetches none, and
# PUPPETEER_SKIP_DOWNLOAD guards against a full puppeteer slipping in.
npm_install() {
  local dir=$1 probe=$2 stamp="$1/node_modules/.installed-from-package-lock.json"
  if [ ! -e "$dir/node_modules/.bin/$probe" ] || ! cmp -s "$dir/package-lock.json" "$stamp"; then
    echo "deps: installing the npm packages of ${dir#"$here"/}" >&2
    (cd "$dir" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --update-notifier=false \
      --loglevel=error >&2)
    cp "$dir/package-lock.json" "$stamp"
  fi
}
npm_install "$here/tools/node" buf
npm_install "$here/web" esbuild
npm_install "$here/tests/e2e/clients" proto-loader-gen-types
