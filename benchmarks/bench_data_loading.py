"""Window throughput and memory: the decoded-frame cache versus decoding JPEGs per window.

Measures, on UCSD Ped2 at 256x256 grayscale (the paper's input):

- train windows/s: the standard LUSS-AE training sample, a 17-frame window (VCR input +
  FFP target) plus a 16-frame playback-rate (PRP) clip, random windows as a shuffled
  loader draws them;
- test windows/s: 17-frame windows in order, stride 1, as the test loader reads them;

for two ways of getting frames, through the same sampling and packing transforms
(``SampleWindow``, ``SamplePlaybackRateClip``, ``PackClipInputs``, uint8 out):

- ``cache``: vadkit's FrameStore memory-mapped cache (built once, before timing; the
  build time is reported separately);
- ``decode``: what the reference code does, every frame of every window read with
  ``cv2.imread`` + ``cv2.cvtColor`` + ``cv2.resize`` (implemented here as the baseline).

Each way runs in its own process, so that its peak resident memory (``ru_maxrss``) is its
own; the resident memory before the first window (imports, dataset index) is shown too,
and for the cache, how much of the resident memory is the memory-mapped file (shared,
reclaimable page cache) rather than process memory (RssAnon).

One process, no DataLoader workers: the figures are per-core throughput.

Usage::

    python benchmarks/bench_data_loading.py [--root /work/shared/datasets/ped2]
        [--decode-windows 100] [--cache-windows 2000] [--cache-dir DIR]
"""
import argparse
import gc
import json
import os
import os.path as osp
import resource
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

WINDOW = 17


def proc_status() -> dict:
    """Current resident memory split (MiB) from /proc/self/status (Linux)."""
    out = {}
    try:
        with open('/proc/self/status') as f:
            for line in f:
                key = line.split(':')[0]
                if key in ('VmRSS', 'RssAnon', 'RssFile', 'RssShmem'):
                    out[key] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return out


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def make_dataset(root: str, split: str, size, cache_dir):
    from vadkit.datasets import VideoWindowDataset
    pipeline = [dict(type='SampleWindow')]
    keys = ('window', )
    if split == 'train':
        pipeline.append(dict(type='SamplePlaybackRateClip', strides=(2, 3, 4, 5),
                             p_original=0.5))
        keys = ('window', 'prp_clip')
    pipeline.append(dict(type='PackClipInputs', keys=keys,
                         meta_keys=('prp_label', ) if split == 'train' else
                         ('video_idx', 'frame_idx', 'label')))
    return VideoWindowDataset(
        layout=dict(type='FramesLayout', root=root), split=split, window_length=WINDOW,
        pipeline=pipeline,
        decode_pipeline=[dict(type='Grayscale'), dict(type='Resize', size=tuple(size))],
        cache_dir=cache_dir)


def window_indices(ds, split: str, n: int, seed: int):
    import numpy as np
    if split == 'train':
        return np.random.default_rng(seed).integers(0, len(ds), n)
    return np.arange(min(n, len(ds)))


def run_mode(args) -> dict:
    """One way of reading frames, in this process; returns its figures."""
    import cv2
    import numpy as np

    from vadkit.utils import register_all_modules
    register_all_modules()
    h, w = args.size
    result = dict(mode=args.mode)
    for split in ('train', 'test'):
        cache_dir = args.cache_dir if args.mode == 'cache' else None
        ds = make_dataset(args.root, split, args.size, cache_dir)
        if args.mode == 'build':
            result[f'{split}_frames'] = int(ds.frames.offsets[-1])
            continue
        n = args.cache_windows if args.mode == 'cache' else args.decode_windows
        idx = window_indices(ds, split, n, args.seed)
        np.random.seed(args.seed)  # the same PRP strides in both modes

        def reference_read(ids, video):
            # The reference code's per-window loading: decode, grayscale, resize, per frame.
            frames = []
            for j in np.asarray(ids).tolist():
                img = cv2.imread(video.frames[j])
                img = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
                frames.append(cv2.resize(img, (w, h)))
            return np.stack(frames)

        result[f'{split}_rss_before_mib'] = proc_status().get('VmRSS')
        t0 = time.perf_counter()
        for i in idx:
            if args.mode == 'cache':
                sample = ds[int(i)]
            else:
                r = ds.window(int(i))
                video = ds.videos[r['video_idx']]
                r['read_frames'] = lambda ids, _v=video: reference_read(ids, _v)
                sample = ds.pipeline(r)
            assert sample['inputs']['window'].shape == (1, WINDOW, h, w)
        took = time.perf_counter() - t0
        result[f'{split}_windows'] = len(idx)
        result[f'{split}_windows_per_s'] = len(idx) / took
        result[f'{split}_rss_after'] = proc_status()
        del ds  # unmap this split's cache before the next split is read
        gc.collect()
    result['peak_rss_mib'] = peak_rss_mib()
    return result


