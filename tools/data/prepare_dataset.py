"""Check a dataset root and build its decoded-frame cache before training.

Reads the dataset the way training will (same layout, window length and decode
pipeline), prints what it found (videos and frames per split, anomalous test frames, where
the labels came from) and decodes every frame once into the frame cache, so that training
and testing start at once and never decode a frame per clip. Training reuses the cache
automatically: its key is the source files plus the decode pipeline.

Examples::

    # a dataset in any known layout, the paper's 256x256 grayscale frames
    python tools/data/prepare_dataset.py data/ped2
    # the exact frames a config trains on (its layout, window length, decode pipeline)
    python tools/data/prepare_dataset.py data/avenue \\
        --config configs/luss_ae/luss-ae_3dcae_16x256x256_60e_avenue.py
    # a named layout with arguments; check only
    python tools/data/prepare_dataset.py /data/Avenue --layout AvenueLayout \\
        --layout-args label_set=mnad --no-cache

Exit status: 0 when the dataset is usable, 2 with a message naming the file and the fix
when it is not.
"""
import argparse
import copy
import os
import os.path as osp
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import numpy as np
from vadkit.utils.cli_values import KeyValueOptions

from vadkit.utils import register_all_modules

SPLITS = ('train', 'test')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Check a dataset root and build its decoded-frame cache',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('root', help='dataset root')
    parser.add_argument('--layout', default=None,
                        help='layout type: auto (detect), FramesLayout, UcsdLayout, '
                        'AvenueLayout, ShanghaiTechLayout, VideoFolderLayout, ... '
                        "(default: the config's layout with --config, else auto)")
    parser.add_argument('--layout-args', nargs='+', action=KeyValueOptions, default={},
                        example='label_set=mnad',
                        help='layout arguments, e.g. label_set=mnad or scene=1')
    parser.add_argument('--size', nargs=2, type=int, metavar=('H', 'W'), default=None,
                        help='frame size of the decode pipeline Grayscale + Resize '
                        '(default 256 256; with --config the config\'s pipeline is used)')
    parser.add_argument('--window-length', type=int, default=None,
                        help='frames per window; videos shorter than it are skipped, as in '
                        "training (default: the config's, else 17)")
    parser.add_argument('--config', help='take layout, window length and decode pipeline '
                        "from this config's train/test datasets")
    parser.add_argument('--cfg-options', nargs='+', action=KeyValueOptions,
                        help='override config entries (with --config)')
    parser.add_argument('--cache-dir', help='frame cache directory (default: the config\'s, '
                        'else $VADKIT_CACHE_DIR or ~/.cache/vadkit)')
    parser.add_argument('--splits', nargs='+', choices=SPLITS, default=list(SPLITS))
    parser.add_argument('--no-cache', action='store_true',
                        help='only check and summarize; build no cache')
    parser.add_argument('--workers', type=int, default=None,
                        help='decoding threads for the cache (default: CPUs, at most 8)')
    return parser.parse_args(argv)


def dataset_configs(args) -> dict:
    """The VideoWindowDataset config of each split, as training would build it."""
    layout_override = None
    if args.layout is not None or args.layout_args:
        name = args.layout or 'auto'
        layout_type = 'AutoLayout' if name.lower() == 'auto' else name
        layout_override = dict(type=layout_type, root=args.root, **args.layout_args)
    cfgs = {}
    if args.config:
        from vadkit.utils.run_config import load_config
        # only the datasets are built here: building them reports their own problems
        cfg = load_config(args.config, args.cfg_options, data_root=args.root, check_parts=())
        for split in args.splits:
            loader = cfg.get(f'{split}_dataloader')
            if not loader or 'dataset' not in loader:
                raise SystemExit(f'{args.config} has no {split}_dataloader.dataset')
            ds = copy.deepcopy(loader['dataset'].to_dict() if hasattr(loader['dataset'],
                                                                      'to_dict')
                               else dict(loader['dataset']))
            if layout_override is not None:
                if args.layout is None:  # only arguments: keep the config's layout type
                    layout_override['type'] = ds['layout']['type']
                ds['layout'] = dict(layout_override)
            if args.window_length:
                ds['window_length'] = args.window_length
            if args.size:
                print('note: --size is ignored with --config (the config\'s decode pipeline '
                      'is used)', file=sys.stderr)
            ds['split'] = split
            cfgs[split] = ds
        return cfgs
    h, w = args.size or (256, 256)
    layout = layout_override or dict(type='AutoLayout', root=args.root)
    for split in args.splits:
        cfgs[split] = dict(
            type='VideoWindowDataset', layout=dict(layout), split=split,
            window_length=args.window_length or 17,
            decode_pipeline=[dict(type='Grayscale'), dict(type='Resize', size=(h, w))],
            pipeline=[], cache_dir='auto')
    return cfgs


