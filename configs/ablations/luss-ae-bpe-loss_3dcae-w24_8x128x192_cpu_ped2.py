# The paper's future work on UCSD Ped2 with the small CPU config: VCR and FFP trained on the
# blur pooled error (BPE) they are scored with, instead of MSE. Everything else is the
# 128x192 CPU config (configs/luss_ae/luss-ae_3dcae-w24_8x128x192_cpu_ped2.py: 14 epochs,
# min-max then temporal smoothing sigma 3, the paper's plain min-max beside it).
_base_ = ['../luss_ae/luss-ae_3dcae-w24_8x128x192_cpu_ped2.py']
bpe = dict(type='BPE', sigma=1.0, kernel_size=5, stride=2)
bpe_loss = dict(type='MeasureLoss', measure=bpe)
model = dict(tasks=[
    dict(type='ClipReconstructionHead', name='vcr', loss_weight=0.6, measure=bpe, loss=bpe_loss),
    dict(type='FuturePredictionHead', name='ffp', loss_weight=0.4, measure=bpe, loss=bpe_loss),
    dict(type='PlaybackRateHead', name='prp', loss_weight=1.0, input_key='prp_clip'),
])
