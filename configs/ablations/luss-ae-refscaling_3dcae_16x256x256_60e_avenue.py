# LUSS-AE on CUHK Avenue rescaled as the public reference code does at test time: A_VCR and A_FFP
# robustly (Eq. 16), A_PRP with min-max (a third row for Table 5). Same training: test the full
# model's checkpoint with this config, or re-score its run with
#   python tools/analysis/rescore.py frame_scores.npz --normalizer RobustNormalizer --normalizer-for prp=MinMaxNormalizer
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
    normalizer=dict(type='RobustNormalizer'),
    normalizers=dict(prp=dict(type='MinMaxNormalizer')))
