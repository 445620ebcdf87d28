# LUSS-AE on ShanghaiTech Campus rescaled as the public reference code does at test time: A_VCR and A_FFP
# robustly (Eq. 16), A_PRP with min-max (a third row for Table 5). Same training: test the full
# model's checkpoint with this config, or re-score its run with
#   python tools/analysis/rescore.py frame_scores.npz --normalizer RobustNormalizer --normalizer-for prp=MinMaxNormalizer
_base_ = ['../luss_ae/luss-ae_3dcae_16x256x256_60e_shanghaitech.py']
test_evaluator = dict(
    normalizer=dict(type='RobustNormalizer'),
    normalizers=dict(prp=dict(type='MinMaxNormalizer')))
