# MemAE baseline (Gong et al. 2019) on the built-in synthetic videos: the LUSS-AE backbone
# (3D conv AE, narrow widths (8, 16, 32, 32), T = 8, 64x64) with a memory of 2000 items
# between encoder and decoder, trained on clip reconstruction only (VCR, MSE) plus the
# attention-entropy loss (weight 0.0002). Scored by the VCR error: MSE (MemAE's score),
# with BPE reported beside it (vcr.bpe). Same data, windows and epochs as
# configs/demo/luss-ae_3dcae-w8_8x64x64_synthetic.py, so its AUROC is comparable.
_base_ = ['../../../configs/demo/luss-ae_3dcae-w8_8x64x64_synthetic.py']
custom_imports = dict(imports=['plugins.memae'], allow_failed_imports=False)
model = dict(
    type='MemoryAutoEncoder',
    backbone=dict(
        _delete_=True,
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
# VCR reads only the window: no playback-rate clip to sample. Windows stay T + 1 frames long
# so that exactly the frames LUSS-AE scores are scored.
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='SampleWindow'),
    dict(type='PackClipInputs', keys=('window', ), meta_keys=()),
]))
test_evaluator = dict(score_weights=dict(_delete_=True, vcr=1.0))
