"""Seconds per training step of a config, with and without the process-wide settings that
change speed but no number: PyTorch's NaN fill of new tensors in deterministic runs
(``randomness.fill_uninitialized_memory``) and glibc keeping freed memory
(``CPUAllocatorHook``).

Each variant runs in a process of its own (both settings are process-wide), on the config's
own model, optimizer and training data (the config's loader: decoding and workers
included), for ``--warmup`` steps and then ``--steps`` timed ones. Rounds alternate the
variants' order (ABBA), and the figure of each is its median over rounds, so that a machine
slowed by something else slows every variant alike. Run it alone: two heavy jobs on 2 cores
slow each other far beyond a fair share.

    python benchmarks/bench_train_step.py \\
        configs/luss_ae/luss-ae-unet-ffp_3dcae-w24_8x128x192_2e_cpu_ped2.py \\
        --data-root ../shared/datasets/ped2

It prints the CPU, its kernels, each variant's seconds per step and its ratio to the first.
"""
import argparse
import json
import os
import os.path as osp
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

#: variant name -> (fill_uninitialized_memory, keep freed memory)
VARIANTS = {
    'default': (False, True),           # what a vadkit run does
    'fill': (True, True),               # PyTorch's default for deterministic runs
    'default-allocator': (False, False),
    'fill+default-allocator': (True, False),
}


def time_steps(args) -> dict:
    """In this process: build the config's runner, time its training steps."""
    import torch

    from vadkit.engine.runner import build_runner
    from vadkit.utils import register_all_modules
    from vadkit.utils.cpu_allocator import keep_freed_memory
    from vadkit.utils.run_config import load_config

    fill, keep = VARIANTS[args.worker]
    if keep:
        keep_freed_memory()  # before any large allocation, as CPUAllocatorHook does
    register_all_modules(init_default_scope=False)
    with tempfile.TemporaryDirectory() as work_dir:
        cfg = load_config(args.config, args.cfg_options or None, work_dir, args.data_root)
        if cfg.get('randomness', {}).get('deterministic'):
            cfg.randomness.fill_uninitialized_memory = fill
        cfg.log_level = 'WARNING'
        runner = build_runner(cfg)
        model = runner.model
        optim_wrapper = runner.build_optim_wrapper(cfg.optim_wrapper)
        loader = runner.build_dataloader(cfg.train_dataloader)
        batches = iter(loader)
        model.train()
        times = []
        for i in range(args.warmup + args.steps):
            try:
                batch = next(batches)
            except StopIteration:
                batches = iter(loader)
                batch = next(batches)
            start = time.perf_counter()
            model.train_step(batch, optim_wrapper)
            if i >= args.warmup:
                times.append(time.perf_counter() - start)
        runner.release_work_dir()
    return dict(variant=args.worker, seconds_per_step=statistics.median(times),
                mean=statistics.fmean(times), threads=torch.get_num_threads(),
                deterministic=torch.are_deterministic_algorithms_enabled(),
                fill=torch.utils.deterministic.fill_uninitialized_memory)


def parse_options(pairs):
    out = {}
    for pair in pairs or []:
        key, _, value = pair.partition('=')
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--data-root')
    parser.add_argument('--variants', default='default,fill',
                        help=f'comma-separated, of {", ".join(VARIANTS)}')
    parser.add_argument('--steps', type=int, default=20, help='timed steps per round')
    parser.add_argument('--warmup', type=int, default=5, help='untimed steps first')
    parser.add_argument('--rounds', type=int, default=2)
    parser.add_argument('--cfg-options', nargs='+', metavar='KEY=VALUE',
                        help='config entries to override (JSON values)')
    parser.add_argument('--worker', choices=tuple(VARIANTS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.cfg_options = parse_options(args.cfg_options)
    if args.worker:
        print(json.dumps(time_steps(args)), flush=True)
        return
    variants = args.variants.split(',')
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        parser.error(f'unknown variants {unknown}; choose from {", ".join(VARIANTS)}')


    from vadkit.utils.machine import describe_machine, machine_info
    print(f'measured on: {describe_machine(machine_info())}; '
          f'{args.steps} timed steps after {args.warmup}, {args.rounds} rounds', flush=True)
    results = {v: [] for v in variants}
    for r in range(args.rounds):
        order = variants if r % 2 == 0 else variants[::-1]
        for v in order:
            cmd = [sys.executable, osp.abspath(__file__), args.config, '--worker', v,
                   '--steps', str(args.steps), '--warmup', str(args.warmup)]
            if args.data_root:
                cmd += ['--data-root', args.data_root]
            if args.cfg_options:
                cmd += ['--cfg-options'] + [f'{k}={json.dumps(x)}'
                                            for k, x in args.cfg_options.items()]
            proc = subprocess.run(cmd, capture_output=True, text=True,
                                  env=dict(os.environ, VADKIT_CPU_SHARE='0'))
            if proc.returncode != 0:
                sys.exit(f'{v} failed:\n{proc.stderr[-3000:]}')
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            results[v].append(result['seconds_per_step'])
            print(f'  round {r + 1}: {v}: {result["seconds_per_step"]:.3f} s/step '
                  f'({result["threads"]} threads, deterministic={result["deterministic"]}, '
                  f'fill={result["fill"]})', flush=True)
    base = statistics.median(results[variants[0]])
    for v in variants:
        s = statistics.median(results[v])
        print(f'{v:>24}: {s:.3f} s/step (median of {len(results[v])} rounds), '
              f'{s / base:.2f}x {variants[0]}')


if __name__ == '__main__':
    main()
