"""Process-group set-up that works on CPU-only builds as well as on GPUs."""
import os
import subprocess
from typing import Optional

import torch
import torch.distributed as dist


def _slurm_env() -> None:
    """Translate SLURM variables into the ones ``torch.distributed`` reads."""
    os.environ.setdefault('RANK', os.environ['SLURM_PROCID'])
    os.environ.setdefault('WORLD_SIZE', os.environ['SLURM_NTASKS'])
    os.environ.setdefault('LOCAL_RANK', os.environ.get('SLURM_LOCALID', '0'))
    if 'MASTER_ADDR' not in os.environ:
        nodes = os.environ['SLURM_NODELIST']
        addr = subprocess.getoutput(f'scontrol show hostname {nodes} | head -n1')
        os.environ['MASTER_ADDR'] = addr
    os.environ.setdefault('MASTER_PORT', '29500')


def init_distributed(launcher: str, backend: Optional[str] = None) -> None:
    """Initialise the default process group for ``launcher`` ('pytorch' or 'slurm').

    NCCL and one GPU per local rank when CUDA is available, gloo on CPU otherwise
    (mmengine's own launcher calls ``torch.cuda.set_device`` and fails on CPU builds).
    """
    if dist.is_available() and dist.is_initialized():
        return
    if launcher == 'slurm':
        _slurm_env()
    elif launcher != 'pytorch':
        raise ValueError(f"launcher must be 'none', 'pytorch' or 'slurm', got {launcher!r}")
    for var in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT'):
        if var not in os.environ:
            raise RuntimeError(f'--launcher {launcher} needs ${var}: start the job with '
                               'tools/dist_train.sh (torchrun) or tools/slurm_train.sh')
    cuda = torch.cuda.is_available()
    if cuda:
        torch.cuda.set_device(int(os.environ.get('LOCAL_RANK', 0)))
    dist.init_process_group(backend=backend or ('nccl' if cuda else 'gloo'))


def cpu_model_wrapper_cfg() -> dict:
    """DDP on CPU takes no device ids."""
    return dict(type='MMDistributedDataParallel', device_ids=None)


def shutdown_distributed() -> None:
    """Leave the process group cleanly: gloo's threads abort the process at interpreter
    exit otherwise."""
    if dist.is_available() and dist.is_initialized():
        # every rank reaches this point before any tears its connections down: a rank that
        # destroys the group while another still talks to it makes gloo abort the other
        dist.barrier()
        dist.destroy_process_group()
