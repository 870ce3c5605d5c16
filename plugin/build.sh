#!/usr/bin/env bash
# Build the slpvec pass plugin (plugin/build/slpvec-plugin.so) against LLVM 22.
#   plugin/build.sh [PYTHON]   PYTHON: the interpreter the plugin runs the worker
#                              with (default: the repo's .venv/bin/python)
# Rebuilds only when the source, this script or PYTHON changed; prints the path.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
python="${1:-$repo/.venv/bin/python}"
llvm_config="${LLVM_CONFIG:-llvm-config-22}"
out="$here/build/slpvec-plugin.so"
stamp="$here/build/.stamp"
want="$(cat "$here/SlpvecPlugin.cpp" "$here/build.sh" | sha256sum | cut -c1-16) $python $("$llvm_config" --version)"
if [ -f "$out" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "$out"
    exit 0
fi
mkdir -p "$here/build"
cxx="${CXX:-$(command -v clang++-22 || command -v c++)}"
# shellcheck disable=SC2046  # llvm-config's flags are meant to be split
"$cxx" $("$llvm_config" --cxxflags) -fPIC -shared -O2 -Wall \
    -DSLPVEC_PYTHON="\"$python\"" "$here/SlpvecPlugin.cpp" -o "$out.tmp" \
    $("$llvm_config" --ldflags) -lLLVM-22
mv "$out.tmp" "$out"
echo "$want" > "$stamp"
echo "$out"
