# LUSS-AE on UCSD Ped2, the paper's setting: 256x256 grayscale, T = 16, batch 16, Adam 1e-4,
# 60 epochs; VCR and FFP scored with BPE, every score rescaled robustly per video (Eq. 16),
# alphas (a_VCR, a_FFP, a_PRP) = (0.1, 0.8, 1) (the paper's, grid-searched on the test set).
# Paper: micro AUROC 98.52 %.
_base_ = [
    '../_base_/models/luss_ae_3dcae.py', '../_base_/datasets/frames_windows.py',
    '../_base_/schedules/adam_60e.py', '../_base_/default_runtime.py'
]
data_root = 'data/ped2'
layout = dict(type='AutoLayout', root=data_root)  # frames or native layout
train_dataloader = dict(dataset=dict(layout=layout))
test_dataloader = dict(dataset=dict(layout=layout))
test_evaluator = dict(
    type='FrameAUROCMetric',
    score_weights=dict(vcr=0.1, ffp=0.8, prp=1.0),
    normalizer=dict(type='RobustNormalizer'))
