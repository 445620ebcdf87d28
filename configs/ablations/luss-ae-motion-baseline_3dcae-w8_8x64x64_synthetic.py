# The demo config with the model-free frame-difference baseline scored beside its tasks
# (FrameDifferenceHead, 'motion': the MSE of copying frame T as the prediction of frame
# T+1). No parameters, no loss: the demo's checkpoints test with it. The fused score keeps
# the paper's alphas; the baseline is reported alone (motion_micro_auroc).
_base_ = ['../demo/luss-ae_3dcae-w8_8x64x64_synthetic.py']
bpe = dict(type='BPE', sigma=1.0, kernel_size=5, stride=2)
model = dict(tasks=[
    dict(type='ClipReconstructionHead', name='vcr', loss_weight=0.6, measure=bpe),
    dict(type='FuturePredictionHead', name='ffp', loss_weight=0.4, measure=bpe),
    dict(type='PlaybackRateHead', name='prp', loss_weight=1.0, input_key='prp_clip'),
    dict(type='FrameDifferenceHead', name='motion'),
])
