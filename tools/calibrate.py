"""Calibrate detection thresholds on normal videos (no test labels needed).

Scores normal videos (by default the config's training videos; --holdout-videos N takes
the last N; --videos takes any folder of normal videos or frame folders), and writes
<checkpoint>.calib.json: per-mode thresholds at --percentile of their combined scores
(offline, causal, running), the score quantiles for any other percentile, and each task's
raw-score mean/std (the causal normalizer's statistics). tools/detect.py and
vadkit.apis.AnomalyDetector pick the file up automatically.

Example:
    python tools/calibrate.py CONFIG CKPT --percentile 99 --holdout-videos 4
"""
import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from vadkit.utils.cli_values import (  # noqa: E402
    KeyValueOptions,
    percentile,
    positive_float,
    whole_number,
)
from vadkit.utils.errors import run_cli  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Calibrate anomaly thresholds on normal videos',
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument('config', help='config file the checkpoint was trained with')
    p.add_argument('checkpoint', help='checkpoint file, or the work dir of an ensemble')
    p.add_argument('--percentile', type=percentile(0, 100, low_open=True), default=99.0,
                   help='threshold percentile of normal combined scores')
    p.add_argument('--holdout-videos', type=whole_number(1, 'videos'),
                   help='use the last N training videos (default: all training videos)')
    p.add_argument('--videos', help='normal videos to use instead of the training set: a '
                   'video, a frame folder, or a folder of videos/frame folders')
    p.add_argument('--data-root', help='dataset root of the training videos, overriding the '
                   'config')
    p.add_argument('--out', help='calibration file (default: <checkpoint>.calib.json)')
    p.add_argument('--fps', type=positive_float('frames per second'),
                   help='frame rate of --videos frame folders')
    p.add_argument('--running-window', type=whole_number(2, 'scores'), default=500,
                   help='window of the running causal normalizer')
    p.add_argument('--running-warmup', type=whole_number(2, 'scores'), default=50,
                   help='scores the running normalizer sees before it scores (<= '
                   '--running-window)')
    p.add_argument('--batch-size', type=whole_number(1, 'windows'),
                   help='windows per forward pass')
    p.add_argument('--device', default='cpu')
    p.add_argument('--cfg-options', nargs='+', action=KeyValueOptions,
                   help='override config entries')
    p.add_argument('--quiet', action='store_true', help='no progress bars')
    args = p.parse_args(argv)
    if args.running_warmup > args.running_window:
        p.error(f'argument --running-warmup: must be at most --running-window '
                f'({args.running_window}), got {args.running_warmup}')
    return args


def main(argv=None):
    args = parse_args(argv)
    from vadkit.apis import (
        AnomalyDetector,
        InputError,
        calibrate,
        calibration_path,
        discover_inputs,
        holdout_sources,
        open_source,
    )
    from vadkit.datasets.layouts.video_files import is_truncated, plain_video_warnings
    from vadkit.utils.errors import VadkitError
    from vadkit.utils.run_config import set_data_root
    try:
        det = AnomalyDetector(args.config, args.checkpoint, args.device, calibration=None,
                              batch_size=args.batch_size, running_window=args.running_window,
                              running_warmup=args.running_warmup,
                              cfg_options=args.cfg_options)
        if args.videos:
            sources = [open_source(p, fps=args.fps) for p in discover_inputs(args.videos)]
            if args.holdout_videos:
                sources = sources[-args.holdout_videos:]
            origin = args.videos
        else:
            if args.data_root:
                set_data_root(det.cfg, args.data_root)
            sources = holdout_sources(det.cfg, args.holdout_videos)
            origin = 'training videos of the config (seen in training unless held out)'
        print(f'calibrating on {len(sources)} normal video(s) from {origin}: '
              f'{", ".join(s.name for s in sources)}', file=sys.stderr, flush=True)
        with plain_video_warnings():
            cal = calibrate(det, sources, args.percentile, progress=not args.quiet)
    except (FileNotFoundError, ValueError, KeyError) as e:
        if isinstance(e, VadkitError):
            raise
        raise InputError(str(e.args[0]) if isinstance(e, KeyError) and e.args else str(e)) \
            from e
    out = cal.save(args.out or calibration_path(det.checkpoint))
    lines = [f'calibration written to {out} ({cal.num_frames} scored normal frames)',
             f'thresholds at percentile {cal.percentile:g}:']
    lines[1:1] = [f'WARNING: {v["source"]}: its header declares {v["header_frames"]} frames, '
                  f'only {v["frames"]} decoded (truncated or corrupt file: re-download or '
                  're-encode it)' for v in cal.videos if is_truncated(v.get('header_frames'),
                                                                       v['frames'])]
    ensemble = bool(det.member_checkpoints)  # detects offline only: no causal lines
    for mode, entry in cal.modes.items():
        if ensemble and mode != 'offline':
            continue
        thr = entry.get('threshold')
        lines.append(f'  {mode:8s} {thr:.6g}  ({entry.get("note", "")})' if thr is not None
                     else f'  {mode:8s} none ({entry.get("note", "")}: too few frames)')
    if ensemble:
        lines.append(f'an ensemble of {len(det.member_checkpoints)} members: offline '
                     'detection only (its members are rescaled per video)')
    else:
        lines.append('raw score statistics (causal normalizer): ' + json.dumps(
            {n: dict(mean=round(s['mean'], 6), std=round(s['std'], 6)) for n, s in
             cal.stats.items()}))
    print('\n'.join(lines), flush=True)
    return 0


if __name__ == '__main__':
    run_cli(main)
