#!/usr/bin/env bash
# Collects what the runtime image of one binary needs, from a finished build:
#   OUT/bin/BINARY              the binary, stripped (its debug info linked by .gnu_debuglink)
#   OUT/lib/*.so*               the project's own shared libraries it loads (proto libraries),
#                               stripped likewise
#   OUT/debug/*.debug           the separated debug info of each, for symbolising crashes and
#                               for debuggers (kept out of the runtime image)
#   OUT/runtime-packages.txt    the Debian packages owning every other library it loads, plus
#                               the data packages runtime-extras.tsv lists for it, as
#                               package=version: the runtime stage installs exactly the versions
#                               the binary was built and tested against, or fails
# Run in the image's build stage (where the -dev packages, and so the libraries, are
# installed); the runtime stage installs exactly that package list. Also usable on a
# developer machine to see what an image of a binary would contain.
set -euo pipefail

usage() {
  echo "usage: $0 BINARY BUILD_DIR OUT_DIR   (e.g. $0 training-server build/release /stage)" >&2
  exit 2
}
[ $# -eq 3 ] || usage
binary=$1
build_dir="$(cd "$2" && pwd -P)"
out=$3
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
die() {
  echo "stage: $*" >&2
  exit 1
}

[[ $binary =~ ^[a-z][a-z0-9-]*$ ]] || die "'$binary' is not a binary name of this project"
# The same search as the local runner's (scripts/lib.sh): services/<name>/<binary> or any depth.
binary_path="$(find "$build_dir/services" "$build_dir/tools" -maxdepth 3 -type f -name "$binary" \
  -perm -u+x -print -quit 2>/dev/null || true)"
[ -n "$binary_path" ] || die "no executable '$binary' under $build_dir/services or $build_dir/tools (was its target built?)"

ldd_out="$(ldd "$binary_path")" || die "ldd failed on $binary_path"
if grep -q 'not found' <<<"$ldd_out"; then
  grep 'not found' <<<"$ldd_out" >&2
  die "$binary_path has unresolved libraries (above)"
fi

mkdir -p "$out/bin" "$out/lib"
cp "$binary_path" "$out/bin/$binary"

# Lines look like "libfoo.so.1 => /usr/lib/x86_64-linux-gnu/libfoo.so.1 (0x…)", and the loader
# "/lib64/ld-linux-x86-64.so.2 (0x…)"; linux-vdso has no file.
mapfile -t libs < <(awk '/=>/ { print $3; next } /^[[:space:]]*\// { print $1 }' <<<"$ldd_out")

# Debian 12 merges /lib into /usr/lib and dpkg knows only one spelling of each path: ask for
# every spelling of every library at once (one pass over dpkg's database), then pick.
spellings() {
  local lib=$1 real
  real="$(readlink -f "$lib")"
  printf '%s\n' "$lib" "$real" "${lib/#\/lib/\/usr\/lib}" "${real/#\/usr\/lib/\/lib}" \
    "${lib/#\/usr\/lib/\/lib}" "${real/#\/lib/\/usr\/lib}"
}
declare -A owner_of=()
mapfile -t candidates < <(for lib in "${libs[@]}"; do spellings "$lib"; done | sort -u)
while IFS= read -r line; do
  # "pkg[:arch][, pkg2]: /path"
  owner_of["${line#*: }"]="${line%%: *}"
done < <(dpkg-query -S "${candidates[@]}" 2>/dev/null || true)

packages=()
for lib in "${libs[@]}"; do
  real="$(readlink -f "$lib")"
  case "$real" in
    "$build_dir"/*)
      # A library of this project: copied under its soname (the name the binary asks for).
      cp "$real" "$out/lib/$(basename "$lib")"
      continue
      ;;
  esac
  owner=""
  while IFS= read -r candidate; do
    if [ -n "${owner_of[$candidate]:-}" ]; then
      owner="${owner_of[$candidate]}"
      break
    fi
  done < <(spellings "$lib")
  [ -n "$owner" ] || die "no Debian package owns $lib, and it is not built by this project"
  # "libfoo1:amd64" -> "libfoo1"; a path shared by several packages lists them all.
  owner="${owner%%,*}"
  packages+=("${owner%%:*}")
done

# Data the binary opens by name instead of linking (CA certificates, time zones, fonts).
while IFS=$'\t' read -r name list; do
  case "$name" in '' | '#'*) continue ;; esac
  if [ "$name" = '*' ] || [ "$name" = "$binary" ]; then
    read -r -a more <<<"$list"
    packages+=("${more[@]}")
  fi
done <"$here/runtime-extras.tsv"

for p in $(printf '%s\n' "${packages[@]}" | sort -u); do
  version="$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null)" || die "package $p is not installed here"
  printf '%s=%s\n' "$p" "$version"
done >"$out/runtime-packages.txt"

# Debug info goes to OUT/debug, the shipped files keep only a link to it (name and CRC), so
# that gdb or a symboliser finds it next to a core dump; the image stays small.
mkdir -p "$out/debug"
for f in "$out/bin/$binary" "$out"/lib/*; do
  [ -f "$f" ] || continue
  debug="$out/debug/$(basename "$f").debug"
  objcopy --only-keep-debug "$f" "$debug" || die "objcopy --only-keep-debug $f failed"
  objcopy --strip-debug --strip-unneeded --add-gnu-debuglink="$debug" "$f" ||
    die "objcopy --strip-debug $f failed"
done
echo "stage: $binary (stripped; debug info in $out/debug) with $(find "$out/lib" -type f | wc -l) project libraries and $(wc -l <"$out/runtime-packages.txt") Debian packages in $out" >&2
