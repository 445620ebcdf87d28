from .atomic_checkpoint_hook import AtomicCheckpointHook
from .cpu_allocator_hook import CPUAllocatorHook
from .cpu_share_hook import CPUShareHook
from .crash_point_hook import CrashPointHook
from .finite_loss_hook import FiniteLossHook
from .plain_checkpoint_hook import PlainCheckpointHook
from .rng_state_hook import RNGStateHook
from .run_summary_hook import RunSummaryHook
from .score_curves_hook import ScoreCurvesHook
from .task_skill_hook import TaskSkillHook
from .weight_averaging_hook import WeightAveragingHook

__all__ = ['AtomicCheckpointHook', 'CPUAllocatorHook', 'CPUShareHook', 'CrashPointHook',
           'FiniteLossHook', 'PlainCheckpointHook', 'RNGStateHook', 'RunSummaryHook',
           'ScoreCurvesHook', 'TaskSkillHook', 'WeightAveragingHook']
