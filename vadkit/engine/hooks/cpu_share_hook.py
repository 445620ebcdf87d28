"""Keep a run on its fair share of the cores while other vadkit jobs share the machine."""
from mmengine.hooks import Hook

from vadkit.registry import HOOKS
from vadkit.utils.cpu_share import join_cpu_share, leave_cpu_share, refresh_cpu_share


@HOOKS.register_module()
class CPUShareHook(Hook):
    """Register the run as a vadkit job and set torch's intra-op threads to its share of
    the cores (:mod:`vadkit.utils.cpu_share`), looking again (at most once a second) before
    each iteration, so the threads follow other jobs as they start and end. A lone run
    keeps all its threads. Two demo trainings started together on 2 cores: 3.0-3.4x the
    time of one alone without it, 1.2x with it (docs/performance.md, section 9).

    The tools join before they build the data (so that concurrent jobs share the cores from
    the start); this hook covers runners built elsewhere, and leaves the registry when the
    run ends (a test after training joins again). Turn it off with
    ``--cfg-options default_hooks.cpu_share.enabled=False`` or ``VADKIT_CPU_SHARE=0``.
    """

    priority = 'VERY_HIGH'

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled

    def before_run(self, runner) -> None:
        if not self.enabled:
            leave_cpu_share()
            return
        join_cpu_share()

    def after_run(self, runner) -> None:
        if self.enabled:  # done: the other jobs may take the cores back
            leave_cpu_share()

    def _refresh(self, *args, **kwargs) -> None:
        if self.enabled:
            refresh_cpu_share()

    before_train_iter = _refresh
    before_val_iter = _refresh
    before_test_iter = _refresh
