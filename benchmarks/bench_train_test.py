"""Training and test throughput of LUSS-AE: vadkit's default path against the reference way.

Measures, on UCSD Ped2 (frames layout), data loading included (a dataset and a
``DataLoader`` as training and testing use them):

- training windows/s: one step = the VCR + FFP window forward/backward, the PRP clip
  encoded (forward/backward through the encoder and the PRP head), an Adam update;
- test frames/s: one scored frame per test window (windows of T + 1 frames, stride 1);
- peak memory of each: resident set (``ru_maxrss`` of the way's process, reset before each
  measurement through ``/proc/self/clear_refs``; DataLoader workers are other processes)
  or, on CUDA, ``torch.cuda.max_memory_allocated``.

Two ways, measured side by side in alternating short rounds (ABBA order), and the figures
are the medians over rounds, with the ratio taken round by round, so that a machine
loaded by other jobs slows both alike. Each way runs in a process of its own (started
once, then told when to run a round), so that it keeps its own process-wide settings and
its own peak memory:

- ``fast``: vadkit's default path. Frames from the decoded-frame cache (memory-mapped
  uint8), uint8 clips to the model, scaled on the device; the decoder run once per clip;
  the layout the data preprocessor picks for the device (channels-last 3D on CPU and
  CUDA); in training on a CPU, each convolution's weight gradient from oneDNN or from
  matrix multiplies, whichever was measured faster for its shape
  (``vadkit.models.layers``, ``weight_grad='auto'``); logits and cross-entropy; test
  under ``torch.inference_mode`` with BatchNorm folded into the convolutions
  (``vadkit.engine.inference_model``, what ``InferenceTestLoop`` runs) and the config's
  test batch size; freed CPU memory kept in the process (glibc ``mallopt``, what vadkit's
  runs set through ``CPUAllocatorHook``; ``--default-allocator`` leaves it out). Options:
  ``--amp``, ``--compile``, ``--frames device`` (the split on the device,
  ``DeviceFrameCache``).
- ``reference``: the public reference code's way, implemented here with the same layers
  and weights: every frame of every clip read with ``cv2.imread`` + ``cv2.cvtColor`` +
  ``cv2.resize`` and turned into float32 in the loader; default (contiguous) layout;
  float32; the decoder run twice (once for the reconstruction, once for the prediction);
  the PRP head ending in a softmax and ``CrossEntropyLoss`` applied to that softmax; test
  under ``torch.no_grad`` one window at a time with one loader worker (the reference
  ``test.py`` defaults), the PRP softmax applied once more. Training batches and loader
  workers are the fast path's. (The reference's training loader decodes 51 frames a
  sample, two PRP candidates of 17 and the window; this one decodes the 33 used, which
  favours the reference slightly.) The C library's default allocator settings. A last
  row runs the reference with the fast path's allocator setting as well, to tell the
  allocator's share from the code's.

``--ablation`` adds the steps between the two, one at a time (decoder once; frame cache
and uint8 clips; layout; in training the weight gradients; at test time the test batch
and BatchNorm folding with ``inference_mode``), to show where the speed-up comes from.

Also printed: MACs per window (``vadkit.utils.complexity.count_macs``, 'all' convention)
and the rate each way achieves, and how far the fast path's scores are from the plain
float32 path's (contiguous, no folding, ``torch.no_grad``) and from the reference
module's on the same windows.

Usage::

    python benchmarks/bench_train_test.py                       # both configs below
    python benchmarks/bench_train_test.py \
        --config configs/luss_ae/luss-ae_3dcae_16x256x256_60e_ped2.py --size 256 \
        --clip-len 16 --iters 1 --rounds 3 --train-batch 2 --test-batch 4 --ablation

Defaults: the small CPU config (128x128, T = 8) and the paper config (256x256, T = 16);
``--size``/``--clip-len`` override a config's frame size and T; batch sizes and loader
workers come from the config (workers capped at the CPU count) unless given; on a CPU,
frames of 256x256 or more are measured 2 windows at a time by default (training and test).
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
from typing import Callable, Dict, Iterator, List, Optional, Tuple

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset

from vadkit.models.layers import set_weight_grad
from vadkit.utils import cpu_allocator

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
        self.measures = {k: heads[k].measures[k] for k in ('vcr', 'ffp')}
        set_weight_grad(self, 'native')  # PyTorch's own convolution kernels
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

    def __init__(self, dataset, size: Tuple[int, int]) -> None:
        self.dataset, self.size = dataset, size  # (height, width)

    def __len__(self) -> int:
        return len(self.dataset)

    def read(self, video, ids) -> np.ndarray:
        frames = []
        for j in np.asarray(ids).tolist():
            img = cv2.imread(video.frames[j])
            img = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
            img = cv2.resize(img, self.size[::-1]).astype(np.float32)
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


class Measure:
    """Timings (windows/s per round) and peak memory of one way of doing one thing."""

    def __init__(self) -> None:
        self.rates: List[float] = []
        self.peak = 0.0

    def median(self) -> float:
        return statistics.median(self.rates) if self.rates else float('nan')


class Variant:
    """One way of running training steps or test batches.

    Args:
        name: Row label.
        step: Runs one step (a training step, or test windows) and returns the windows.
        enter: Returns the context entered around each timed round (train/eval mode,
            the test loop's preparation of the model).
        keep_memory: Run with freed CPU memory kept in the process
            (``vadkit.utils.cpu_allocator.keep_freed_memory``, what vadkit's
            ``CPUAllocatorHook`` sets) rather than with the C library's defaults.
    """

    def __init__(self, name: str, step: Callable[[], int],
                 enter: Callable[[], contextlib.AbstractContextManager],
                 keep_memory: bool = False) -> None:
        self.name, self.step, self.enter = name, step, enter
        self.keep_memory = keep_memory
        self.measure = Measure()


def timed(v: Variant, iters: int, device: torch.device) -> None:
    with v.enter():
        reset_peak_memory(device)
        sync(device)
        t0 = time.perf_counter()
        windows = sum(v.step() for _ in range(iters))
        sync(device)
        v.measure.rates.append(windows / (time.perf_counter() - t0))
        v.measure.peak = max(v.measure.peak, peak_memory_mib(device))


@contextlib.contextmanager
def mode(*modules: nn.Module, train: bool) -> Iterator[None]:
    for m in modules:
        m.train(train)
    yield


# ----------------------------------------------------------------------------- one config
def build_variants(path: str, args, device: torch.device,
                   verbose: bool = True) -> Tuple[dict, Dict[str, List[Variant]], Callable]:
    """The ways of running one config (training and test), not yet run, and a function
    that compares their scores. Deterministic (seeded), so every process builds the same."""
    from mmengine.optim import AmpOptimWrapper, OptimWrapper

    from vadkit.engine import inference_model
    from vadkit.models import DeviceFrameCache
    from vadkit.registry import DATASETS, MODELS
    from vadkit.utils.run_config import load_config

    cfg = load_config(osp.join(REPO, path) if not osp.isabs(path) else path,
                      data_root=args.root)
    set_config_size(cfg, args.size, args.clip_len)
    clip_len = cfg.model.clip_len
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
    size = tuple(datasets['test'].frames.read(0, np.arange(1)).shape[1:3])  # (H, W)
    if device.type == 'cpu' and size[0] * size[1] >= 256 * 256:
        # a full-size window takes seconds forward and backward on a few CPU cores: keep
        # the rounds short (and 2 windows at a time is the fastest test batch on 2 cores)
        train_bs = args.train_batch or min(train_bs, 2)
        test_bs = args.test_batch or min(test_bs, 2)
    if verbose:
        print(f'\n=== {osp.basename(path)}: {size[0]}x{size[1]}, T = {clip_len}, train batch '
              f'{train_bs}, test batch {test_bs} (reference: 1), loader workers {workers} '
              f'(reference test: 1), device {device}, torch threads '
              f'{torch.get_num_threads()}; each way in its own process', flush=True)

    torch.manual_seed(0)
    base = MODELS.build(cfg.model).to(device)
    if args.layout != 'auto':
        flag = args.layout == 'channels_last'
        base.data_preprocessor.channels_last = dict(train=flag, test=flag)
        base.to(device)  # re-lays out the weights
    layouts = {phase: base.data_preprocessor.use_channels_last(device, phase == 'train')
               for phase in ('train', 'test')}
    names = {True: 'channels-last', False: 'contiguous'}

    def vadkit_model(channels_last: Optional[Dict[str, bool]] = None,
                     weight_grad: Optional[str] = None) -> nn.Module:
        """A copy of the model (same weights), optionally with other layouts."""
        m = copy.deepcopy(base)
        if weight_grad is not None:
            set_weight_grad(m, weight_grad)
        if channels_last is not None:
            m.data_preprocessor.channels_last = dict(channels_last)
            m.to(device)
        return m

    def loader(ds, bs, shuffle, nw):
        return DataLoader(ds, batch_size=bs, shuffle=shuffle, num_workers=nw,
                          persistent_workers=nw > 0, pin_memory=pin, drop_last=shuffle)

    # data: the reference's decoded-per-window float32 loaders and vadkit's (frame cache)
    ref_train = forever(loader(ReferenceWindows(datasets['train'], size), train_bs, True,
                               workers))
    ref_test1 = forever(loader(ReferenceWindows(datasets['test'], size), 1, False, 1))
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

    # ------------------------------------------------------------------ training variants
    def ref_train_variant(name: str = 'reference', keep_memory: bool = False) -> Variant:
        ref = ReferenceLUSSAE(base).to(device)
        opt = torch.optim.Adam(ref.parameters(), lr=1e-4)

        def step() -> int:
            torch.backends.cudnn.benchmark = False  # the reference leaves it off
            batch = to_device(next(ref_train), device)
            loss = ref.train_loss(batch['inputs']['window'], batch['inputs']['prp_clip'],
                                  batch['data_samples']['prp_label'])
            opt.zero_grad()
            loss.backward()
            opt.step()
            return batch['inputs']['window'].shape[0]
        return Variant(name, step, lambda: mode(ref, train=True), keep_memory)

    def vadkit_train_variant(name, batches, model, compile=False, amp=False,
                             keep_memory=False) -> Variant:
        opt = torch.optim.Adam(model.parameters(), lr=1e-4)
        wrapper = (AmpOptimWrapper(optimizer=opt, loss_scale='dynamic') if amp else
                   OptimWrapper(optimizer=opt))
        train_step = torch.compile(model.train_step) if compile else model.train_step

        def step() -> int:
            torch.backends.cudnn.benchmark = True
            batch = next(batches)
            train_step(batch, wrapper)
            return batch['inputs']['window'].shape[0]
        return Variant(name, step, lambda: mode(model, train=True), keep_memory)

    # ------------------------------------------------------------------ test variants
    def ref_test_variant(name: str = 'reference', keep_memory: bool = False) -> Variant:
        ref = ReferenceLUSSAE(base).to(device)

        def step() -> int:
            torch.backends.cudnn.benchmark = False
            done = 0
            for _ in range(test_bs):  # as many windows as a fast batch, one at a time
                batch = to_device(next(ref_test1), device)
                with torch.no_grad():
                    scores = ref.predict_scores(batch['inputs']['window'])
                    [scores[k].tolist() for k in ('vcr', 'ffp', 'prp_reference')]
                done += batch['inputs']['window'].shape[0]
            return done
        return Variant(name, step, lambda: mode(ref, train=False), keep_memory)

    def vadkit_test_variant(name, batches, model, windows_per_step, prepared=True,
                            compile=False, amp=False, keep_memory=False) -> Variant:
        holder: Dict[str, nn.Module] = {}

        def step() -> int:
            torch.backends.cudnn.benchmark = True
            done = 0
            while done < windows_per_step:
                batch = next(batches)
                grad_off = torch.inference_mode() if prepared else torch.no_grad()
                with grad_off, torch.autocast(device.type, enabled=amp):
                    holder['model'].test_step(batch)
                done += batch['inputs']['window'].shape[0]
            return done

        @contextlib.contextmanager
        def enter():
            model.eval()
            if prepared:  # what InferenceTestLoop does: test layout, BN folded
                with inference_model(model, compile=compile) as m:
                    holder['model'] = m
                    yield
            else:  # mmengine's TestLoop: eval mode, as the weights are, torch.no_grad
                holder['model'] = model
                yield
        return Variant(name, step, enter, keep_memory)

    train_variants: List[Variant] = []
    test_variants: List[Variant] = []
    # vadkit's runs keep freed CPU memory in the process (CPUAllocatorHook); the last row
    # gives the reference the same setting, to show what is the allocator and what the code
    keep = not args.default_allocator and cpu_allocator.supported()
    contiguous = dict(train=False, test=False)
    if not args.skip_train:
        train_variants.append(ref_train_variant())
        if args.ablation:
            train_variants.append(vadkit_train_variant(
                'decoder once (contiguous, JPEG per window)', ref_train,
                vadkit_model(contiguous)))
            train_variants.append(vadkit_train_variant(
                '+ frame cache, uint8 clips', fast_train, vadkit_model(contiguous)))
            if not layouts['train']:  # the default trains contiguous: show the other
                train_variants.append(vadkit_train_variant(
                    '  (channels-last instead, for comparison)', fast_train,
                    vadkit_model(dict(train=True, test=True))))
            else:
                train_variants.append(vadkit_train_variant(
                    '+ channels-last layout (oneDNN weight gradients)', fast_train,
                    vadkit_model(weight_grad='native')))
            train_variants.append(vadkit_train_variant(
                '+ weight gradients \'auto\'', fast_train, vadkit_model()))
        train_variants.append(vadkit_train_variant(
            f'fast (+ {names[layouts["train"]]} layout, weight gradients \'auto\', freed '
            f'memory kept{", AMP" if args.amp else ""}{", compiled" if args.compile else ""})',
            fast_train, vadkit_model(), compile=args.compile, amp=args.amp,
            keep_memory=keep))
        if keep:
            train_variants.append(ref_train_variant('reference, freed memory kept', True))
    if not args.skip_test:
        test_variants.append(ref_test_variant())
        if args.ablation:
            test_variants.append(vadkit_test_variant(
                'decoder once (contiguous, JPEG per window)', ref_test1,
                vadkit_model(contiguous), test_bs, prepared=False))
            fast_test1 = forever(loader(datasets['test'], 1, False, 1))
            test_variants.append(vadkit_test_variant(
                '+ frame cache, uint8 clips', fast_test1, vadkit_model(contiguous), test_bs,
                prepared=False))
            test_variants.append(vadkit_test_variant(
                f'+ batch {test_bs}, {workers} loader workers', fast_test,
                vadkit_model(contiguous), test_bs, prepared=False))
            test_variants.append(vadkit_test_variant(
                f'+ {names[layouts["test"]]} layout', fast_test,
                vadkit_model(dict(train=layouts['test'], test=layouts['test'])), test_bs,
                prepared=False))
            test_variants.append(vadkit_test_variant(
                '+ BN folded, inference_mode', fast_test, vadkit_model(), test_bs))
        test_variants.append(vadkit_test_variant(
            'fast (+ BN folded, inference_mode, freed memory kept'
            f'{", AMP" if args.amp else ""}{", compiled" if args.compile else ""})',
            fast_test, vadkit_model(), test_bs, compile=args.compile, amp=args.amp,
            keep_memory=keep))
        if keep:
            test_variants.append(ref_test_variant('reference, freed memory kept', True))

    test_iters = max(1, -(-(args.test_windows or train_bs * args.iters) // test_bs))
    info = dict(config=path, size=size, clip_len=clip_len, train_bs=train_bs, test_bs=test_bs,
                workers=workers, layouts=layouts,
                iters=dict(train=args.iters, test=test_iters))
    variants = dict(train=train_variants, test=test_variants)
    return info, variants, lambda: compare_scores(datasets, vadkit_model, base, loader,
                                                  test_bs, clip_len, size, device)


def compare_scores(datasets, vadkit_model, base, loader, test_bs, clip_len, size,
                   device) -> dict:
    """Scores of the fast path, the plain float32 path and the reference module on the
    same test windows, and the MACs of a window each way."""
    from vadkit.engine import inference_model
    from vadkit.utils.complexity import count_macs
    extra = {}
    contiguous = dict(train=False, test=False)
    check = next(iter(loader(datasets['test'], min(test_bs, 4), False, 0)))
    check = dict(inputs={k: v.to(device) for k, v in check['inputs'].items()},
                 data_samples=check['data_samples'])
    with inference_model(vadkit_model()) as fast, torch.inference_mode():
        fast_scores = fast.predict_scores(fast.data_preprocessor(
            copy.deepcopy(check), False)['inputs']['window'])
    plain = vadkit_model(contiguous).eval()
    with torch.no_grad():
        clip = plain.data_preprocessor(copy.deepcopy(check), False)['inputs']['window']
        plain_scores = plain.predict_scores(clip)
        ref_scores = ReferenceLUSSAE(plain).to(device).eval().predict_scores(clip)

    def rel(a, b):
        return max(((a[k].float() - b[k].float()).abs() / b[k].float().abs().clamp_min(
            1e-12)).max().item() for k in ('vcr', 'ffp', 'prp'))

    extra['rel_fast_vs_plain'] = rel(fast_scores, plain_scores)
    extra['rel_ref_vs_plain'] = rel(ref_scores, plain_scores)
    clip1 = torch.zeros(1, base.backbone.in_channels, clip_len + 1, *size, device=device)
    extra['macs_fast'] = count_macs(plain, clip1)['all']
    extra['macs_ref'] = count_macs(ReferenceLUSSAE(plain).to(device).eval(), clip1)['all']
    return extra


# ----------------------------------------------------------------------------- processes
def setup(args) -> torch.device:
    if args.threads:
        torch.set_num_threads(args.threads)
    from vadkit.utils import register_all_modules
    register_all_modules()
    return torch.device(args.device)


def serve(conn, path: str, args: argparse.Namespace, phase: str, index: int) -> None:
    """One way of running, in a process of its own: so that process-wide settings (the C
    library's allocator) are each way's own, and peak memory is measured per way."""
    device = setup(args)
    _, variants, _ = build_variants(path, args, device, verbose=False)
    v = variants[phase][index]
    if v.keep_memory:
        cpu_allocator.keep_freed_memory()
    conn.send('ready')
    while True:
        cmd, iters = conn.recv()
        if cmd == 'warmup':
            with v.enter():
                t0 = time.perf_counter()
                v.step()
            conn.send(time.perf_counter() - t0)
        elif cmd == 'round':
            timed(v, iters, device)
            conn.send((v.measure.rates[-1], v.measure.peak))
        else:
            return


class VariantProcess:
    """A :func:`serve` process and the parent's end of its pipe."""

    def __init__(self, ctx, path: str, args, phase: str, index: int) -> None:
        self.conn, child = ctx.Pipe()
        # not a daemon: its DataLoader may start worker processes of its own
        self.process = ctx.Process(target=serve, args=(child, path, args, phase, index))
        self.process.start()
        child.close()

    def ask(self, cmd: str, iters: int = 0):
        self.conn.send((cmd, iters))
        try:
            return self.conn.recv()
        except EOFError:
            self.process.join(5)
            raise RuntimeError(f'a benchmark process died (exit code '
                               f'{self.process.exitcode}); see its traceback above') from None

    def close(self) -> None:
        with contextlib.suppress(OSError, BrokenPipeError):
            self.conn.send(('stop', 0))
        self.process.join(30)
        if self.process.is_alive():
            self.process.kill()


def bench_config(path: str, args, device: torch.device) -> dict:
    """Every way of one config, each in its own process, in alternating rounds."""
    import multiprocessing
    info, variants, compare = build_variants(path, args, device)
    ctx = multiprocessing.get_context('spawn')
    procs: Dict[Tuple[str, int], VariantProcess] = {}
    try:
        for phase, vs in variants.items():
            for i in range(len(vs)):
                procs[phase, i] = VariantProcess(ctx, path, args, phase, i)
        for p in procs.values():
            try:
                p.conn.recv()  # 'ready': built its model and data
            except EOFError:
                raise RuntimeError('a benchmark process died while starting; see its '
                                   'traceback above') from None
        # warm-up (oneDNN primitives, weight-gradient choice, cuDNN autotuning, loader
        # workers, compilation), one process at a time
        extra = {}
        for phase, vs in variants.items():
            for i in range(len(vs)):
                seconds = procs[phase, i].ask('warmup')
                if vs[i].name.startswith('fast'):
                    extra[f'first_{phase}_step_s'] = seconds
        for r in range(args.rounds):
            for phase, vs in variants.items():
                order = list(range(len(vs)))
                for i in (order if r % 2 == 0 else order[::-1]):  # ABBA order
                    rate, peak = procs[phase, i].ask('round', info['iters'][phase])
                    vs[i].measure.rates.append(rate)
                    vs[i].measure.peak = max(vs[i].measure.peak, peak)
            print(f'  round {r + 1}/{args.rounds} done, load average {loadavg()}', flush=True)
    finally:
        for p in procs.values():
            p.close()
    return dict(info, train=variants['train'], test=variants['test'], **extra, **compare())


def report(res: dict, args, device: torch.device) -> None:
    mem = 'peak GPU MiB' if device.type == 'cuda' else 'peak RSS MiB'
    print(f'\n{osp.basename(res["config"])}: {res["size"][0]}x{res["size"][1]}, T = '
          f'{res["clip_len"]}, train batch {res["train_bs"]}, test batch {res["test_bs"]} '
          f'(reference 1), {res["workers"]} loader workers, load average now {loadavg()}')
    for phase, what in (('train', 'training windows/s (window + PRP clip)'),
                        ('test', 'test frames/s (= windows/s)')):
        variants = res[phase]
        if not variants:
            continue
        ref = variants[0].measure
        print(f'{what:46s}{"median":>8s}{"vs ref":>8s}  {"per round":16s}{mem:>13s}')
        for v in variants:
            ratios = [x / y for x, y in zip(v.measure.rates, ref.rates)]
            print(f'  {v.name:44s}{v.measure.median():8.3f}{statistics.median(ratios):7.2f}x  '
                  f'{" ".join(f"{x:.2f}" for x in ratios):16s}{v.measure.peak:13.0f}')
        fast = [v for v in variants if v.name.startswith('fast')]
        kept = [v for v in variants if v.name == 'reference, freed memory kept']
        if fast and kept:
            ratios = [x / y for x, y in zip(fast[0].measure.rates, kept[0].measure.rates)]
            print(f'  fast vs the reference with the same allocator setting: '
                  f'{statistics.median(ratios):.2f}x ({" ".join(f"{x:.2f}" for x in ratios)})')
    gm = 1e9
    print(f'MACs per test window (all convs incl. transposed): reference '
          f'{res["macs_ref"] / gm:.2f} G, vadkit {res["macs_fast"] / gm:.2f} G '
          f'({res["macs_ref"] / res["macs_fast"]:.2f}x fewer)')
    if res['test']:
        ref = res['test'][0].measure
        fast = next(v for v in res['test'] if v.name.startswith('fast')).measure
        print(f'achieved test MAC rate: reference {res["macs_ref"] * ref.median() / gm:.1f} '
              f'GMAC/s, fast {res["macs_fast"] * fast.median() / gm:.1f} GMAC/s')
    for k in ('first_train_step_s', 'first_test_step_s'):
        if k in res:
            print(f'{k.replace("_", " ")} of the fast path (warm-up'
                  f'{", compilation" if args.compile else ""}): {res[k]:.1f} s')
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
    parser.add_argument('--iters', type=int, default=2, help='training steps per round')
    parser.add_argument('--test-windows', type=int,
                        help='test windows per round, both ways (default: as many as a '
                        'training round)')
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
    parser.add_argument('--ablation', action='store_true',
                        help='also measure the steps from the reference way to the fast '
                        'path one at a time (decoder once, frame cache, batch, layout)')
    parser.add_argument('--thp', action='store_true',
                        help='transparent huge pages for PyTorch CPU tensors '
                        '(THP_MEM_ALLOC_ENABLE=1, both ways alike)')
    parser.add_argument('--default-allocator', action='store_true',
                        help='run vadkit\'s way with the C library\'s default allocator '
                        'settings too (by default it keeps freed memory, as vadkit\'s '
                        'CPUAllocatorHook does, and the reference is also shown with it)')
    parser.add_argument('--skip-train', action='store_true')
    parser.add_argument('--skip-test', action='store_true')
    args = parser.parse_args()
    if args.thp and os.environ.get('THP_MEM_ALLOC_ENABLE') != '1':
        # read once by PyTorch's CPU allocator, so set before torch starts: run again
        os.execve(sys.executable, [sys.executable] + sys.argv,
                  dict(os.environ, THP_MEM_ALLOC_ENABLE='1'))
    if args.amp and args.device != 'cuda':
        sys.exit('--amp is for GPUs (float16/bfloat16 autocast)')
    if not osp.isdir(args.root):
        sys.exit(f'{args.root} does not exist: pass --root /path/to/ped2 (frames layout)')
    device = setup(args)
    tmp = None
    if args.cache_dir == 'tmp':
        tmp = args.cache_dir = tempfile.mkdtemp(prefix='vadkit-bench-cache-')
    print(f'load average (1/5/15 min) at start: {loadavg()}; {os.cpu_count()} CPUs; '
          f'torch {torch.__version__}; THP_MEM_ALLOC_ENABLE='
          f'{os.environ.get("THP_MEM_ALLOC_ENABLE", "unset")}', flush=True)
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
