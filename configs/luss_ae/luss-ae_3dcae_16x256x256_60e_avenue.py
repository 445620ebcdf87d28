# LUSS-AE on CUHK Avenue, the paper's setting: 256x256 grayscale, T = 16, batch 16, Adam 1e-4,
# 60 epochs; VCR and FFP scored with BPE, every score rescaled robustly per video (Eq. 16),
# alphas (a_VCR, a_FFP, a_PRP) = (0.1, 1, 0.1) (the paper's, grid-searched on the test set).
# Paper: micro AUROC 89.04 %.
_base_ = [
    '../_base_/models/luss_ae_3dcae.py', '../_base_/datasets/frames_windows.py',
    '../_base_/schedules/adam_60e.py', '../_base_/default_runtime.py'
]
data_root = 'data/avenue'
layout = dict(type='AutoLayout', root=data_root)  # frames or native layout
train_dataloader = dict(dataset=dict(layout=layout))
test_dataloader = dict(dataset=dict(layout=layout))
test_evaluator = dict(
    type='FrameAUROCMetric',
    score_weights=dict(vcr=0.1, ffp=1.0, prp=0.1),
    normalizer=dict(type='RobustNormalizer'))
