"""How close the test pass comes to the hardware: its multiply-accumulate rate against a
plain large float32 matrix multiply on the same device.

- model: MACs of one test window (``vadkit.utils.complexity.count_macs``, 'all'
  convention: every convolution, transposed ones included, and linear layers) times
  windows scored per second, for the test pass as vadkit runs it (the layout the data
  preprocessor picks for testing, BatchNorm folded, ``torch.inference_mode``, a batch of
  windows; no data loading, inputs already on the device; freed CPU memory kept in the
  process, as vadkit's runs do, unless ``--default-allocator``);
- matmul: ``torch.mm`` of two n x n float32 matrices (n = 4096 by default), n^3 MACs;
- the same product as a 1x1 convolution (n channels in and out over n positions,
  channels-last), which runs on the convolution library the model uses (oneDNN on CPU,
  cuDNN on CUDA). On AMD CPUs ``torch.mm`` (Intel MKL) can reach only about half of what
  oneDNN does, so the better of the two is the attainable rate.

The fractions model / matmul say how much of the attainable dense float32 rate the model
uses. All are timed in alternating rounds (medians) so that load from other jobs affects
them alike; the load average is printed.

Usage::

    python benchmarks/bench_mac_rate.py [--config CFG] [--size 256] [--clip-len 16]
        [--batch 4] [--rounds 3] [--n 4096] [--device cpu|cuda] [--amp]
"""
import argparse
import os
import os.path as osp
import statistics
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import torch

PAPER = 'configs/luss_ae/luss-ae_3dcae_16x256x256_60e_ped2.py'


def sync(device: torch.device) -> None:
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', default=PAPER)
    parser.add_argument('--size', type=int, default=256)
    parser.add_argument('--clip-len', type=int, help='T (default: the config\'s)')
    parser.add_argument('--batch', type=int, default=4, help='test windows per forward')
    parser.add_argument('--iters', type=int, default=2, help='forwards per round')
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--n', type=int, default=4096,
                        help='matrix size of the reference products (a square number)')
    parser.add_argument('--device', choices=('cpu', 'cuda'),
                        default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--amp', action='store_true',
                        help='model and matmul in bfloat16 autocast (GPU)')
    parser.add_argument('--default-allocator', action='store_true',
                        help='leave the C library\'s allocator settings as they are')
    args = parser.parse_args()

    from vadkit.engine import inference_model
    from vadkit.registry import MODELS
    from vadkit.utils import register_all_modules
    from vadkit.utils.complexity import count_macs
    from vadkit.utils.cpu_allocator import keep_freed_memory
    from vadkit.utils.run_config import load_config
    register_all_modules()
    if not args.default_allocator:
        keep_freed_memory()  # what vadkit's runs do (CPUAllocatorHook)
    device = torch.device(args.device)
    cfg = load_config(args.config)
    if args.clip_len:
        cfg.model.clip_len = args.clip_len
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).to(device).eval()
    t, c, s = model.clip_len, model.backbone.in_channels, args.size
    macs = count_macs(model, torch.zeros(1, c, t + 1, s, s, device=device))['all']
    batch = dict(inputs=dict(window=torch.randint(0, 256, (args.batch, c, t + 1, s, s),
                                                  dtype=torch.uint8, device=device)),
                 data_samples={})
    n = args.n
    dtype = torch.bfloat16 if args.amp else torch.float32
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)

    def run_model() -> None:
        with torch.inference_mode(), torch.autocast(device.type, enabled=args.amp):
            data = infer.data_preprocessor(dict(inputs=dict(batch['inputs']),
                                                data_samples={}), False)
            infer.predict_scores(data['inputs']['window'])

    side = int(round(n ** 0.5))  # n positions as a side x side image (n a square)
    if side * side != n:
        sys.exit(f'--n must be a square number (4096, 8192 is not: use 9216), got {n}')
    x = torch.randn(1, n, side, side, device=device,
                    dtype=dtype).contiguous(memory_format=torch.channels_last)
    w = torch.randn(n, n, 1, 1, device=device,
                    dtype=dtype).contiguous(memory_format=torch.channels_last)

    def run_mm() -> None:
        torch.mm(a, b)

    def run_conv() -> None:
        with torch.inference_mode():
            torch.nn.functional.conv2d(x, w)

    runs = {'model': run_model, 'matmul': run_mm, 'conv1x1': run_conv}
    rates = {k: [] for k in runs}
    print(f'load average (1/5/15 min) at start: '
          f'{"/".join(f"{x:.2f}" for x in os.getloadavg())}; device {device}; torch '
          f'{torch.__version__}; threads {torch.get_num_threads()}')
    with inference_model(model) as infer:
        for run in runs.values():  # warm-up
            run()
        for r in range(args.rounds):
            for what in (list(runs) if r % 2 == 0 else list(runs)[::-1]):
                sync(device)
                t0 = time.perf_counter()
                for _ in range(args.iters):
                    runs[what]()
                sync(device)
                dt = (time.perf_counter() - t0) / args.iters
                rates[what].append((macs * args.batch if what == 'model' else n**3) / dt)
    med = {k: statistics.median(v) for k, v in rates.items()}
    precision = 'bfloat16 autocast' if args.amp else 'float32'
    print(f'{osp.basename(args.config)}: test pass {c}x{t + 1}x{s}x{s} windows, batch '
          f'{args.batch}, {macs / 1e9:.2f} GMAC per window (all convs incl. transposed), '
          f'{precision}')
    print(f'model test pass        : {med["model"] / 1e9:8.1f} GMAC/s  '
          f'({med["model"] / macs:.2f} windows/s)')
    library = 'oneDNN' if device.type == 'cpu' else 'cuDNN'
    for key, what in (('matmul', f'torch.mm {n}x{n}'),
                      ('conv1x1', f'1x1 conv ({library}), same n')):
        fractions = [x / y for x, y in zip(rates['model'], rates[key])]
        print(f'{what:23s}: {med[key] / 1e9:8.1f} GMAC/s; model fraction '
              f'{statistics.median(fractions):.2f} (per round: '
              f'{", ".join(f"{f:.2f}" for f in fractions)})')
    print(f'load average at end: {"/".join(f"{x:.2f}" for x in os.getloadavg())}')


if __name__ == '__main__':
    main()
