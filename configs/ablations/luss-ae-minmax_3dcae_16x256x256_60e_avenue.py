# Table 5 on CUHK Avenue: LUSS-AE with per-video min-max rescaling of every score instead of the
# robust one (Eq. 16); the robust row is configs/luss_ae/luss-ae_3dcae_16x256x256_60e_avenue.py.
# Same training: test the full model's checkpoint with this config, or re-score its run with
#   python tools/analysis/rescore.py frame_scores.npz --normalizer MinMaxNormalizer
# Paper: micro AUROC 89.01 %. (robust: 89.04 %)
_base_ = ['../luss_ae/luss-ae_3dcae_16x256x256_60e_avenue.py']
test_evaluator = dict(normalizer=dict(type='MinMaxNormalizer'))
