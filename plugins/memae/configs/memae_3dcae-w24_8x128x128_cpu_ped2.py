# MemAE baseline on UCSD Ped2, small enough for a 2-core CPU: the same model, data and
# schedule as configs/luss_ae/luss-ae_3dcae-w24_8x128x128_cpu_ped2.py (128x128, T = 8,
# widths (24, 32, 64, 64), batch 16, 12 epochs) but trained on VCR only, through a memory
# of 2000 items, plus the entropy loss (weight 0.0002). Scored by the VCR MSE (vcr.bpe
# reported beside it), rescaled per video with min-max.
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
        widths=(24, 32, 64, 64),
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

decode_pipeline = [dict(type='Grayscale'), dict(type='Resize', size=(128, 128))]
train_pipeline = [
    dict(type='SampleWindow'),
    dict(type='PackClipInputs', keys=('window', ), meta_keys=()),
]
data_root = 'data/ped2'
layout = dict(type='FramesLayout', root=data_root)
train_dataloader = dict(
    num_workers=1,
    persistent_workers=False,
    pin_memory=False,
    dataset=dict(layout=layout, window_length=clip_len + 1, decode_pipeline=decode_pipeline,
                 pipeline=train_pipeline))
test_dataloader = dict(
    num_workers=1,
    persistent_workers=False,
    pin_memory=False,
    dataset=dict(layout=layout, window_length=clip_len + 1, decode_pipeline=decode_pipeline))
test_evaluator = dict(
    type='FrameAUROCMetric',
    score_weights=dict(vcr=1.0),
    normalizer=dict(type='MinMaxNormalizer'))
train_cfg = dict(max_epochs=12)
default_hooks = dict(logger=dict(interval=50))
