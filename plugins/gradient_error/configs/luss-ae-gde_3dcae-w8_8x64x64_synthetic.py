# LUSS-AE on the built-in synthetic videos (as configs/demo/luss-ae_3dcae-w8_8x64x64_synthetic.py:
# 64x64, T = 8, widths (8, 16, 32, 32), 5 epochs) with VCR and FFP scored by the gradient
# difference error of this plugin instead of BPE. The paper's BPE is computed in the same
# pass (vcr.bpe, ffp.bpe), so the test report shows both measures on one trained model.
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
    backbone=dict(widths=(8, 16, 32, 32)),
    tasks=[
        dict(type='ClipReconstructionHead', name='vcr', loss_weight=0.6, measure=gde,
             extra_measures=dict(bpe=bpe)),
        dict(type='FuturePredictionHead', name='ffp', loss_weight=0.4, measure=gde,
             extra_measures=dict(bpe=bpe)),
        dict(type='PlaybackRateHead', name='prp', loss_weight=1.0, input_key='prp_clip'),
    ])
decode_pipeline = [dict(type='Grayscale')]
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
# The LUSS-AE Ped2 alphas, not tuned for this measure.
test_evaluator = dict(
    type='FrameAUROCMetric',
    score_weights=dict(vcr=0.1, ffp=0.8, prp=1.0),
    normalizer=dict(type='MinMaxNormalizer'))
optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(max_epochs=5)
default_hooks = dict(logger=dict(interval=10))
