# The demo config with FFP predicting the change from frame T
# (FuturePredictionHead(residual=True): x_T + conv(decoded), the conv starting at zero, so
# the untrained head is the copy-the-last-frame predictor). Not in the paper. Everything
# else is the demo config; figures in configs/luss_ae/README.md (synthetic ablation).
_base_ = ['../demo/luss-ae_3dcae-w8_8x64x64_synthetic.py']
bpe = dict(type='BPE', sigma=1.0, kernel_size=5, stride=2)
model = dict(tasks=[
    dict(type='ClipReconstructionHead', name='vcr', loss_weight=0.6, measure=bpe),
    dict(type='FuturePredictionHead', name='ffp', loss_weight=0.4, measure=bpe, residual=True),
    dict(type='PlaybackRateHead', name='prp', loss_weight=1.0, input_key='prp_clip'),
])
