"""What a figure was measured on.

Results are bitwise reproducible per machine kind, not across kinds: PyTorch and oneDNN pick
kernels by the instruction set (AVX-512 or AVX2), and those round differently. Every saved
result therefore carries the CPU model, the instruction set PyTorch runs and the versions.
"""
import os
import platform
from typing import Dict, Sequence

import torch


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo`` on Linux, ``platform`` elsewhere)."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or 'unknown'


def machine_info() -> Dict[str, object]:
    """CPU model, the instruction set PyTorch's kernels use, threads, GPU and versions.

    ``torch_threads`` is what the run ran on: the counts this process's CPU share set
    (:func:`vadkit.utils.cpu_share.threads_used`); one number, or the sorted counts when
    they changed (a run beside other vadkit jobs)."""
    import mmengine

    from vadkit import __version__

    from .cpu_share import threads_used
    used = threads_used()
    info: Dict[str, object] = {
        'cpu': cpu_model(),
        'cpu_capability': torch.backends.cpu.get_cpu_capability(),
        'cores': os.cpu_count(),
        'torch_threads': used[0] if len(used) == 1 else used,
        'gpu': torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        'torch': torch.__version__,
        'mmengine': mmengine.__version__,
        'vadkit': __version__,
        'python': platform.python_version(),
    }
    # set to reproduce another machine kind's figures (see docs/reliability.md)
    for var in ('ATEN_CPU_CAPABILITY', 'ONEDNN_MAX_CPU_ISA', 'MKL_ENABLE_INSTRUCTIONS'):
        if os.environ.get(var):
            info[var] = os.environ[var]
    return info


#: what a figure depends on, per run: merged over the runs of an ensemble
RUN_KEYS = ('cpu', 'cpu_capability', 'torch_threads', 'gpu', 'torch')


def runs_machine(infos: Sequence[Dict[str, object]]) -> Dict[str, object]:
    """The machine of figures computed from several runs (an ensemble's members, from
    their ``machine.json``): this process's :func:`machine_info`, with each of
    :data:`RUN_KEYS` the runs' value, or the sorted list of their values where they differ
    (members trained on other machine kinds or thread counts, e.g. resumed elsewhere)."""
    info = machine_info()
    for key in RUN_KEYS:
        values = set()
        for run in infos:
            value = run.get(key)
            values.update(value if isinstance(value, list) else [value])
        values.discard(None)
        if values:
            ordered = sorted(values, key=str)
            info[key] = ordered[0] if len(ordered) == 1 else ordered
    return info


def _listed(value: object) -> str:
    return ' and '.join(map(str, value)) if isinstance(value, list) else str(value)


def thread_counts(info: Dict[str, object]) -> list:
    """``machine.json``'s ``torch_threads`` as a list (one number or several)."""
    threads = info.get('torch_threads')
    if threads is None:
        return []
    return sorted(set(threads)) if isinstance(threads, (list, tuple)) else [threads]


def describe_threads(info: Dict[str, object]) -> str:
    """``2 threads``, ``1 thread``, or ``1 and 2 threads (...)`` when they changed."""
    counts = thread_counts(info)
    if len(counts) == 1:
        return f"{counts[0]} thread{'s' * (counts[0] != 1)}"
    if not counts:
        return 'threads unknown'
    return (f"{' and '.join(map(str, counts))} threads (the count changed: other vadkit jobs "
            'shared the cores, so these figures are not those of a lone run)')


def describe_machine(info: Dict[str, object]) -> str:
    """One line: ``AMD EPYC, AVX512 kernels, 2 threads, torch 2.13.0+cpu``; runs merged by
    :func:`runs_machine` on several kinds say so."""
    kernels = info['cpu_capability']
    where = (f"{_listed(info['cpu'])}, {_listed(kernels)} kernels"
             + (' (runs on several machine kinds: these figures are those of no single '
                'machine)' if isinstance(kernels, list) else '')
             + f', {describe_threads(info)}')
    if info.get('gpu'):
        where += f", GPU {_listed(info['gpu'])}"
    return f"{where}, torch {_listed(info['torch'])}"
