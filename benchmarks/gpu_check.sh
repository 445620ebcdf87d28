#!/usr/bin/env bash
# GPU check of LUSS-AE on UCSD Ped2, the paper's setting (256x256, T = 16, batch 16,
# 60 epochs): train, test, and report wall time, training windows/s, micro AUROC and test
# frames/s. Prepared for a machine with one CUDA GPU; run it from the repository root:
#
#   bash benchmarks/gpu_check.sh DATA_ROOT [WORK_DIR] [extra tools/train.py args]
#
#   DATA_ROOT  UCSD Ped2 in the frames layout (training/frames, testing/frames,
#              ground_truth/), e.g. /work/shared/datasets/ped2
#   WORK_DIR   default work_dirs/gpu_check_ped2 (logs, checkpoints, scores, gpu_check.txt)
#   extra      e.g. --amp (mixed precision), --cfg-options train_cfg.max_epochs=5
#
# Steps (each prints what it measures; the summary is gpu_check.txt in WORK_DIR):
#   1. side-by-side throughput, vadkit's default path vs the reference way, a few
#      iterations (benchmarks/bench_train_test.py), then the same with the contiguous
#      layout, to confirm channels-last 3D on this GPU (ClipDataPreprocessor 'auto');
#   2. MAC rate of the test pass vs a 8192x8192 float32 matmul (benchmarks/bench_mac_rate.py);
#   3. training, 60 epochs (tools/train.py): wall time and windows/s;
#   4. test of the final checkpoint (tools/test.py, InferenceTestLoop): wall time, frames/s
#      and micro AUROC (paper: 98.52 %).
set -euo pipefail

DATA=${1:?usage: bash benchmarks/gpu_check.sh DATA_ROOT [WORK_DIR] [extra train args]}
shift
WORK=work_dirs/gpu_check_ped2
if [[ $# -gt 0 && "$1" != --* ]]; then WORK=$1; shift; fi
EXTRA=("$@")
CONFIG=configs/luss_ae/luss-ae_3dcae_16x256x256_60e_ped2.py
mkdir -p "$WORK"
SUMMARY="$WORK/gpu_check.txt"
: > "$SUMMARY"
say() { echo "$@" | tee -a "$SUMMARY"; }

say "== gpu_check $(date -u +%FT%TZ) config $CONFIG data $DATA extra: ${EXTRA[*]:-none}"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee -a "$SUMMARY" || true
python -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'cudnn', torch.backends.cudnn.version())" | tee -a "$SUMMARY"
say "load average: $(cut -d' ' -f1-3 /proc/loadavg); CPUs: $(nproc)"

AMP_FLAG=()
for a in "${EXTRA[@]}"; do [[ "$a" == "--amp" ]] && AMP_FLAG=(--amp); done

say "== 1. throughput, default path vs reference (short rounds, medians)"
python benchmarks/bench_train_test.py --config "$CONFIG" --device cuda --root "$DATA" \
    --iters 10 --rounds 3 "${AMP_FLAG[@]}" 2>&1 | grep -v -i warning | tee -a "$SUMMARY"
say "-- the same, contiguous layout (is channels-last 3D the right default on this GPU?)"
python benchmarks/bench_train_test.py --config "$CONFIG" --device cuda --root "$DATA" \
    --iters 10 --rounds 3 --layout contiguous "${AMP_FLAG[@]}" 2>&1 | grep -v -i warning \
    | grep -E "windows/s|frames/s|per round|layout" | tee -a "$SUMMARY"

say "== 2. MAC rate of the test pass vs float32 matmul"
python benchmarks/bench_mac_rate.py --config "$CONFIG" --device cuda --batch 32 --iters 5 \
    --n 8192 "${AMP_FLAG[@]}" 2>&1 | grep -v -i warning | tee -a "$SUMMARY"

say "== 3. training, 60 epochs"
START=$(date +%s.%N)
python tools/train.py "$CONFIG" --data-root "$DATA" --work-dir "$WORK" "${EXTRA[@]}" \
    > "$WORK/train_stdout.txt" 2>&1 || { tail -50 "$WORK/train_stdout.txt"; exit 1; }
END=$(date +%s.%N)
python - "$CONFIG" "$DATA" "$START" "$END" "$WORK" "${EXTRA[@]}" <<'EOF' | tee -a "$SUMMARY"
import sys
sys.path.insert(0, '.')
from vadkit.utils import register_all_modules
from vadkit.utils.run_config import load_config
from vadkit.registry import DATASETS
register_all_modules()
config, data, start, end, work = sys.argv[1:6]
options = {}
extra = sys.argv[6:]
if '--cfg-options' in extra:
    from mmengine.config import DictAction
    import argparse
    p = argparse.ArgumentParser(); p.add_argument('--cfg-options', nargs='+', action=DictAction)
    options = p.parse_known_args(extra)[0].cfg_options or {}
cfg = load_config(config, options, data_root=data)
ds = DATASETS.build(cfg.train_dataloader.dataset)
bs, epochs = cfg.train_dataloader.batch_size, cfg.train_cfg.max_epochs
windows = epochs * len(ds)
wall = float(end) - float(start)
print(f'training: {epochs} epochs x {len(ds)} windows (batch {bs}) in {wall / 60:.1f} min '
      f'wall (incl. start-up, cache, checkpoints): {windows / wall:.1f} windows/s')
EOF

say "== 4. test of the final checkpoint"
CKPT=$(cat "$WORK/last_checkpoint")  # written by mmengine's CheckpointHook
START=$(date +%s.%N)
python tools/test.py "$CONFIG" "$CKPT" --data-root "$DATA" --work-dir "$WORK" \
    --out-dir "$WORK/test" > "$WORK/test_stdout.txt" 2>&1 || { tail -50 "$WORK/test_stdout.txt"; exit 1; }
END=$(date +%s.%N)
python - "$WORK/test/metrics.json" "$START" "$END" <<'EOF' | tee -a "$SUMMARY"
import json, sys
m = json.load(open(sys.argv[1]))
wall = float(sys.argv[3]) - float(sys.argv[2])
n = m['scored_frames']
print(f'test: {n} scored frames in {wall:.1f} s wall (incl. start-up, model load, cache): '
      f'{n / wall:.1f} frames/s end to end (steady-state frames/s: step 1)')
print(f"micro AUROC {100 * m['micro_auroc']:.2f} % (paper 98.52 %), macro AUROC "
      f"{100 * m.get('macro_auroc', float('nan')):.2f} %")
for k, v in m.items():
    if k.endswith('_micro_auroc'):
        print(f'  {k[:-12]} alone: {100 * v:.2f} %')
EOF
say "summary: $SUMMARY"
