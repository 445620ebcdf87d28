# The recommended Ped2 CPU config (configs/luss_ae/luss-ae_3dcae-w24_8x128x192_cpu_ped2.py:
# 128x192 frames, 14 epochs, min-max then temporal smoothing sigma 3) with its normal
# training clips augmented as in configs/ablations/luss-ae-augment_3dcae-w8_8x64x64_synthetic.py
# (spatial, photometric, and the PRP clip reversed; one draw per sample for all its clips;
# test windows untouched).
_base_ = ['../luss_ae/luss-ae_3dcae-w24_8x128x192_cpu_ped2.py']
train_pipeline = [
    dict(type='SampleWindow'),
    dict(type='SamplePlaybackRateClip', strides=(2, 3, 4, 5), p_original=0.5),
    dict(type='ClipRandomHorizontalFlip', prob=0.5),
    dict(type='ClipRandomResizedCrop', scale=(0.8, 1.0), prob=0.5),
    dict(type='ClipRandomBrightnessContrast', brightness=0.1, contrast=0.1, prob=0.5),
    dict(type='ClipRandomReverse', prob=0.5, keys=('prp_clip', )),
    dict(type='PackClipInputs', keys=('window', 'prp_clip'), meta_keys=('prp_label', )),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
