# A tiny LUSS-AE for tests: 32x32 synthetic videos, T = 4, widths (4, 8, 8, 8).
_base_ = [
    '../../configs/_base_/models/luss_ae_3dcae.py',
    '../../configs/_base_/datasets/frames_windows.py',
    '../../configs/_base_/schedules/adam_60e.py', '../../configs/_base_/default_runtime.py'
]
clip_len = 4
decode_pipeline = [dict(type='Grayscale')]
model = dict(
    clip_len=clip_len,
    backbone=dict(widths=(4, 8, 8, 8), strides=((1, 2, 2), (2, 2, 2), (2, 2, 2), (1, 2, 2))))
layout = dict(type='SyntheticLayout', root='data/tiny_synthetic', num_train=2, num_test=2,
              num_frames=40, size=32)
loader = dict(num_workers=0, persistent_workers=False, pin_memory=False)
train_dataloader = dict(
    batch_size=8, **loader,
    dataset=dict(layout=layout, window_length=clip_len + 1, decode_pipeline=decode_pipeline,
                 cache_dir=None))
test_dataloader = dict(
    batch_size=16, **loader,
    dataset=dict(layout=layout, window_length=clip_len + 1, decode_pipeline=decode_pipeline,
                 cache_dir=None))
test_evaluator = dict(
    type='FrameAUROCMetric',
    score_weights=dict(vcr=0.1, ffp=0.8, prp=1.0),
    normalizer=dict(type='MinMaxNormalizer'))
optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(max_epochs=2)
# no score-curve figures (0.4 s of a 1 s tiny train-and-test); the tests of the figures
# turn them on
default_hooks = dict(logger=dict(interval=5), score_curves=dict(images=False))
