"""Runs of consecutive True values in a 1-D mask: the anomalous intervals that figures
shade and videos mark."""
from typing import List, Tuple

import numpy as np


def true_runs(mask: np.ndarray) -> List[Tuple[int, int]]:
    """``(first, last)`` positions (inclusive) of each run of True in a 1-D mask."""
    m = np.concatenate([[False], np.asarray(mask, bool).reshape(-1), [False]])
    d = np.flatnonzero(np.diff(m.astype(np.int8)))
    return [(int(a), int(b) - 1) for a, b in zip(d[::2], d[1::2])]
