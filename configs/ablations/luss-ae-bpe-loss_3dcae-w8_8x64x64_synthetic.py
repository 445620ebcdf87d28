# The paper's future work on the built-in synthetic videos: VCR and FFP trained on the blur
# pooled error (BPE) they are scored with, instead of MSE. Everything else is the demo config.
_base_ = ['../demo/luss-ae_3dcae-w8_8x64x64_synthetic.py']
bpe = dict(type='BPE', sigma=1.0, kernel_size=5, stride=2)
bpe_loss = dict(type='MeasureLoss', measure=bpe)
model = dict(tasks=[
    dict(type='ClipReconstructionHead', name='vcr', loss_weight=0.6, measure=bpe, loss=bpe_loss),
    dict(type='FuturePredictionHead', name='ffp', loss_weight=0.4, measure=bpe, loss=bpe_loss),
    dict(type='PlaybackRateHead', name='prp', loss_weight=1.0, input_key='prp_clip'),
])
