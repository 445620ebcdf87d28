# The 128x192 Ped2 CPU config with a model-free baseline scored beside its tasks:
# FrameDifferenceHead ('motion'), the error of predicting frame T+1 by copying frame T
# (MSE). It has no parameters and no loss, so it trains exactly the same model and any
# checkpoint of the 128x192 config tests with it. The fused score keeps the paper's three
# alphas; the baseline is reported alone (motion_micro_auroc), and fused with
# `rescore.py --weights vcr=0.1 ffp=0.8 prp=1 motion=W`. Plain per-video min-max, the
# paper's protocol. Figures in configs/luss_ae/README.md (Ped2 ablation).
_base_ = ['../luss_ae/luss-ae_3dcae-w24_8x128x192_cpu_ped2.py']
bpe = dict(type='BPE', sigma=1.0, kernel_size=5, stride=2)
model = dict(tasks=[
    dict(type='ClipReconstructionHead', name='vcr', loss_weight=0.6, measure=bpe),
    dict(type='FuturePredictionHead', name='ffp', loss_weight=0.4, measure=bpe),
    dict(type='PlaybackRateHead', name='prp', loss_weight=1.0, input_key='prp_clip'),
    dict(type='FrameDifferenceHead', name='motion'),
])
test_evaluator = dict(
    normalizer=dict(_delete_=True, type='MinMaxNormalizer'),
    compare_normalizers=dict(_delete_=True))
