"""What a figure was measured on.

Results are bitwise reproducible per machine kind, not across kinds: PyTorch and oneDNN pick
kernels by the instruction set (AVX-512 or AVX2), and those round differently. Every saved
result therefore carries the CPU model, the instruction set PyTorch runs and the versions.
"""
import os
import platform
from typing import Dict

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
    """CPU model, the instruction set PyTorch's kernels use, threads, GPU and versions."""
    import mmengine

    from vadkit import __version__
    info: Dict[str, object] = {
        'cpu': cpu_model(),
        'cpu_capability': torch.backends.cpu.get_cpu_capability(),
        'cores': os.cpu_count(),
        'torch_threads': torch.get_num_threads(),
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


def describe_machine(info: Dict[str, object]) -> str:
    """One line: ``AMD EPYC, AVX512 kernels, 2 threads, torch 2.13.0+cpu``."""
    where = f"{info['cpu']}, {info['cpu_capability']} kernels, {info['torch_threads']} threads"
    if info.get('gpu'):
        where += f", GPU {info['gpu']}"
    return f"{where}, torch {info['torch']}"