def child(args, mode: str) -> dict:
    cmd = [sys.executable, osp.abspath(__file__), '--mode', mode, '--root', args.root,
           '--size', *map(str, args.size), '--decode-windows', str(args.decode_windows),
           '--cache-windows', str(args.cache_windows), '--cache-dir', args.cache_dir,
           '--seed', str(args.seed)]
    env = dict(os.environ, PYTHONWARNINGS='ignore')
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, env=env, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--root', default='/work/shared/datasets/ped2')
    parser.add_argument('--size', nargs=2, type=int, default=(256, 256))
    parser.add_argument('--decode-windows', type=int, default=100,
                        help='windows timed per split when decoding JPEGs (slow)')
    parser.add_argument('--cache-windows', type=int, default=2000,
                        help='windows timed per split from the cache')
    parser.add_argument('--cache-dir', default=None,
                        help='frame cache directory (default: a temporary one, removed)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--mode', choices=('build', 'cache', 'decode'), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mode:
        print(json.dumps(run_mode(args)))
        return
    if not osp.isdir(args.root):
        sys.exit(f'{args.root} does not exist: pass --root /path/to/ped2 (frames layout)')
    tmp = None
    if args.cache_dir is None:
        tmp = args.cache_dir = tempfile.mkdtemp(prefix='vadkit-bench-cache-')
    try:
        t0 = time.perf_counter()
        built = child(args, 'build')
        build_s = time.perf_counter() - t0
        cache = child(args, 'cache')
        decode = child(args, 'decode')
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    h, w = args.size
    print(f'Ped2 ({args.root}), {h}x{w} grayscale, windows of {WINDOW} frames; one process')
    print(f'cache build (both splits, {built["train_frames"] + built["test_frames"]} frames, '
          f'incl. process start-up): {build_s:.1f} s')
    print(f'{"":28s}{"cache":>12s}{"decode JPEG":>14s}{"speed-up":>10s}')
    for split, what in (('train', 'train windows/s (17 + PRP 16)'),
                        ('test', 'test windows/s (17)')):
        c, d = cache[f'{split}_windows_per_s'], decode[f'{split}_windows_per_s']
        print(f'{what:28s}{c:12.1f}{d:14.1f}{c / d:9.1f}x')
    print(f'{"windows timed (train/test)":28s}'
          f'{cache["train_windows"]:>6d}/{cache["test_windows"]:<5d}'
          f'{decode["train_windows"]:>8d}/{decode["test_windows"]:<5d}')
    print(f'{"peak RSS (ru_maxrss), MiB":28s}{cache["peak_rss_mib"]:12.0f}'
          f'{decode["peak_rss_mib"]:14.0f}')
    print(f'{"RSS before 1st window, MiB":28s}{cache["train_rss_before_mib"]:12.0f}'
          f'{decode["train_rss_before_mib"]:14.0f}')
    for split in ('train', 'test'):
        for key in ('RssAnon', 'RssFile'):
            c = cache[f'{split}_rss_after'].get(key, float('nan'))
            d = decode[f'{split}_rss_after'].get(key, float('nan'))
            print(f'{key + " after " + split + ", MiB":28s}{c:12.0f}{d:14.0f}')
    print('(RssFile of the cache run is the memory-mapped cache file: shared page cache the '
          'kernel can drop, not process memory; RssAnon is process memory)')


if __name__ == '__main__':
    main()
