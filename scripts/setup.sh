#!/usr/bin/env bash
# Set up slpvec on a fresh Debian 12 machine (run as root, from anywhere).
#   - installs clang-22 / llvm-22 / llvm-22-dev with apt (only if missing)
#   - creates .venv/ in the repo root
#   - installs torch==2.13.0 (CPU wheel, pinned, first), then slpvec with pinned deps
#   - builds the clang/opt pass plugin (plugin/build.sh; only when its source changed)
# Idempotent: a second run only checks and returns in seconds.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

log() { printf '[setup] %s\n' "$*"; }

need_apt=()
for tool in clang-22 opt-22 llc-22 llvm-mca-22; do
    command -v "$tool" >/dev/null 2>&1 || need_apt=(clang-22 llvm-22 llvm-22-dev)
done
# the pass plugin's headers (llvm/Plugins/PassPlugin.h) and llvm-config-22
{ [ -f /usr/lib/llvm-22/include/llvm/Plugins/PassPlugin.h ] && command -v llvm-config-22 >/dev/null; } \
    || need_apt=(clang-22 llvm-22 llvm-22-dev)
command -v dot >/dev/null 2>&1 || need_apt+=(graphviz)  # slpvec explain renders with dot
if [ ${#need_apt[@]} -gt 0 ]; then
    log "installing ${need_apt[*]} with apt"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
log "$(clang-22 --version | head -n1)"

if [ ! -x .venv/bin/python ]; then
    log "creating .venv"
    python3 -m venv .venv
fi
py=.venv/bin/python
log "pass plugin: $(bash plugin/build.sh "$repo/$py")"
stamp=.venv/.slpvec-installed
want="$(sha256sum pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    log "python environment up to date ($stamp)"
    exit 0
fi
log "installing torch==2.13.0 (CPU) first, then slpvec and its pinned dependencies"
pip_log=.venv/pip-install.log
pip_step() {  # quiet unless it fails; then show the log's tail
    "$py" -m pip install -q "$@" >>"$pip_log" 2>&1 || {
        tail -n 40 "$pip_log"; log "pip install $* failed (full log: $pip_log)"; exit 1; }
}
: >"$pip_log"
pip_step --upgrade pip
pip_step torch==2.13.0
pip_step -e ".[ml,test]"
"$py" -c "import torch, llvmlite, pulp, torch_geometric; print('[setup] torch', torch.__version__, '| llvmlite', llvmlite.__version__, '| pulp', pulp.__version__, '| torch-geometric', torch_geometric.__version__)"
echo "$want" > "$stamp"
log "done: activate with 'source .venv/bin/activate'"
