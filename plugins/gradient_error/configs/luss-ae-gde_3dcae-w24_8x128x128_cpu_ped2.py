# LUSS-AE on UCSD Ped2, small CPU size (as configs/luss_ae/luss-ae_3dcae-w24_8x128x128_cpu_ped2.py:
# 128x128, T = 8, widths (24, 32, 64, 64), batch 4, 20 epochs) with VCR and FFP scored by
# the gradient difference error; BPE is reported beside it (vcr.bpe, ffp.bpe).
_base_ = ['../../../configs/luss_ae/luss-ae_3dcae-w24_8x128x128_cpu_ped2.py']
custom_imports = dict(imports=['plugins.gradient_error'], allow_failed_imports=False)
gde = dict(type='GradientDifferenceError', alpha=1.0)
bpe = dict(type='BPE', sigma=1.0, kernel_size=5, stride=2)
model = dict(tasks=[
    dict(type='ClipReconstructionHead', name='vcr', loss_weight=0.6, measure=gde,
         extra_measures=dict(bpe=bpe)),
    dict(type='FuturePredictionHead', name='ffp', loss_weight=0.4, measure=gde,
         extra_measures=dict(bpe=bpe)),
    dict(type='PlaybackRateHead', name='prp', loss_weight=1.0, input_key='prp_clip'),
])
# the parent config's LUSS-AE Ped2 alphas, not tuned for this measure
