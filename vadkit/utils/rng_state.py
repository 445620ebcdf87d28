"""Every random number generator's state as plain values, saved in checkpoints so that a
resumed run draws exactly the numbers the uninterrupted run would have drawn.

The data pipeline samples with numpy and Python's ``random`` (e.g. the playback-rate
clips), the model and the data loader's worker seeds with torch: reseeding them on resume
would repeat the first epoch's draws instead of continuing.
"""
import random
from typing import Any, Dict

import numpy as np
import torch


def capture_rng_state() -> Dict[str, Any]:
    """The state of torch's (CPU and CUDA), numpy's and Python's global generators, as
    tensors, lists and numbers (loadable with ``weights_only=True``)."""
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    version, internal, gauss_next = random.getstate()
    state = dict(
        torch=torch.get_rng_state(),
        numpy=dict(kind=str(kind), keys=keys.tolist(), pos=int(pos),
                   has_gauss=int(has_gauss), cached_gaussian=float(cached)),
        python=dict(version=version, internal=list(internal), gauss_next=gauss_next),
    )
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def restore_rng_state(state: Dict[str, Any]) -> None:
    """Set the generators to a state from :func:`capture_rng_state`."""
    torch.set_rng_state(state['torch'].cpu())
    npy = state['numpy']
    np.random.set_state((npy['kind'], np.asarray(npy['keys'], dtype=np.uint32), npy['pos'],
                         npy['has_gauss'], npy['cached_gaussian']))
    py = state['python']
    random.setstate((py['version'], tuple(py['internal']), py['gauss_next']))
    cuda = state.get('cuda')
    if cuda and torch.cuda.is_available() and len(cuda) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all([s.cpu() for s in cuda])
