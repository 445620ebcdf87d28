# LUSS-AE on UCSD Ped2, small CPU size (as configs/luss_ae/luss-ae_3dcae-w24_8x128x128_cpu_ped2.py:
# 128x128, T = 8, widths (24, 32, 64, 64), batch 16, 12 epochs) with VCR and FFP scored by
# the gradient difference error; BPE is reported beside it (vcr.bpe, ffp.bpe).
_base_ = [
    '../../../configs/_base_/models/luss_ae_3dcae.py',
    '../../../configs/_base_/datasets/frames_windows.py',
    '../../../configs/_base_/schedules/adam_60e.py',
    '../../../configs/_base_/default_runtime.py'
]
custom_imports = dict(imports=['plugins.gradient_error'], allow_failed_imports=False)

clip_len = 8
gde = dict(type='GradientDifferenceError', alpha=1.0)
bpe = dict(type='BPE', sigma=1.0, kernel_size=5, stride=2)
model = dict(
    clip_len=clip_len,
    backbone=dict(widths=(24, 32, 64, 64)),
    tasks=[
        dict(type='ClipReconstructionHead', name='vcr', loss_weight=0.6, measure=gde,
             extra_measures=dict(bpe=bpe)),
        dict(type='FuturePredictionHead', name='ffp', loss_weight=0.4, measure=gde,
             extra_measures=dict(bpe=bpe)),
        dict(type='PlaybackRateHead', name='prp', loss_weight=1.0, input_key='prp_clip'),
    ])
decode_pipeline = [dict(type='Grayscale'), dict(type='Resize', size=(128, 128))]
data_root = 'data/ped2'
layout = dict(type='FramesLayout', root=data_root)
train_dataloader = dict(
    num_workers=1,
    persistent_workers=False,
    pin_memory=False,
    dataset=dict(layout=layout, window_length=clip_len + 1, decode_pipeline=decode_pipeline))
test_dataloader = dict(
    num_workers=1,
    persistent_workers=False,
    pin_memory=False,
    dataset=dict(layout=layout, window_length=clip_len + 1, decode_pipeline=decode_pipeline))
# The paper's Ped2 alphas, not tuned for this measure.
test_evaluator = dict(
    type='FrameAUROCMetric',
    score_weights=dict(vcr=0.1, ffp=0.8, prp=1.0),
    normalizer=dict(type='MinMaxNormalizer'))
train_cfg = dict(max_epochs=12)
default_hooks = dict(logger=dict(interval=50))
