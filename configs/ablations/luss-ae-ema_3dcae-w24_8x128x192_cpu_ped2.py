# The 128x192 Ped2 CPU config tested with a moving average of its weights instead of the
# last step's: an ensemble along one training run, at the cost of one training. Momentum
# about 1 / (iterations of one epoch): 606 a epoch here, so over 14 epochs the average spans
# about the last epoch; BatchNorm statistics are averaged with the weights. For a run of one
# epoch, raise the momentum (--cfg-options custom_hooks.2.momentum=0.01: about the last 100
# steps), or the average keeps a share of the first steps' weights.
_base_ = ['../luss_ae/luss-ae_3dcae-w24_8x128x192_cpu_ped2.py']
custom_hooks = [
    dict(type='PlainCheckpointHook'), dict(type='FiniteLossHook'),
    dict(type='WeightAveragingHook', ema_type='ExponentialMovingAverage', momentum=0.002,
         update_buffers=True),
]
