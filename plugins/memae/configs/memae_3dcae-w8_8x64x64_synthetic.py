# MemAE baseline (Gong et al. 2019) on the built-in synthetic videos: the LUSS-AE backbone
# (3D conv AE, narrow widths (8, 16, 32, 32), T = 8, 64x64) with a memory of 2000 items
# between encoder and decoder, trained on clip reconstruction only (VCR, MSE) plus the
# attention-entropy loss (weight 0.0002). Scored by the VCR error: MSE (MemAE's score),
# with BPE reported beside it (vcr.bpe). Same data, windows and epochs as
# configs/demo/luss-ae_3dcae-w8_8x64x64_synthetic.py, so its AUROC is comparable.
_base_ = [
    '../../../configs/_base_/models/luss_ae_3dcae.py',
    '../../../configs/_base_/datasets/frames_windows.py',
    '../../../configs/_base_/schedules/adam_60e.py',
    '../../../configs/_base_/default_runtime.py'
]
custom_imports = dict(imports=['plugins.memae'], allow_failed_imports=False)

clip_len = 8
model = dict(
    type='MemoryAutoEncoder',
    clip_len=clip_len,
    backbone=dict(
        type='MemoryConv3DAutoEncoder',
        widths=(8, 16, 32, 32),
        num_items=2000,
        shrink_thres=0.0025,
        similarity='cosine',
        temperature=0.05),
    tasks=[
        dict(type='ClipReconstructionHead', name='vcr', loss_weight=1.0,
             measure=dict(type='MSE'),
             extra_measures=dict(bpe=dict(type='BPE', sigma=1.0, kernel_size=5, stride=2))),
        dict(type='MemoryEntropyHead', name='mem_entropy', loss_weight=0.0002),
    ])

# VCR reads only the window: no playback-rate clip to sample. Windows stay T + 1 frames
# long so that exactly the frames LUSS-AE scores are scored (the VCR score of a window is
# given to its last frame, as in the core's VCR-only ablation).
decode_pipeline = [dict(type='Grayscale')]
train_pipeline = [
    dict(type='SampleWindow'),
    dict(type='PackClipInputs', keys=('window', ), meta_keys=()),
]
layout = dict(type='SyntheticLayout', root='data/synthetic', num_train=8, num_test=6,
              num_frames=120, size=64)
train_dataloader = dict(
    batch_size=16,
    num_workers=0,
    persistent_workers=False,
    pin_memory=False,
    dataset=dict(layout=layout, window_length=clip_len + 1, decode_pipeline=decode_pipeline,
                 pipeline=train_pipeline))
test_dataloader = dict(
    batch_size=64,
    num_workers=0,
    persistent_workers=False,
    pin_memory=False,
    dataset=dict(layout=layout, window_length=clip_len + 1, decode_pipeline=decode_pipeline))
test_evaluator = dict(
    type='FrameAUROCMetric',
    score_weights=dict(vcr=1.0),
    normalizer=dict(type='MinMaxNormalizer'))
optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(max_epochs=5)
default_hooks = dict(logger=dict(interval=10))
