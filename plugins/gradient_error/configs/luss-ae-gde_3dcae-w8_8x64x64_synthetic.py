# LUSS-AE on the built-in synthetic videos (as configs/demo/luss-ae_3dcae-w8_8x64x64_synthetic.py:
# 64x64, T = 8, widths (8, 16, 32, 32), 5 epochs) with VCR and FFP scored by the gradient
# difference error of this plugin instead of BPE. The paper's BPE is computed in the same
# pass (vcr.bpe, ffp.bpe), so the test report shows both measures on one trained model.
_base_ = ['../../../configs/demo/luss-ae_3dcae-w8_8x64x64_synthetic.py']
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
