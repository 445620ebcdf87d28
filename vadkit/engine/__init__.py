from .hooks import *  # noqa: F401,F403
from .loops import InferenceTestLoop, fold_batchnorm, inference_model  # noqa: F401
