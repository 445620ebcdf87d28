"""A test frame, the model's prediction(s) and the MSE, PSE and BPE error maps (Figure 5).

    python tools/analysis/plot_error_maps.py CONFIG CHECKPOINT --video 02 --frame 100 \
        --out error_maps_02_100.png

--frame is the scored frame (0-based, as in frame_scores.csv): the window ending there is
run; FFP predicts that frame, VCR reconstructs the window's input frames (the figure shows
the last one, frame - 1).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import torch
from mmengine.dataset import default_collate

from vadkit.engine.offline_scoring import build_window_dataset, find_window, load_model
from vadkit.utils import register_all_modules
from vadkit.utils.cli_values import KeyValueOptions
from vadkit.utils.errors import run_cli
from vadkit.utils.run_config import load_config
from vadkit.visualization.error_maps import (
    compute_error_maps,
    default_measures,
    frame_image,
    plot_error_maps,
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Error maps of MSE, PSE and BPE for one '
                                     'test frame (the paper\'s Figure 5)')
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--video', required=True, help='test video name (or index)')
    parser.add_argument('--frame', type=int, required=True, help='scored frame, 0-based')
    parser.add_argument('--out', required=True, help='PNG file')
    parser.add_argument('--tasks', nargs='+', help='frame-producing tasks to show '
                        '(default: all, e.g. ffp vcr)')
    parser.add_argument('--sigma', type=float, default=1.0, help='PSE/BPE Gaussian sigma')
    parser.add_argument('--kernel-size', type=int, default=5, help='PSE/BPE kernel size')
    parser.add_argument('--stride', type=int, default=2, help='BPE subsampling stride')
    parser.add_argument('--shared-scale', action='store_true',
                        help='one colour scale for the maps of a row')
    parser.add_argument('--data-root', help='dataset root, overriding the config')
    parser.add_argument('--cfg-options', nargs='+', action=KeyValueOptions)
    return parser.parse_args(argv)


def main(argv=None) -> str:
    args = parse_args(argv)
    register_all_modules(init_default_scope=True)
    cfg = load_config(args.config, args.cfg_options, data_root=args.data_root)
    model = load_model(cfg, args.checkpoint)
    dataset = build_window_dataset(cfg, 'test')
    try:
        idx = find_window(dataset, args.video, args.frame)
    except (KeyError, ValueError) as e:
        sys.exit(f'error: {e}')
    sample = dataset[idx]
    label = sample['data_samples'].get('label')
    data = model.data_preprocessor(default_collate([sample]), False)
    clip = data['inputs'][model.test_input_key]
    with torch.no_grad():
        outputs = model(data['inputs'], mode='tensor')
    t = model.clip_len
    measures = default_measures(args.sigma, args.kernel_size, args.stride)
    video = dataset.videos[dataset.window(idx)['video_idx']].name
    rows = []
    for head in model.tasks:
        out = outputs[head.name]
        if args.tasks and head.name not in args.tasks:
            continue
        if out.dim() == 4:  # a predicted frame: frame T + 1 of the window, the scored one
            pred, target, which = out[0], clip[0, :, t], f'frame {args.frame}'
            what = 'prediction'
        elif out.dim() == 5:  # a reconstructed clip: show its last frame
            pred, target, which = out[0, :, t - 1], clip[0, :, t - 1], f'frame {args.frame - 1}'
            what = 'reconstruction'
        else:
            continue  # a classifier (PRP) has no image
        rows.append(dict(name=head.name.upper(), target=frame_image(target),
                         prediction=frame_image(pred),
                         target_title=f'{which} (input)' if what == 'reconstruction'
                         else f'{which} (target)',
                         prediction_title=f'{head.name.upper()} {what} of {which}',
                         maps=compute_error_maps(pred, target, measures)))
    if not rows:
        sys.exit(f'error: no frame-producing task among {model.task_names} '
                 f'(asked for {args.tasks})')
    gt = '' if label is None else (' (anomalous)' if int(label) else ' (normal)')
    title = (f'video {video}, frame {args.frame}{gt}: error maps, PSE/BPE sigma={args.sigma:g}, '
             f'k={args.kernel_size}, BPE stride b={args.stride}')
    out = plot_error_maps(rows, args.out, title, shared_scale=args.shared_scale)
    print(out)
    return out


if __name__ == '__main__':
    run_cli(main)
