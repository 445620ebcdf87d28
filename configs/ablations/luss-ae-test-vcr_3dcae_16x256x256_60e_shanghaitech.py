# Table 3 on ShanghaiTech Campus: LUSS-AE trained with all three tasks (exactly the paper's config), tested
# with the VCR score alone (alpha_VCR = 1). Train it, or test the full model's checkpoint with it:
#   python tools/test.py configs/ablations/luss-ae-test-vcr_3dcae_16x256x256_60e_shanghaitech.py CKPT
# (or re-score that run: tools/analysis/rescore.py frame_scores.npz --weights vcr=1).
# Paper: micro AUROC 75.37 %.
_base_ = [
    '../_base_/models/luss_ae_3dcae.py', '../_base_/datasets/frames_windows.py',
    '../_base_/schedules/adam_60e.py', '../_base_/default_runtime.py'
]
bpe = dict(type='BPE', sigma=1.0, kernel_size=5, stride=2)
model = dict(tasks=[
    dict(type='ClipReconstructionHead', name='vcr', loss_weight=0.6, measure=bpe),
    dict(type='FuturePredictionHead', name='ffp', loss_weight=0.4, measure=bpe),
    dict(type='PlaybackRateHead', name='prp', loss_weight=1.0, input_key='prp_clip'),
])
data_root = 'data/shanghaitech'
layout = dict(type='AutoLayout', root=data_root)  # frames or native layout
train_dataloader = dict(dataset=dict(layout=layout))
test_dataloader = dict(dataset=dict(layout=layout))
test_evaluator = dict(
    type='FrameAUROCMetric',
    score_weights=dict(vcr=1.0),
    normalizer=dict(type='RobustNormalizer'))
