#!/usr/bin/env bash
# Prints the Debian packages a binary needs at run time, one per line: the owners of the shared
# libraries it loads (ldd, dpkg -S) plus the data packages listed for it in runtime-extras.tsv.
# Run in the image's build stage, where the -dev packages (and so the libraries) are installed;
# the runtime stage installs exactly this list.
set -euo pipefail

usage() { echo "usage: $0 BINARY_PATH" >&2; exit 2; }
[ $# -eq 1 ] || usage
binary_path=$1
[ -x "$binary_path" ] || { echo "runtime-packages: $binary_path is not an executable file" >&2; exit 1; }
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
binary="$(basename "$binary_path")"

ldd_out="$(ldd "$binary_path")" || { echo "runtime-packages: ldd failed on $binary_path" >&2; exit 1; }
if grep -q 'not found' <<<"$ldd_out"; then
  echo "runtime-packages: $binary_path has unresolved libraries:" >&2
  grep 'not found' <<<"$ldd_out" >&2
  exit 1
fi

packages=()
# "libfoo.so.1 => /lib/x86_64-linux-gnu/libfoo.so.1 (0x…)" and the loader "/lib64/ld-linux….so.2 (0x…)".
while read -r lib; do
  [ -n "$lib" ] || continue
  owner=""
  # /lib is a symlink to /usr/lib on Debian 12 (merged /usr), and dpkg knows only one of the
  # two spellings of each path, so try both, then the resolved path.
  for candidate in "$lib" "${lib/#\/lib/\/usr\/lib}" "${lib/#\/usr\/lib/\/lib}" "$(readlink -f "$lib")" \
    "$(readlink -f "$lib" | sed 's#^/usr/lib#/lib#')"; do
    if out="$(dpkg-query -S "$candidate" 2>/dev/null)"; then
      owner="${out%%:*}"
      break
    fi
  done
  if [ -z "$owner" ]; then
    echo "runtime-packages: no Debian package owns $lib (a library built or copied by hand cannot go into the image)" >&2
    exit 1
  fi
  packages+=("$owner")
done < <(awk '/=>/ { print $3; next } /^[[:space:]]*\// { print $1 }' <<<"$ldd_out")

# Data the binary opens by name rather than links (fonts, time zones, CA certificates).
extras="$here/runtime-extras.tsv"
if [ -r "$extras" ]; then
  while IFS=$'\t' read -r name list; do
    case "$name" in '' | '#'*) continue ;; esac
    if [ "$name" = '*' ] || [ "$name" = "$binary" ]; then
      read -r -a more <<<"$list"
      packages+=("${more[@]}")
    fi
  done <"$extras"
fi

printf '%s\n' "${packages[@]}" | sort -u
