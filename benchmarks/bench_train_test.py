"""Training and test throughput of LUSS-AE: vadkit's default path against the reference way.

Measures, on UCSD Ped2 (frames layout), data loading included (a dataset and a
``DataLoader`` as training and testing use them):

- training windows/s: one step = the VCR + FFP window forward/backward, the PRP clip
  encoded (forward/backward through the encoder and the PRP head), an Adam update;
- test frames/s: one scored frame per test window (windows of T + 1 frames, stride 1);
- peak memory of each: resident set (``ru_maxrss`` of this process, reset before each
  measurement through ``/proc/self/clear_refs``; DataLoader workers are other processes)
  or, on CUDA, ``torch.cuda.max_memory_allocated``.

Two ways, measured side by side in alternating short rounds (ABBA order), and the figures
are the medians over rounds, with the ratio taken round by round, so that a machine
loaded by other jobs slows both alike:

- ``fast``: vadkit's default path. Frames from the decoded-frame cache (memory-mapped
  uint8), uint8 clips to the model, scaled on the device; the decoder run once per clip;
  the layout the data preprocessor picks for the device (channels-last 3D on CPU and
  CUDA); logits and cross-entropy; test under ``torch.inference_mode`` with BatchNorm
  folded into the convolutions (``vadkit.engine.inference_model``, what
  ``InferenceTestLoop`` runs) and the config's test batch size. Options: ``--amp``,
  ``--compile``, ``--frames device`` (the split on the device, ``DeviceFrameCache``).
- ``reference``: the public reference code's way, implemented here with the same layers
  and weights: every frame of every clip read with ``cv2.imread`` + ``cv2.cvtColor`` +
  ``cv2.resize`` and turned into float32 in the loader; default (contiguous) layout;
  float32; the decoder run twice (once for the reconstruction, once for the prediction);
  the PRP head ending in a softmax and ``CrossEntropyLoss`` applied to that softmax; test
  under ``torch.no_grad`` one window at a time with one loader worker (the reference
  ``test.py`` defaults), the PRP softmax applied once more.

Also printed: MACs per window (``tools/analysis/get_flops.count_macs``, 'all' convention)
and the rate each way achieves, and how far the fast path's scores are from the plain
float32 path's (contiguous, no folding, ``torch.no_grad``) and from the reference
module's on the same windows.

Usage::

    python benchmarks/bench_train_test.py                       # both configs below
    python benchmarks/bench_train_test.py --config configs/luss_ae/luss-ae_3dcae_16x256x256_60e_ped2.py \
        --size 256 --clip-len 16 --iters 1 --rounds 3 --train-batch 2 --test-batch 4

Defaults: the small CPU config (128x128, T = 8) and the paper config (256x256, T = 16);
``--size``/``--clip-len`` override a config's frame size and T; batch sizes and loader
workers come from the config (workers capped at the CPU count) unless given.
"""
import argparse
import contextlib
import copy
import os
import os.path as osp
import resource
import statistics
import sys
import tempfile
import time
from typing import Callable, Dict, Iterator, List, Optional

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, Dataset  # noqa: E402

SMALL_CPU = 'configs/luss_ae/luss-ae_3dcae-w24_8x128x128_cpu_ped2.py'
PAPER = 'configs/luss_ae/luss-ae_3dcae_16x256x256_60e_ped2.py'
REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


