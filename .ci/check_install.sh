#!/usr/bin/env bash
# A plain (non-editable) install in a fresh virtual environment runs a shipped config by name
# from an empty folder, as a user who installed vadkit would.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" vadkit/.mim build' EXIT
python -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install -q . > "$tmp/install.log" 2>&1 || {
    cat "$tmp/install.log"; exit 1; }
mkdir "$tmp/empty"
cd "$tmp/empty"
"$tmp/venv/bin/vadkit" train luss-ae_3dcae-w8_8x64x64_synthetic --test > "$tmp/run.log" 2>&1 || {
    tail -40 "$tmp/run.log"; exit 1; }
grep -E 'micro AUROC \(frame-level' "$tmp/run.log" || { tail -40 "$tmp/run.log"; exit 1; }
echo "plain install: 'vadkit train <config name> --test' from an empty folder works"
