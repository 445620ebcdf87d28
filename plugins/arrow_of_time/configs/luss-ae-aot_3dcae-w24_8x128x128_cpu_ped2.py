# LUSS-AE + arrow of time (4 tasks) on UCSD Ped2, small CPU size (as
# configs/luss_ae/luss-ae_3dcae-w24_8x128x128_cpu_ped2.py: 128x128, T = 8, widths
# (24, 32, 64, 64), batch 4, 20 epochs) plus the arrow-of-time task of this plugin.
_base_ = ['../../../configs/luss_ae/luss-ae_3dcae-w24_8x128x128_cpu_ped2.py']
custom_imports = dict(imports=['plugins.arrow_of_time'], allow_failed_imports=False)
bpe = dict(type='BPE', sigma=1.0, kernel_size=5, stride=2)
model = dict(tasks=[
    dict(type='ClipReconstructionHead', name='vcr', loss_weight=0.6, measure=bpe),
    dict(type='FuturePredictionHead', name='ffp', loss_weight=0.4, measure=bpe),
    dict(type='PlaybackRateHead', name='prp', loss_weight=1.0, input_key='prp_clip'),
    dict(type='ArrowOfTimeHead', name='aot', loss_weight=1.0, input_key='aot_clip',
         label_key='aot_label'),
])
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='SampleWindow'),
    dict(type='SamplePlaybackRateClip', strides=(2, 3, 4, 5), p_original=0.5),
    dict(type='SampleTemporalOrderClip', p_reverse=0.5, key='aot_clip', label_key='aot_label'),
    dict(type='PackClipInputs', keys=('window', 'prp_clip', 'aot_clip'),
         meta_keys=('prp_label', 'aot_label')),
]))
# The LUSS-AE Ped2 alphas for the three paper tasks; the arrow-of-time weight is a guess,
# not tuned (each task's own AUROC is reported beside the fused one).
test_evaluator = dict(score_weights=dict(aot=0.5))
