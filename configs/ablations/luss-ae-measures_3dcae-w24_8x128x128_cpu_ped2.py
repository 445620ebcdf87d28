# Table 4 workflow at CPU scale on UCSD Ped2: the model of
# configs/luss_ae/luss-ae_3dcae-w24_8x128x128_cpu_ped2.py (128x128, T = 8, widths 24-32-64-64,
# min-max rescaling) scoring VCR and FFP with MSE, PSE and BPE in one test pass. Test that
# config's checkpoint with this one, then re-score each measure alone:
#   python tools/test.py configs/ablations/luss-ae-measures_3dcae-w24_8x128x128_cpu_ped2.py \
#       work_dirs/luss-ae_3dcae-w24_8x128x128_cpu_ped2/epoch_12.pth --out-dir DIR
#   python tools/analysis/rescore.py DIR/frame_scores.npz \
#       --score-names vcr.mse vcr.pse vcr.bpe ffp.mse ffp.pse ffp.bpe
_base_ = [
    '../_base_/models/luss_ae_3dcae.py', '../_base_/datasets/frames_windows.py',
    '../_base_/schedules/adam_60e.py', '../_base_/default_runtime.py'
]
clip_len = 8
decode_pipeline = [dict(type='Grayscale'), dict(type='Resize', size=(128, 128))]
bpe = dict(type='BPE', sigma=1.0, kernel_size=5, stride=2)
measures = dict(
    mse=dict(type='MSE'),
    pse=dict(type='PSE', sigma=1.0, kernel_size=5),
    bpe=bpe)
model = dict(
    clip_len=clip_len,
    backbone=dict(widths=(24, 32, 64, 64)),
    tasks=[
        dict(type='ClipReconstructionHead', name='vcr', loss_weight=0.6, measure=bpe,
             extra_measures=measures),
        dict(type='FuturePredictionHead', name='ffp', loss_weight=0.4, measure=bpe,
             extra_measures=measures),
        dict(type='PlaybackRateHead', name='prp', loss_weight=1.0, input_key='prp_clip'),
    ])
data_root = 'data/ped2'
layout = dict(type='AutoLayout', root=data_root)  # frames or native layout
train_dataloader = dict(
    num_workers=1,
    persistent_workers=False,
    pin_memory=False,
    dataset=dict(layout=layout, window_length=clip_len + 1, decode_pipeline=decode_pipeline))
test_dataloader = dict(
    num_workers=1,
    persistent_workers=False,
    pin_memory=False,
    dataset=dict(layout=layout, window_length=clip_len + 1, decode_pipeline=decode_pipeline))
test_evaluator = dict(
    type='FrameAUROCMetric',
    score_weights=dict(vcr=0.1, ffp=0.8, prp=1.0),
    normalizer=dict(type='MinMaxNormalizer'))
train_cfg = dict(max_epochs=12)
default_hooks = dict(logger=dict(interval=50))
