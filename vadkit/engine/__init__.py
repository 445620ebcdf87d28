from .hooks import *  # noqa: F401,F403
from .loops import InferenceTestLoop, fold_batchnorm, inference_model  # noqa: F401
from .runner import VadkitRunner  # noqa: F401
from .window_scorer import WindowScorer, window_settings  # noqa: F401