def frame_size(video) -> str:
    from vadkit.datasets.frame_decoding import read_image
    from vadkit.datasets.layouts.video_files import iter_video_file
    img = (next(iter_video_file(video.video_file, 1)) if video.video_file
           else read_image(video.frames[0]))
    return 'x'.join(str(s) for s in img.shape)


def summarize(split: str, ds_cfg: dict) -> list:
    from vadkit.registry import DATASET_LAYOUTS
    layout = DATASET_LAYOUTS.build(copy.deepcopy(ds_cfg['layout']))
    videos = layout.load(split)
    counts = np.array([v.num_frames for v in videos])
    window = ds_cfg.get('window_length', 17)
    kinds = {'video files' if v.video_file else 'frame folders' for v in videos}
    print(f'{split:5s}  {layout.describe()}')
    print(f'       {len(videos)} videos ({", ".join(sorted(kinds))}), {counts.sum()} frames '
          f'(per video min/median/max {counts.min()}/{int(np.median(counts))}/'
          f'{counts.max()}), frame size {frame_size(videos[0])} (HxW[xC])')
    short = [v.name for v in videos if v.num_frames < window]
    if short:
        print(f'       {len(short)} video(s) shorter than a window of {window} frames are '
              f'skipped: {short}')
    if split == 'test':
        labelled = [v for v in videos if v.labels is not None]
        if labelled:
            n = sum(int(v.labels.sum()) for v in labelled)
            total = sum(v.num_frames for v in labelled)
            both = sum(0 < v.labels.sum() < v.num_frames for v in labelled)
            print(f'       labels: {n} anomalous of {total} frames ({100 * n / total:.1f} %); '
                  f'{both} of {len(labelled)} videos have both normal and anomalous frames')
            for src in sorted({v.label_source for v in labelled if v.label_source}):
                print(f'       label source: {src}')
        if len(labelled) < len(videos):
            print(f'       {len(videos) - len(labelled)} test video(s) have no labels')
    return videos


def build_cache(split: str, ds_cfg: dict, cache_dir) -> None:
    from vadkit.datasets.frame_store import default_cache_dir
    from vadkit.registry import DATASETS
    ds_cfg = copy.deepcopy(ds_cfg)
    if cache_dir:
        ds_cfg['cache_dir'] = cache_dir
    target = ds_cfg.get('cache_dir', 'auto')
    target = default_cache_dir() if target == 'auto' else target
    if not target:
        print(f'{split:5s}  the config sets cache_dir=None: frames are decoded on demand, '
              'nothing to build')
        return
    before = set(os.listdir(target)) if osp.isdir(target) else set()
    t0 = time.perf_counter()
    ds = DATASETS.build(ds_cfg)
    took = time.perf_counter() - t0
    path = ds.frames.cache_path
    size = osp.getsize(path) / 2**20
    state = 'built' if osp.basename(path) not in before else 'up to date (reused)'
    shape = 'x'.join(str(s) for s in ds.frames.array.shape[1:])
    print(f'{split:5s}  cache {state} in {took:.1f} s: {path} ({size:.0f} MiB, '
          f'{ds.frames.array.shape[0]} frames of {shape}; {len(ds)} windows of '
          f'{ds.window_length})')


def main(argv=None) -> int:
    args = parse_args(argv)
    register_all_modules()
    if args.workers:
        os.environ['VADKIT_CACHE_WORKERS'] = str(args.workers)
    from vadkit.datasets.layouts import DatasetError
    from vadkit.utils.registry_errors import UnknownTypeError
    try:
        cfgs = dataset_configs(args)
        print(f'dataset root: {osp.abspath(args.root)}')
        for split, ds_cfg in cfgs.items():
            summarize(split, ds_cfg)
        first = next(iter(cfgs.values()))
        print(f"decode pipeline: {first.get('decode_pipeline')}; window length "
              f"{first.get('window_length', 17)}")
        if not args.no_cache:
            for split, ds_cfg in cfgs.items():
                build_cache(split, ds_cfg, args.cache_dir)
    except (DatasetError, UnknownTypeError, FileNotFoundError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    except TypeError as e:  # a layout argument the layout does not take
        if 'unexpected keyword argument' not in str(e) and 'unknown key' not in str(e):
            raise
        print(f'error: {e}', file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
