# Table 3 on CUHK Avenue: LUSS-AE trained with all three tasks (exactly the paper's config), tested
# with the VCR score alone (alpha_VCR = 1). Train it, or test the full model's checkpoint with it:
#   python tools/test.py configs/ablations/luss-ae-test-vcr_3dcae_16x256x256_60e_avenue.py CKPT
# (or re-score that run: tools/analysis/rescore.py frame_scores.npz --weights vcr=1).
# Paper: micro AUROC 86.48 %.
_base_ = ['../luss_ae/luss-ae_3dcae_16x256x256_60e_avenue.py']
test_evaluator = dict(score_weights=dict(_delete_=True, vcr=1.0))