# ----------------------------------------------------------------------------- reference
class ReferenceLUSSAE(nn.Module):
    """The reference code's model, with the layers (and weights) of a vadkit model:
    encoder; decoder run twice, ``tanh(dec(code))`` for the reconstruction and
    ``tanh(conv(dec(code)))`` for the prediction; PRP head ending in a softmax."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        heads = {h.name: h for h in model.tasks}
        self.encoder = copy.deepcopy(model.backbone.encoder)
        self.decoder = copy.deepcopy(model.backbone.decoder)
        self.prediction = copy.deepcopy(heads['ffp'].conv)
        prp = heads['prp']
        self.prp_conv, self.prp_pool = copy.deepcopy(prp.conv), copy.deepcopy(prp.pool)
        self.prp_fc = copy.deepcopy(prp.fc)
        self.measures = {'vcr': heads['vcr'].measures['vcr'], 'ffp': heads['ffp'].measures['ffp']}
        for p in self.parameters():  # the reference's default layout
            p.data = p.data.contiguous()

    def decode_twice(self, code):
        recons = torch.tanh(self.decoder(code))
        pred = torch.tanh(self.prediction(self.decoder(code)))
        return pred, recons

    def class_probabilities(self, code):
        x = F.max_pool3d(code, kernel_size=(code.shape[2], 2, 2)).squeeze(2)
        return self.prp_fc(self.prp_pool(self.prp_conv(x)).flatten(1)).softmax(1)

    def train_loss(self, window, prp_clip, prp_label):
        inputs = window[:, :, :-1]
        pred, recons = self.decode_twice(self.encoder(inputs))
        loss_recon = F.mse_loss(recons, inputs, reduction='none').flatten(1).mean(1).mean()
        loss_pred = F.mse_loss(pred, window[:, :, -1:], reduction='none').flatten(1).mean(1)
        probs = self.class_probabilities(self.encoder(prp_clip))
        loss_prp = nn.CrossEntropyLoss()(probs, prp_label)  # cross-entropy of a softmax
        return 0.4 * loss_pred.mean() + 0.6 * loss_recon + 1.0 * loss_prp

    def predict_scores(self, window):
        inputs = window[:, :, :-1]
        code = self.encoder(inputs)
        pred, recons = self.decode_twice(code)
        probs = self.class_probabilities(code)
        return dict(vcr=self.measures['vcr'](recons, inputs).mean(1),
                    ffp=self.measures['ffp'](pred[:, :, 0], window[:, :, -1]),
                    prp=probs[:, 1],  # one softmax, for comparison with vadkit's
                    prp_reference=F.softmax(probs, dim=1)[:, 1])  # the reference's two


class ReferenceWindows(Dataset):
    """The vadkit dataset's windows and sampling, frames read the reference way: each
    frame of each clip decoded from its JPEG, grayscale, resized, float32 in [-1, 1]."""

    def __init__(self, dataset, size: int) -> None:
        self.dataset, self.size = dataset, size

    def __len__(self) -> int:
        return len(self.dataset)

    def read(self, video, ids) -> np.ndarray:
        frames = []
        for j in np.asarray(ids).tolist():
            img = cv2.imread(video.frames[j])
            img = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
            img = cv2.resize(img, (self.size, self.size)).astype(np.float32)
            frames.append(img / 127.5 - 1.0)
        return np.stack(frames)

    def __getitem__(self, idx: int) -> dict:
        r = self.dataset.window(idx)
        video = self.dataset.videos[r['video_idx']]
        r['read_frames'] = lambda ids, _v=video: self.read(_v, ids)
        return self.dataset.pipeline(r)


# ----------------------------------------------------------------------------- helpers
def loadavg() -> str:
    return '/'.join(f'{x:.2f}' for x in os.getloadavg())


def reset_peak_memory(device: torch.device) -> None:
    if device.type == 'cuda':
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
        return
    with contextlib.suppress(OSError):
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')  # reset the peak RSS to the current RSS (Linux >= 4.0)


def peak_memory_mib(device: torch.device) -> float:
    if device.type == 'cuda':
        return torch.cuda.max_memory_allocated(device) / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sync(device: torch.device) -> None:
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def forever(loader) -> Iterator:
    while True:
        yield from loader


def to_device(batch: dict, device: torch.device) -> dict:
    return dict(inputs={k: v.to(device, non_blocking=True) for k, v in batch['inputs'].items()},
                data_samples={k: v.to(device, non_blocking=True) if torch.is_tensor(v) else v
                              for k, v in batch['data_samples'].items()})


def set_config_size(cfg, size: Optional[int], clip_len: Optional[int]) -> None:
    """Frame size and T of every dataloader and of the model."""
    if clip_len:
        cfg.model.clip_len = clip_len
    for key in ('train_dataloader', 'test_dataloader'):
        ds = cfg[key].dataset
        if clip_len:
            ds.window_length = clip_len + 1
        if size:
            pipeline = [dict(t) for t in ds.decode_pipeline if t.get('type') != 'Resize']
            ds.decode_pipeline = pipeline + [dict(type='Resize', size=(size, size))]


def frame_size(cfg) -> int:
    for t in cfg.test_dataloader.dataset.decode_pipeline:
        if t.get('type') == 'Resize':
            s = t['size']
            return s if isinstance(s, int) else s[0]
    raise SystemExit('the config decodes frames without Resize: pass --size')


class Measure:
    """Timings (windows/s per round) and peak memory of one way of doing one thing."""

    def __init__(self) -> None:
        self.rates: List[float] = []
        self.peak = 0.0

    def median(self) -> float:
        return statistics.median(self.rates) if self.rates else float('nan')


def timed(step: Callable[[], int], iters: int, device: torch.device, m: Measure) -> None:
    reset_peak_memory(device)
    sync(device)
    t0 = time.perf_counter()
    windows = sum(step() for _ in range(iters))
    sync(device)
    m.rates.append(windows / (time.perf_counter() - t0))
    m.peak = max(m.peak, peak_memory_mib(device))


# ----------------------------------------------------------------------------- one config
def bench_config(path: str, args, device: torch.device) -> dict:
    from mmengine.optim import AmpOptimWrapper, OptimWrapper

    from vadkit.engine import inference_model
    from vadkit.models import DeviceFrameCache
    from vadkit.registry import DATASETS, MODELS
    from vadkit.utils.run_config import load_config
    sys.path.insert(0, osp.join(REPO, 'tools', 'analysis'))
    from get_flops import count_macs

    cfg = load_config(osp.join(REPO, path) if not osp.isabs(path) else path,
                      data_root=args.root)
    set_config_size(cfg, args.size, args.clip_len)
    size, clip_len = frame_size(cfg), cfg.model.clip_len
    train_bs = args.train_batch or cfg.train_dataloader.batch_size
    test_bs = args.test_batch or cfg.test_dataloader.batch_size
    workers = (args.workers if args.workers is not None else
               min(cfg.train_dataloader.num_workers, os.cpu_count() or 1))
    pin = device.type == 'cuda' and cfg.train_dataloader.get('pin_memory', False)

    datasets = {}
    for split, key in (('train', 'train_dataloader'), ('test', 'test_dataloader')):
        ds_cfg = copy.deepcopy(cfg[key].dataset)
        ds_cfg.cache_dir = args.cache_dir
        datasets[split] = DATASETS.build(ds_cfg)
    print(f'\n=== {osp.basename(path)}: {size}x{size}, T = {clip_len}, train batch {train_bs}, '
          f'test batch {test_bs} (reference: 1), loader workers {workers} '
          f'(reference test: 1), device {device}, torch threads {torch.get_num_threads()}')

    torch.manual_seed(0)
    model = MODELS.build(cfg.model).to(device)
    if args.layout != 'auto':
        flag = args.layout == 'channels_last'
        model.data_preprocessor.channels_last = dict(train=flag, test=flag)
        model.to(device)  # re-lays out the weights
    layouts = {phase: model.data_preprocessor.use_channels_last(device, phase == 'train')
               for phase in ('train', 'test')}
    model.train()
    ref = ReferenceLUSSAE(model).to(device).train()
    opt_fast = torch.optim.Adam(model.parameters(), lr=1e-4)
    wrapper = (AmpOptimWrapper(optimizer=opt_fast, loss_scale='dynamic') if args.amp else
               OptimWrapper(optimizer=opt_fast))
    opt_ref = torch.optim.Adam(ref.parameters(), lr=1e-4)
    train_step = model.train_step
    if args.compile:
        train_step = torch.compile(model.train_step)

    def loader(ds, bs, shuffle, nw):
        return DataLoader(ds, batch_size=bs, shuffle=shuffle, num_workers=nw,
                          persistent_workers=nw > 0, pin_memory=pin, drop_last=shuffle)

    if args.frames == 'device':
        on_device = {s: DeviceFrameCache(d, device) for s, d in datasets.items()}
        gen = torch.Generator().manual_seed(0)

        def epochs(cache, **kw):
            while True:
                yield from cache.batches(**kw)

        fast_train = epochs(on_device['train'], batch_size=train_bs, train=True,
                            drop_last=True, generator=gen)
        fast_test = epochs(on_device['test'], batch_size=test_bs)
    else:
        fast_train = forever(loader(datasets['train'], train_bs, True, workers))
        fast_test = forever(loader(datasets['test'], test_bs, False, workers))
    ref_train = forever(loader(ReferenceWindows(datasets['train'], size), train_bs, True,
                               workers))
    ref_test = forever(loader(ReferenceWindows(datasets['test'], size), 1, False, 1))

    def fast_train_step() -> int:
        torch.backends.cudnn.benchmark = True
        batch = next(fast_train)
        train_step(batch, wrapper)
        return batch['inputs']['window'].shape[0]

    def ref_train_step() -> int:
        torch.backends.cudnn.benchmark = False  # the reference leaves it off
        batch = to_device(next(ref_train), device)
        loss = ref.train_loss(batch['inputs']['window'], batch['inputs']['prp_clip'],
                              batch['data_samples']['prp_label'])
        opt_ref.zero_grad()
        loss.backward()
        opt_ref.step()
        return batch['inputs']['window'].shape[0]

    infer: Dict[str, nn.Module] = {}  # the model as inference_model() prepares it

    def fast_test_step() -> int:
        torch.backends.cudnn.benchmark = True
        batch = next(fast_test)
        with torch.inference_mode(), torch.autocast(device.type, enabled=args.amp):
            infer['model'].test_step(batch)
        return batch['inputs']['window'].shape[0]

    def ref_test_windows(n: int) -> Callable[[], int]:
        def step() -> int:
            torch.backends.cudnn.benchmark = False
            done = 0
            for _ in range(n):
                batch = to_device(next(ref_test), device)
                with torch.no_grad():
                    scores = ref.predict_scores(batch['inputs']['window'])
                    [scores[k].tolist() for k in ('vcr', 'ffp', 'prp_reference')]
                done += batch['inputs']['window'].shape[0]
            return done
        return step

    results: Dict[str, Measure] = {k: Measure() for k in (
        'train_fast', 'train_ref', 'test_fast', 'test_ref')}
    extra = {}
    # warm-up (oneDNN primitives, cuDNN autotuning, worker start-up, compilation)
    if not args.skip_train:
        t0 = time.perf_counter()
        fast_train_step()
        extra['first_train_step_s'] = time.perf_counter() - t0
        ref_train_step()
    if not args.skip_test:
        model.eval()
        ref.eval()
        with inference_model(model, compile=args.compile) as infer['model']:
            t0 = time.perf_counter()
            fast_test_step()
            extra['first_test_step_s'] = time.perf_counter() - t0
        ref_test_windows(1)()
    for r in range(args.rounds):
        order = ('ref', 'fast') if r % 2 == 0 else ('fast', 'ref')
        if not args.skip_train:
            model.train()
            ref.train()
            for way in order:
                timed(fast_train_step if way == 'fast' else ref_train_step, args.iters,
                      device, results[f'train_{way}'])
        if not args.skip_test:
            model.eval()
            ref.eval()
            for way in order:
                if way == 'fast':
                    with inference_model(model, compile=args.compile) as infer['model']:
                        timed(fast_test_step, args.iters, device, results['test_fast'])
                else:
                    timed(ref_test_windows(test_bs), args.iters, device, results['test_ref'])
        print(f'  round {r + 1}/{args.rounds} done, load average {loadavg()}', flush=True)

    # scores: fast path vs plain float32 path vs the reference module, same windows
    model.eval()
    check = next(iter(loader(datasets['test'], min(test_bs, 4), False, 0)))
    check = dict(inputs={k: v.to(device) for k, v in check['inputs'].items()},
                 data_samples=check['data_samples'])
    with inference_model(model) as fast, torch.inference_mode():
        fast_scores = fast.predict_scores(fast.data_preprocessor(
            copy.deepcopy(check), False)['inputs']['window'])
    plain = copy.deepcopy(model)
    plain.data_preprocessor.channels_last = dict(train=False, test=False)
    plain.set_memory_format(torch.contiguous_format)
    with torch.no_grad():
        clip = plain.data_preprocessor(copy.deepcopy(check), False)['inputs']['window']
        plain_scores = plain.predict_scores(clip)
        ref_scores = ReferenceLUSSAE(plain).to(device).eval().predict_scores(clip)

    def rel(a, b):
        return max(((a[k].float() - b[k].float()).abs() / b[k].float().abs().clamp_min(
            1e-12)).max().item() for k in ('vcr', 'ffp', 'prp'))

    extra['rel_fast_vs_plain'] = rel(fast_scores, plain_scores)
    extra['rel_ref_vs_plain'] = rel(ref_scores, plain_scores)
    clip1 = torch.zeros(1, model.backbone.in_channels, clip_len + 1, size, size, device=device)
    extra['macs_fast'] = count_macs(plain, clip1)['all']
    extra['macs_ref'] = count_macs(ReferenceLUSSAE(plain).to(device).eval(), clip1)['all']
    return dict(config=path, size=size, clip_len=clip_len, train_bs=train_bs, test_bs=test_bs,
                workers=workers, layouts=layouts, results=results, **extra)


def report(res: dict, args, device: torch.device) -> None:
    r = res['results']
    mem = 'peak GPU MiB' if device.type == 'cuda' else 'peak RSS MiB'
    names = {True: 'channels-last 3D', False: 'contiguous'}
    print(f'\n{osp.basename(res["config"])} ({res["size"]}x{res["size"]}, T = '
          f'{res["clip_len"]}; fast layout: train {names[res["layouts"]["train"]]}, '
          f'test {names[res["layouts"]["test"]]}'
          f'{", AMP" if args.amp else ""}{", compiled" if args.compile else ""}'
          f'{", frames on device" if args.frames == "device" else ""})')
    print(f'{"":34s}{"reference":>12s}{"fast":>12s}{"speed-up":>10s}   {mem} ref/fast')
    for phase, what in (('train', 'train windows/s (incl. PRP clip)'),
                        ('test', 'test frames/s (= windows/s)')):
        ref, fast = r[f'{phase}_ref'], r[f'{phase}_fast']
        if not fast.rates:
            continue
        ratios = [f / b for f, b in zip(fast.rates, ref.rates)]
        print(f'{what:34s}{ref.median():12.3f}{fast.median():12.3f}'
              f'{statistics.median(ratios):9.2f}x   {ref.peak:.0f}/{fast.peak:.0f}')
        print(f'{"  per round (ratio)":34s}' + '  '.join(f'{x:.2f}' for x in ratios))
    gm = 1e9
    print(f'MACs per test window (all convs incl. transposed): reference '
          f'{res["macs_ref"] / gm:.2f} G, fast {res["macs_fast"] / gm:.2f} G '
          f'({res["macs_ref"] / res["macs_fast"]:.2f}x fewer)')
    if r['test_fast'].rates:
        print(f'achieved test MAC rate: reference '
              f'{res["macs_ref"] * r["test_ref"].median() / gm:.1f} GMAC/s, fast '
              f'{res["macs_fast"] * r["test_fast"].median() / gm:.1f} GMAC/s')
    for k in ('first_train_step_s', 'first_test_step_s'):
        if k in res:
            print(f'{k.replace("_", " ")} (warm-up{", compile" if args.compile else ""}): '
                  f'{res[k]:.1f} s')
    print(f'max relative score difference (vcr, ffp, prp) on {min(res["test_bs"], 4)} test '
          f'windows: fast vs plain float32 {res["rel_fast_vs_plain"]:.1e}; reference module '
          f'vs plain {res["rel_ref_vs_plain"]:.1e}')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--config', action='append',
                        help=f'config(s) to measure (default: {SMALL_CPU} and {PAPER})')
    parser.add_argument('--size', type=int, help='frame size (default: the config\'s)')
    parser.add_argument('--clip-len', type=int, help='T (default: the config\'s)')
    parser.add_argument('--iters', type=int, default=2,
                        help='training steps / fast test batches per round (the reference '
                        'tests as many windows, one at a time)')
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--device', choices=('cpu', 'cuda'),
                        default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--train-batch', type=int, help='default: the config\'s')
    parser.add_argument('--test-batch', type=int, help='default: the config\'s')
    parser.add_argument('--workers', type=int,
                        help='DataLoader workers (default: the config\'s, at most the CPUs)')
    parser.add_argument('--root', default='/work/shared/datasets/ped2')
    parser.add_argument('--cache-dir', default='auto',
                        help='decoded-frame cache (default: $VADKIT_CACHE_DIR or '
                        '~/.cache/vadkit; "tmp" for a temporary one)')
    parser.add_argument('--layout', choices=('auto', 'channels_last', 'contiguous'),
                        default='auto', help='fast path layout (default: the preprocessor\'s)')
    parser.add_argument('--frames', choices=('loader', 'device'), default='loader',
                        help='fast path frames: DataLoader over the frame cache, or the '
                        'whole split on the device (DeviceFrameCache)')
    parser.add_argument('--amp', action='store_true', help='fast path in mixed precision')
    parser.add_argument('--compile', action='store_true', help='torch.compile the fast path')
    parser.add_argument('--threads', type=int, help='torch.set_num_threads')
    parser.add_argument('--skip-train', action='store_true')
    parser.add_argument('--skip-test', action='store_true')
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.amp and args.device != 'cuda':
        sys.exit('--amp is for GPUs (float16/bfloat16 autocast)')
    if not osp.isdir(args.root):
        sys.exit(f'{args.root} does not exist: pass --root /path/to/ped2 (frames layout)')
    from vadkit.utils import register_all_modules
    register_all_modules()
    device = torch.device(args.device)
    tmp = None
    if args.cache_dir == 'tmp':
        tmp = args.cache_dir = tempfile.mkdtemp(prefix='vadkit-bench-cache-')
    print(f'load average (1/5/15 min) at start: {loadavg()}; {os.cpu_count()} CPUs; '
          f'torch {torch.__version__}')
    try:
        for path in args.config or [SMALL_CPU, PAPER]:
            res = bench_config(path, args, device)
            report(res, args, device)
    finally:
        if tmp:
            import shutil
            shutil.rmtree(tmp, ignore_errors=True)
    print(f'load average at end: {loadavg()}')


if __name__ == '__main__':
    main()
