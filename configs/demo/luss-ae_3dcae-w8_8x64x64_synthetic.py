# The built-in default: LUSS-AE on synthetic surveillance-like videos generated on first
# use under data/synthetic (no download). 64x64 frames, T = 8, narrow widths (8, 16, 32, 32),
# a few minutes on a laptop CPU. Anomalies: an object moving 4x faster, an unseen shape.
_base_ = [
    '../_base_/models/luss_ae_3dcae.py', '../_base_/datasets/frames_windows.py',
    '../_base_/schedules/adam_60e.py', '../_base_/default_runtime.py'
]
clip_len = 8
decode_pipeline = [dict(type='Grayscale')]
model = dict(clip_len=clip_len, backbone=dict(widths=(8, 16, 32, 32)))
layout = dict(type='SyntheticLayout', root='data/synthetic', num_train=8, num_test=6,
              num_frames=120, size=64)
train_dataloader = dict(
    batch_size=16,
    num_workers=0,
    persistent_workers=False,
    pin_memory=False,
    dataset=dict(layout=layout, window_length=clip_len + 1, decode_pipeline=decode_pipeline))
test_dataloader = dict(
    batch_size=64,
    num_workers=0,
    persistent_workers=False,
    pin_memory=False,
    dataset=dict(layout=layout, window_length=clip_len + 1, decode_pipeline=decode_pipeline))
test_evaluator = dict(
    type='FrameAUROCMetric',
    score_weights=dict(vcr=0.1, ffp=0.8, prp=1.0),
    normalizer=dict(type='MinMaxNormalizer'))
optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(max_epochs=5)
default_hooks = dict(logger=dict(interval=10))
# the same numbers on every run of this machine (no kernel chosen by timing)
randomness = dict(seed=0, deterministic=True)
