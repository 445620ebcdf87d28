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
#   SKIP_BENCH=1 in the environment skips steps 1-2 (about 5 minutes); DEVICE=cpu
#   CONFIG=configs/demo/luss-ae_3dcae-w8_8x64x64_synthetic.py BENCH_ITERS=1 MAC_N=1024, an
#   empty folder as DATA_ROOT (the synthetic videos are generated in it) and
#   --cfg-options train_cfg.max_epochs=1 make a quick dry run of the script on a CPU.
#
# Steps (each prints what it measures; the summary is gpu_check.txt in WORK_DIR):
#   1. side-by-side throughput, vadkit's default path vs the reference way, a few
#      iterations (benchmarks/bench_train_test.py), then the same with the contiguous
#      layout, to confirm channels-last 3D on this GPU (ClipDataPreprocessor 'auto');
#   2. MAC rate of the test pass vs a 9216x9216 float32 matmul (benchmarks/bench_mac_rate.py);
#   3. training, 60 epochs (tools/train.py): wall time and windows/s;
#   4. test of the final checkpoint (tools/test.py, InferenceTestLoop): wall time, frames/s
#      and micro AUROC (paper: 98.52 %).
set -euo pipefail

DATA=${1:?usage: bash benchmarks/gpu_check.sh DATA_ROOT [WORK_DIR] [extra train args]}
shift
WORK=work_dirs/gpu_check_ped2
if [[ $# -gt 0 && "$1" != --* ]]; then WORK=$1; shift; fi
EXTRA=("$@")
CONFIG=${CONFIG:-configs/luss_ae/luss-ae_3dcae_16x256x256_60e_ped2.py}
DEVICE=${DEVICE:-cuda}  # DEVICE=cpu CONFIG=<small config>: a dry run of this script
ITERS=${BENCH_ITERS:-10}
mkdir -p "$WORK"
SUMMARY="$WORK/gpu_check.txt"
: > "$SUMMARY"
say() { echo "$@" | tee -a "$SUMMARY"; }

say "== gpu_check $(date -u +%FT%TZ) config $CONFIG data $DATA extra: ${EXTRA[*]:-none}"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader \
    | tee -a "$SUMMARY" || true
python -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda,
'cudnn', torch.backends.cudnn.version(), 'GPU', torch.cuda.is_available())" | tee -a "$SUMMARY"
say "load average: $(cut -d' ' -f1-3 /proc/loadavg); CPUs: $(nproc)"

AMP_FLAG=()
for a in "${EXTRA[@]}"; do
    if [[ "$a" == "--amp" ]]; then AMP_FLAG=(--amp); fi
done
# the benchmarks' output, without library warnings, into the summary
keep() { grep -v -i warning "$1" | grep -E "${2:-.}" | tee -a "$SUMMARY" || true; }
# run a command with its output in a file; on failure show the end of that file
run_to() {
    local out=$1; shift
    "$@" > "$out" 2>&1 || { echo "FAILED: $*"; tail -40 "$out"; exit 1; }
}

if [[ "${SKIP_BENCH:-0}" != 1 ]]; then  # SKIP_BENCH=1: straight to training
    say "== 1. throughput, default path vs reference (short rounds, medians)"
    run_to "$WORK/bench.txt" python benchmarks/bench_train_test.py --config "$CONFIG" \
        --device "$DEVICE" --root "$DATA" --iters "$ITERS" --rounds 3 "${AMP_FLAG[@]}"
    keep "$WORK/bench.txt"
    say "-- the same, contiguous layout (is channels-last 3D the right default on this GPU?)"
    run_to "$WORK/bench_contiguous.txt" python benchmarks/bench_train_test.py \
        --config "$CONFIG" --device "$DEVICE" --root "$DATA" --iters "$ITERS" --rounds 3 \
        --layout contiguous "${AMP_FLAG[@]}"
    keep "$WORK/bench_contiguous.txt" "windows/s|frames/s|^  (reference|fast)"

    say "== 2. MAC rate of the test pass vs float32 matmul and 1x1 convolution"
    run_to "$WORK/mac_rate.txt" python benchmarks/bench_mac_rate.py --config "$CONFIG" \
        --device "$DEVICE" --batch 32 --iters 2 --n "${MAC_N:-9216}" "${AMP_FLAG[@]}"
    keep "$WORK/mac_rate.txt"
fi

say "== 3. training (the config's epochs: 60 for the paper config)"
START=$(date +%s.%N)
run_to "$WORK/train_stdout.txt" python tools/train.py "$CONFIG" --data-root "$DATA" \
    --work-dir "$WORK" "${EXTRA[@]}"
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
run_to "$WORK/test_stdout.txt" python tools/test.py "$CONFIG" "$CKPT" --data-root "$DATA" \
    --work-dir "$WORK" --out-dir "$WORK/test"
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
