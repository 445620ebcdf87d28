# Table 5 on CUHK Avenue: LUSS-AE with per-video min-max rescaling of every score instead of the
# robust one (Eq. 16); the robust row is configs/luss_ae/luss-ae_3dcae_16x256x256_60e_avenue.py.
# Same training: test the full model's checkpoint with this config, or re-score its run with
#   python tools/analysis/rescore.py frame_scores.npz --normalizer MinMaxNormalizer
# Paper: micro AUROC 89.01 %. (robust: 89.04 %)
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
data_root = 'data/avenue'
layout = dict(type='AutoLayout', root=data_root)  # frames or native layout
train_dataloader = dict(dataset=dict(layout=layout))
test_dataloader = dict(dataset=dict(layout=layout))
test_evaluator = dict(
    type='FrameAUROCMetric',
    score_weights=dict(vcr=0.1, ffp=1.0, prp=0.1),
    normalizer=dict(type='MinMaxNormalizer'))
