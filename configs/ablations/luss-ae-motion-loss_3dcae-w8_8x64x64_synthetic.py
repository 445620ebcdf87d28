# VCR trained on its motion as well as its frames, on the synthetic default: the demo config
# with VCR's loss the MSE of the frames plus the MSE of the frame-to-frame changes
# (WeightedSumLoss: MSELoss + MeasureLoss(TemporalDifference(MSE)), weights 1 and 1), and
# scored as in luss-ae-motion-vcr_3dcae-w8_8x64x64_synthetic.py (VCR by the BPE of its
# changes, equal weights), which trains with the paper's MSE alone: the two differ in the
# training loss only. The frame term pins what the motion term cannot see (an offset common
# to every frame). Figures in docs/evaluation.md.
_base_ = ['../demo/luss-ae_3dcae-w8_8x64x64_synthetic.py']
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
    compare_weights=dict(alphas=dict(vcr=0.1, ffp=0.8, prp=1.0),
                         paper={'vcr.bpe': 0.1, 'ffp': 0.8, 'prp': 1.0}))
