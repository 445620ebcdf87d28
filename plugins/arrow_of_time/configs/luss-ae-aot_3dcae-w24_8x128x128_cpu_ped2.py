# LUSS-AE + arrow of time (4 tasks) on UCSD Ped2, small CPU size (as
# configs/luss_ae/luss-ae_3dcae-w24_8x128x128_cpu_ped2.py: 128x128, T = 8, widths
# (24, 32, 64, 64), batch 16, 12 epochs) plus the arrow-of-time task of this plugin.
_base_ = [
    '../../../configs/_base_/models/luss_ae_3dcae.py',
    '../../../configs/_base_/datasets/frames_windows.py',
    '../../../configs/_base_/schedules/adam_60e.py',
    '../../../configs/_base_/default_runtime.py'
]
custom_imports = dict(imports=['plugins.arrow_of_time'], allow_failed_imports=False)

clip_len = 8
bpe = dict(type='BPE', sigma=1.0, kernel_size=5, stride=2)
model = dict(
    clip_len=clip_len,
    backbone=dict(widths=(24, 32, 64, 64)),
    tasks=[
        dict(type='ClipReconstructionHead', name='vcr', loss_weight=0.6, measure=bpe),
        dict(type='FuturePredictionHead', name='ffp', loss_weight=0.4, measure=bpe),
        dict(type='PlaybackRateHead', name='prp', loss_weight=1.0, input_key='prp_clip'),
        dict(type='ArrowOfTimeHead', name='aot', loss_weight=1.0, input_key='aot_clip',
             label_key='aot_label'),
    ])
decode_pipeline = [dict(type='Grayscale'), dict(type='Resize', size=(128, 128))]
train_pipeline = [
    dict(type='SampleWindow'),
    dict(type='SamplePlaybackRateClip', strides=(2, 3, 4, 5), p_original=0.5),
    dict(type='SampleTemporalOrderClip', p_reverse=0.5, key='aot_clip',
         label_key='aot_label'),
    dict(type='PackClipInputs', keys=('window', 'prp_clip', 'aot_clip'),
         meta_keys=('prp_label', 'aot_label')),
]
data_root = 'data/ped2'
layout = dict(type='FramesLayout', root=data_root)
train_dataloader = dict(
    num_workers=1,
    persistent_workers=False,
    pin_memory=False,
    dataset=dict(layout=layout, window_length=clip_len + 1, decode_pipeline=decode_pipeline,
                 pipeline=train_pipeline))
test_dataloader = dict(
    num_workers=1,
    persistent_workers=False,
    pin_memory=False,
    dataset=dict(layout=layout, window_length=clip_len + 1, decode_pipeline=decode_pipeline))
# The paper's Ped2 alphas for its three tasks; the arrow-of-time weight is a guess, not
# tuned (each task's own AUROC is reported beside the fused one).
test_evaluator = dict(
    type='FrameAUROCMetric',
    score_weights=dict(vcr=0.1, ffp=0.8, prp=1.0, aot=0.5),
    normalizer=dict(type='MinMaxNormalizer'))
train_cfg = dict(max_epochs=12)
default_hooks = dict(logger=dict(interval=50))
