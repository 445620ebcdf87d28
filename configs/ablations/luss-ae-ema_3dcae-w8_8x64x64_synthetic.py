# The demo, tested with a moving average of its weights instead of the last step's: an
# ensemble along one training run, at the cost of one training. Everything else is the demo.
_base_ = ['../demo/luss-ae_3dcae-w8_8x64x64_synthetic.py']
# momentum about 1 / (iterations of one epoch): the demo has 56 a epoch, so the average
# spans about the last epoch; BatchNorm statistics are averaged with the weights
custom_hooks = [
    dict(type='PlainCheckpointHook'), dict(type='FiniteLossHook'),
    dict(type='WeightAveragingHook', ema_type='ExponentialMovingAverage', momentum=0.02,
         update_buffers=True),
]
