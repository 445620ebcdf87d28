#!/usr/bin/env bash
# Detect anomalies in a UCSD Ped2 test video given as an .mp4, with a model trained by
#   python tools/train.py configs/luss_ae/luss-ae_3dcae-w24_8x128x128_cpu_ped2.py \
#       --data-root /work/shared/datasets/ped2
# and check that
#   1. detect's offline per-frame scores of the frame folder equal tools/test.py's
#      (frame_scores.csv) for the same frames (the mp4 is lossy, so this uses the frames);
#   2. the events detected on the mp4 overlap the ground-truth anomaly (UCSDped2.m).
#
# usage: examples/detect_ped2.sh [CHECKPOINT] [OUT_DIR]     (run from anywhere)
#   env: PED2 (dataset root), VIDEO (test video, default 02), PERCENTILE (default 99),
#        OMP_NUM_THREADS (CPU threads)
set -euo pipefail
cd "$(dirname "$0")/.."

CFG=configs/luss_ae/luss-ae_3dcae-w24_8x128x128_cpu_ped2.py
CKPT=${1:-work_dirs/luss-ae_3dcae-w24_8x128x128_cpu_ped2/epoch_20.pth}
OUT=${2:-/tmp/ped2_detect}
PED2=${PED2:-/work/shared/datasets/ped2}
VIDEO=${VIDEO:-02}
PERCENTILE=${PERCENTILE:-99}
FPS=10  # UCSD Ped2 was filmed at 10 frames per second
MP4=$OUT/ped2_test$VIDEO.mp4
export VADKIT_CACHE_DIR=${VADKIT_CACHE_DIR:-$OUT/cache}  # tools/test.py's frame cache
mkdir -p "$OUT"

echo "== 0. test video $VIDEO as an mp4 (as a camera would record it): $MP4"
python - "$PED2/testing/frames/$VIDEO" "$MP4" "$FPS" <<'EOF'
import sys, cv2
from vadkit.datasets.layouts.base_layout import list_images
frames, out, fps = list_images(sys.argv[1]), sys.argv[2], float(sys.argv[3])
first = cv2.imread(frames[0])
w = cv2.VideoWriter(out, cv2.VideoWriter_fourcc(*'mp4v'), fps, first.shape[1::-1])
for f in frames:
    w.write(cv2.imread(f))
w.release()
print(f'{len(frames)} frames {first.shape[1]}x{first.shape[0]} at {fps:g} fps -> {out}')
EOF

echo "== 1. thresholds from the normal training videos (no test labels): $CKPT.calib.json"
python tools/calibrate.py $CFG "$CKPT" --data-root "$PED2" --percentile "$PERCENTILE" --quiet

echo "== 2. reference scores: tools/test.py"
python tools/test.py $CFG "$CKPT" --data-root "$PED2" --work-dir "$OUT/test_work" \
    --out-dir "$OUT/test"

echo "== 3. detect on the frame folder (the same pixels as the test set), offline"
python tools/detect.py $CFG "$CKPT" "$PED2/testing/frames/$VIDEO" --out-dir "$OUT/frames" \
    --fps $FPS --quiet

echo "== 4. detect on the mp4, offline, with an annotated video"
python tools/detect.py $CFG "$CKPT" "$MP4" --out-dir "$OUT/mp4" --video-out

echo "== 5. the mp4 as a live stream (causal normalization), and offline causal"
python tools/detect.py $CFG "$CKPT" "$MP4" --out-dir "$OUT/stream" --stream --quiet
python tools/detect.py $CFG "$CKPT" "$MP4" --out-dir "$OUT/causal" --mode causal --quiet

echo "== 6. checks"
python - "$OUT" "$VIDEO" "$PED2" <<'EOF'
import csv, json, sys
import numpy as np
from vadkit.datasets.layouts.label_files import read_m_ranges
from vadkit.datasets.layouts.base_layout import list_images, list_subdirs

out, video, ped2 = sys.argv[1:]
rows = lambda p: list(csv.DictReader(open(p)))
ref = [r for r in rows(f'{out}/test/frame_scores.csv') if r['video'] == video]
got = [r for r in rows(f'{out}/frames/{video}/scores.csv') if r['scored'] == '1']
assert [int(r['frame']) for r in got] == [int(r['frame']) for r in ref], 'scored frames differ'
diff = {c: float(np.max(np.abs(np.array([float(r[c]) for r in got])
                               - np.array([float(r[c]) for r in ref]))))
        for c in ref[0] if c.startswith(('raw_', 'normalized_', 'score'))}
# the test loop folds BatchNorm into the convolutions: float32 rounding, ~1e-6 here
close = all(np.allclose([float(r[c]) for r in got], [float(r[c]) for r in ref], rtol=1e-4,
                        atol=1e-5) for c in diff)
print(f'1. offline scores of {len(got)} frames vs tools/test.py: max abs diff per column '
      f'{ {k: float(f"{v:.2g}") for k, v in diff.items()} } (csv rounding 6 digits, float32): '
      + ('EQUAL' if close else 'DIFFERENT'))

names = list_subdirs(f'{ped2}/testing/frames')
counts = [len(list_images(f'{ped2}/testing/frames/{n}')) for n in names]
labels = read_m_ranges(f'{ped2}/ground_truth/UCSDped2.m', counts, names)[names.index(video)]
gt = np.flatnonzero(labels)
print(f'   ground truth of video {video}: frames {gt[0]}-{gt[-1]} (0-based) anomalous')
ok = close
for mode in ('mp4', 'causal', 'stream'):
    ev = json.load(open(f'{out}/{mode}/ped2_test{video}/events.json'))
    flagged = np.zeros(len(labels), bool)
    for e in ev['events']:
        flagged[e['start_frame']:e['end_frame'] + 1] = True
    hits = [e for e in ev['events'] if e['start_frame'] <= gt[-1] and gt[0] <= e['end_frame']]
    inside = (flagged & (labels == 1)).sum() / max(flagged.sum(), 1)
    recall = (flagged & (labels == 1)).sum() / len(gt)
    print(f'2. {mode:7s} threshold {ev["threshold"]:.4g}: {len(ev["events"])} event(s) '
          f'{[(e["start_frame"], e["end_frame"]) for e in ev["events"]]}; '
          f'{len(hits)} overlap the ground truth; {100 * inside:.0f}% of flagged frames are '
          f'anomalous, {100 * recall:.0f}% of anomalous frames flagged')
    ok &= bool(hits) if mode == 'mp4' else True
s = [(e['start_frame'], e['end_frame']) for e in json.load(open(f'{out}/stream/ped2_test{video}/events.json'))['events']]
c = [(e['start_frame'], e['end_frame']) for e in json.load(open(f'{out}/causal/ped2_test{video}/events.json'))['events']]
print(f'3. stream events == offline causal events: {s == c}')
print(f'outputs: {out}/mp4/ped2_test{video}/ (scores.csv, events.json, scores.png, annotated.mp4)')
sys.exit(0 if ok and s == c else 1)
EOF
