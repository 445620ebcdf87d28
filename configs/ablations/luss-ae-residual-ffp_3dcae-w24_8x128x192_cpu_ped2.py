# The 128x192 Ped2 CPU config with FFP predicting the change from frame T
# (FuturePredictionHead(residual=True): x_T + conv(decoded), the conv starting at zero, so
# the untrained head is the copy-the-last-frame predictor and training learns the change
# normal footage makes). Not in the paper. One epoch (606 Adam steps, the ensemble's
# members), plain per-video min-max (the paper's protocol) with the smoothed figure beside
# it. Figures in configs/luss_ae/README.md (Ped2 ablation).
_base_ = ['../luss_ae/luss-ae_3dcae-w24_8x128x192_cpu_ped2.py']
bpe = dict(type='BPE', sigma=1.0, kernel_size=5, stride=2)
model = dict(tasks=[
    dict(type='ClipReconstructionHead', name='vcr', loss_weight=0.6, measure=bpe),
    dict(type='FuturePredictionHead', name='ffp', loss_weight=0.4, measure=bpe, residual=True),
    dict(type='PlaybackRateHead', name='prp', loss_weight=1.0, input_key='prp_clip'),
])
test_evaluator = dict(
    normalizer=dict(_delete_=True, type='MinMaxNormalizer'),
    compare_normalizers=dict(
        _delete_=True,
        smoothed=dict(type='Chain', steps=[dict(type='MinMaxNormalizer'),
                                           dict(type='GaussianSmoothing', sigma=3)])))
train_cfg = dict(max_epochs=1)
