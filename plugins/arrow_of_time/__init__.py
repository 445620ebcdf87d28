"""Arrow-of-time prediction as a self-supervised vadkit task (plugin).

Registers:
    * transform ``SampleTemporalOrderClip``: a training clip played forward (label 0) or
      reversed (label 1), under ``aot_clip`` / ``aot_label``;
    * task head ``ArrowOfTimeHead``: a classifier on the encoder code, cross-entropy on
      logits, test score = probability of 'reversed'.

Train it with the LUSS-AE tasks by adding the sampler to the train pipeline and the head to
``model.tasks`` (see configs/). Load it with
``custom_imports = dict(imports=['plugins.arrow_of_time'], allow_failed_imports=False)``.
"""
from .head import ArrowOfTimeHead
from .transforms import SampleTemporalOrderClip

__all__ = ['ArrowOfTimeHead', 'SampleTemporalOrderClip']
