"""Keep freed CPU memory inside the process instead of handing it back to the kernel.

PyTorch allocates CPU tensors with ``malloc``. glibc serves blocks above its mmap threshold
(128 KiB to 32 MiB) with fresh ``mmap`` calls and returns them with ``munmap`` when freed,
so every training step maps its large activations anew and page-faults each of their pages
in again: about 0.9 million faults and 1.3 s of system time in a 3.2 s LUSS-AE step at
256x256 (batch 2, 2 cores). With mmap off and heap trimming off, freed blocks stay in the
heap and the next step reuses them without a fault (that step: 2.4 s, no faults).

The price: the resident memory stays at the process' peak until it exits.
"""
import ctypes
import ctypes.util
import sys

# mallopt parameters (malloc.h)
M_TRIM_THRESHOLD = -1
M_MMAP_MAX = -4

_kept = False


def _glibc():
    if not sys.platform.startswith('linux'):
        return None
    try:
        libc = ctypes.CDLL(None)
        if not hasattr(libc, 'gnu_get_libc_version'):  # glibc only (musl has none)
            return None
        return libc
    except (OSError, AttributeError):
        return None


def supported() -> bool:
    """Whether this process' C library is glibc, the one :func:`keep_freed_memory` sets up."""
    return _glibc() is not None


def keep_freed_memory() -> bool:
    """Make glibc's ``malloc`` keep freed memory in the process from now on: no ``mmap``
    for large blocks (``M_MMAP_MAX=0``), no trimming of the heap (``M_TRIM_THRESHOLD=-1``).

    Blocks already mapped are unaffected. Returns whether the setting is in effect (``False``
    where the C library is not glibc, e.g. macOS or musl: nothing is changed there).
    """
    global _kept
    if _kept:
        return True
    libc = _glibc()
    if libc is None:
        return False
    mallopt = libc.mallopt
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    _kept = bool(mallopt(M_MMAP_MAX, 0)) and bool(mallopt(M_TRIM_THRESHOLD, -1))
    return _kept


def freed_memory_kept() -> bool:
    """Whether :func:`keep_freed_memory` is in effect in this process."""
    return _kept
