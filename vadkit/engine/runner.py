"""vadkit's runner: mmengine's :class:`~mmengine.runner.Runner` plus the guarantees that
make a work dir and its checkpoints safe to use.

Each guarantee is a small override below, one per concern, so that more can be added
without touching the others.
"""
from mmengine.runner import Runner

from vadkit.registry import RUNNERS


@RUNNERS.register_module()
class VadkitRunner(Runner):
    """mmengine's runner, built from a config with ``runner_type='VadkitRunner'``."""
