"""The CPU allocator setting: freed memory is reused without page faults."""
import os.path as osp
import subprocess
import sys
import textwrap
from types import SimpleNamespace

import pytest

from vadkit.engine import CPUAllocatorHook
from vadkit.engine.hooks import cpu_allocator_hook
from vadkit.utils import cpu_allocator

glibc_only = pytest.mark.skipif(not cpu_allocator.supported(), reason='needs glibc')

# allocates, fills and frees a 64 MiB tensor; prints the page faults of 10 times after 3
# (the heap's layout settles in the first ones)
_FAULTS = textwrap.dedent('''
    import resource, sys, torch
    from vadkit.utils.cpu_allocator import keep_freed_memory
    if sys.argv[1] == 'keep':
        assert keep_freed_memory()
    def faults():
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(3):
        torch.ones(2**24).sum()
    f0 = faults()
    for _ in range(10):
        torch.ones(2**24).sum()
    print(faults() - f0)
''')


def _faults(mode: str) -> int:
    out = subprocess.run([sys.executable, '-c', _FAULTS, mode], capture_output=True,
                         text=True, check=True)
    return int(out.stdout.split()[-1])


@glibc_only
def test_kept_memory_is_reused_without_page_faults():
    default, kept = _faults('default'), _faults('keep')
    # 10 x 64 MiB mapped anew by default: 10 x 16384 faults of 4 KiB pages (fewer with
    # huge pages); kept in the heap, the pages stay mapped (at most one 64 MiB block more)
    assert default > 1000, default
    assert kept <= default / 5, (kept, default)


def test_hook_applies_the_setting_once_and_can_be_turned_off(monkeypatch):
    """The hook's decisions, with the setting itself recorded instead of applied (this
    process keeps its allocator; the page-fault test above checks the setting)."""
    applied = []
    monkeypatch.setattr(cpu_allocator_hook, 'freed_memory_kept', lambda: bool(applied))
    monkeypatch.setattr(cpu_allocator_hook, 'keep_freed_memory',
                        lambda: applied.append(True) or True)
    logged = []
    runner = SimpleNamespace(logger=SimpleNamespace(info=logged.append))
    CPUAllocatorHook(keep_freed_memory=False).before_run(runner)
    assert applied == [] and logged == []
    CPUAllocatorHook().before_run(runner)
    assert applied == [True] and len(logged) == 1 and 'kept' in logged[0]
    CPUAllocatorHook().before_run(runner)  # a second run in the process: set and said once
    assert applied == [True] and len(logged) == 1


def test_default_runtime_registers_the_hook():
    from mmengine.config import Config
    repo = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    cfg = Config.fromfile(osp.join(repo, 'configs', '_base_', 'default_runtime.py'))
    assert cfg.default_hooks.cpu_allocator == dict(type='CPUAllocatorHook',
                                                   keep_freed_memory=True)
