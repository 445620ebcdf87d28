# LUSS-AE + arrow of time (4 tasks) on the built-in synthetic videos (as
# configs/demo/luss-ae_3dcae-w8_8x64x64_synthetic.py: 64x64, T = 8, widths (8, 16, 32, 32),
# 5 epochs). The fourth task classifies a T-frame clip as played forward or reversed
# (SampleTemporalOrderClip + ArrowOfTimeHead from this plugin); its test score is the
# probability of 'reversed' for the test window.
_base_ = ['../../../configs/demo/luss-ae_3dcae-w8_8x64x64_synthetic.py']
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
