# VCR trained on its motion as well as its frames, on UCSD Ped2: one one-epoch model of the
# 128x192 CPU config (a member of the recommended ensemble) with VCR's loss the MSE of the
# frames plus the MSE of the frame-to-frame changes (WeightedSumLoss, weights 1 and 1),
# scored as luss-ae-motion-vcr_3dcae-w24_8x128x192_1e_cpu_ped2.py scores its members (VCR by
# the BPE of its changes, per-video min-max, equal weights; the paper's fusion beside it).
# Figures in docs/evaluation.md.
_base_ = ['../luss_ae/luss-ae_3dcae-w24_8x128x192_cpu_ped2.py']
bpe = dict(type='BPE', sigma=1.0, kernel_size=5, stride=2)
motion_loss = dict(type='WeightedSumLoss', terms=[
    dict(type='MSELoss', weight=1.0),
    dict(type='MeasureLoss', weight=1.0,
         measure=dict(type='TemporalDifference', measure=dict(type='MSE')))])
model = dict(tasks=[
    dict(type='ClipReconstructionHead', name='vcr', loss_weight=0.6, loss=motion_loss,
         measure=dict(type='TemporalDifference', measure=bpe), extra_measures=dict(bpe=bpe)),
    dict(type='FuturePredictionHead', name='ffp', loss_weight=0.4, measure=bpe),
    dict(type='PlaybackRateHead', name='prp', loss_weight=1.0, input_key='prp_clip'),
])
test_evaluator = dict(
    score_weights=dict(vcr=1.0, ffp=1.0, prp=1.0),
    normalizer=dict(_delete_=True, type='MinMaxNormalizer'),
    compare_normalizers=dict(_delete_=True),
    compare_weights=dict(alphas=dict(vcr=0.1, ffp=0.8, prp=1.0),
                         paper={'vcr.bpe': 0.1, 'ffp': 0.8, 'prp': 1.0}))
train_cfg = dict(max_epochs=1)
