"""Checkpoints that load with ``torch.load(weights_only=True)``.

mmengine 0.10.7 stores its message hub (``HistoryBuffer`` objects) and numpy values in
checkpoints, which PyTorch's safe loader refuses. Instead of turning the safety off, vadkit
(1) allowlists only plain numpy arrays, dtypes and scalars, and (2) stores the message hub as
plain lists and dicts (see :class:`vadkit.engine.hooks.PlainCheckpointHook`).
"""
from typing import Any

import numpy as np
import torch

_PLAIN_NUMPY_DTYPES = (np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16,
                       np.uint32, np.uint64, np.float16, np.float32, np.float64)


def allow_plain_numpy_in_checkpoints() -> None:
    """Allowlist numpy arrays, dtypes and numeric scalars for ``weights_only`` loading."""
    from numpy._core.multiarray import _reconstruct, scalar
    safe = [_reconstruct, scalar, np.ndarray, np.dtype]
    safe += [type(np.dtype(t)) for t in _PLAIN_NUMPY_DTYPES]
    torch.serialization.add_safe_globals(safe)


def to_plain(value: Any) -> Any:
    """Recursively turn numpy scalars and arrays into Python numbers and lists."""
    if isinstance(value, dict):
        return type(value)((k, to_plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return type(value)(to_plain(v) for v in value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value
