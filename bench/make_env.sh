#!/usr/bin/env bash
# Create (or reuse) the bench-only virtual environment bench/.venv.
#
# The product venv (.venv at the repository root) never receives the peer libraries
# (pyworkforce, statsforecast); they live only here.  Usage, from any directory:
#     bash bench/make_env.sh            # or: bash /path/to/repo/bench/make_env.sh
# Re-running reuses the existing venv and only installs what is missing or changed.
# Set PYTHON=/path/to/python3.11 to choose the interpreter (default: python3).
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${BENCH_DIR}/.." && pwd)"
VENV="${BENCH_DIR}/.venv"
PYTHON="${PYTHON:-python3}"

if [[ -x "${VENV}/bin/python" ]] && "${VENV}/bin/python" -c 'import sys' 2>/dev/null; then
    echo "make_env: reusing ${VENV}"
else
    echo "make_env: creating ${VENV} with $(${PYTHON} --version 2>&1)"
    rm -rf "${VENV}"
    "${PYTHON}" -m venv "${VENV}"
fi

PIP=("${VENV}/bin/python" -m pip)
"${PIP[@]}" install --upgrade pip
# The product itself, editable, from the repository root (pulls in its own dependencies).
( cd "${REPO_ROOT}" && "${PIP[@]}" install -e . )
# Bench-only extras, pinned.
"${PIP[@]}" install -r "${BENCH_DIR}/requirements.txt"

"${VENV}/bin/python" - <<'PY'
import importlib.metadata as md
for name in ("staffing", "numpy", "scipy", "pyworkforce", "statsforecast"):
    try:
        print(f"make_env: {name} {md.version(name)}")
    except md.PackageNotFoundError:
        print(f"make_env: {name} not installed")
PY
echo "make_env: done; run e.g. ${VENV}/bin/python ${BENCH_DIR}/compare_erlang.py"
