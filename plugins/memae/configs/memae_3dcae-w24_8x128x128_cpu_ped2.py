# MemAE baseline on UCSD Ped2, small enough for a 2-core CPU: the same model, data and
# schedule as configs/luss_ae/luss-ae_3dcae-w24_8x128x128_cpu_ped2.py (128x128, T = 8,
# widths (24, 32, 64, 64), batch 4, 20 epochs) but trained on VCR only, through a memory
# of 2000 items, plus the entropy loss (weight 0.0002). Scored by the VCR MSE (vcr.bpe
# reported beside it), rescaled per video with min-max.
_base_ = ['../../../configs/luss_ae/luss-ae_3dcae-w24_8x128x128_cpu_ped2.py']
custom_imports = dict(imports=['plugins.memae'], allow_failed_imports=False)
model = dict(
    type='MemoryAutoEncoder',
    backbone=dict(
        _delete_=True,
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
# VCR reads only the window: no playback-rate clip to sample. Windows stay T + 1 frames long
# so that exactly the frames LUSS-AE scores are scored.
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='SampleWindow'),
    dict(type='PackClipInputs', keys=('window', ), meta_keys=()),
]))
test_evaluator = dict(score_weights=dict(_delete_=True, vcr=1.0))
