"""vadkit's registries.

Children of mmengine's root registries (so that a runner built from a vadkit config finds
vadkit's classes and mmengine's alike), plus registries of vadkit's own for the parts
the toolkit is about: backbones, task heads, losses, error measures and score normalizers.
Every registry names the package ``locations`` that fill it, so building from a config
imports what it needs, and an unknown ``type`` is reported with the close matches.
"""
from typing import Optional

from mmengine import registry as mm
from mmengine.registry import Registry

from .utils.registry_errors import build_with_suggestions


def _registry(name: str, location: str, parent: Optional[Registry] = None) -> Registry:
    return Registry(name, parent=parent, locations=[location], build_func=build_with_suggestions)


RUNNERS = _registry('runner', 'vadkit.engine', mm.RUNNERS)
LOOPS = _registry('loop', 'vadkit.engine', mm.LOOPS)
HOOKS = _registry('hook', 'vadkit.engine', mm.HOOKS)
LOG_PROCESSORS = _registry('log_processor', 'vadkit.engine', mm.LOG_PROCESSORS)
OPTIMIZERS = _registry('optimizer', 'vadkit.engine', mm.OPTIMIZERS)
OPTIM_WRAPPERS = _registry('optim_wrapper', 'vadkit.engine', mm.OPTIM_WRAPPERS)
OPTIM_WRAPPER_CONSTRUCTORS = _registry('optimizer wrapper constructor', 'vadkit.engine',
                                       mm.OPTIM_WRAPPER_CONSTRUCTORS)
PARAM_SCHEDULERS = _registry('parameter scheduler', 'vadkit.engine', mm.PARAM_SCHEDULERS)

DATASETS = _registry('dataset', 'vadkit.datasets', mm.DATASETS)
DATA_SAMPLERS = _registry('data sampler', 'vadkit.datasets', mm.DATA_SAMPLERS)
TRANSFORMS = _registry('transform', 'vadkit.datasets', mm.TRANSFORMS)
FUNCTIONS = _registry('function', 'vadkit.datasets', mm.FUNCTIONS)
#: Readers of dataset layouts on disk (frames folders, native UCSD/Avenue/ShanghaiTech, ...).
DATASET_LAYOUTS = _registry('dataset layout', 'vadkit.datasets.layouts')

MODELS = _registry('model', 'vadkit.models', mm.MODELS)
MODEL_WRAPPERS = _registry('model_wrapper', 'vadkit.models', mm.MODEL_WRAPPERS)
#: Feature extractors shared by all tasks (encoder + decoder).
BACKBONES = _registry('backbone', 'vadkit.models.backbones')
#: Self-supervised or reconstruction tasks: head, loss and test-time score.
TASK_HEADS = _registry('task head', 'vadkit.models.heads')
#: Image/clip error measures (MSE, PSE, BPE, ...) that turn a task's output into a score.
ERROR_MEASURES = _registry('error measure', 'vadkit.models.measures')
#: Training losses of the task heads (MSE, cross-entropy, a loss made of an error measure).
LOSSES = _registry('loss', 'vadkit.models.losses')

METRICS = _registry('metric', 'vadkit.evaluation', mm.METRICS)
EVALUATOR = _registry('evaluator', 'vadkit.evaluation', mm.EVALUATOR)
#: Per-video score rescalers (min-max, robust, ...).
SCORE_NORMALIZERS = _registry('score normalizer', 'vadkit.evaluation.normalizers')
#: How the rescaled scores of a video become one score a frame (weighted sum, ranks, ...).
SCORE_FUSIONS = _registry('score fusion', 'vadkit.evaluation.fusions')

VISUALIZERS = _registry('visualizer', 'vadkit.visualization', mm.VISUALIZERS)
VISBACKENDS = _registry('vis_backend', 'vadkit.visualization', mm.VISBACKENDS)
