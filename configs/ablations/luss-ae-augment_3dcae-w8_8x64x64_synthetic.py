# The paper's future work on the built-in synthetic videos: the demo config with its normal
# training clips augmented. Each augmentation draws once per sample and applies to every
# frame of the window (VCR input and target, FFP target) and of the PRP clip alike, so the
# tasks' targets stay aligned; test windows are never augmented. Groups (switch one off with
# --cfg-options train_dataloader.dataset.pipeline.<i>.prob=0, i = the index below):
#   spatial (2, 3): mirror, zoom-in crop of 80-100 % of the side at a random position;
#   photometric (4): brightness +-10 % of 255, contrast x0.9-1.1;
#   temporal (5): the PRP clip played backwards (same speed, same label). The window gets
#     no temporal augmentation: reversed, FFP would predict the past; with a random frame
#     step, VCR and FFP would learn the accelerated motion PRP flags as normal.
# Everything else is the demo config (docs/datasets.md, "Augmenting training clips").
_base_ = ['../demo/luss-ae_3dcae-w8_8x64x64_synthetic.py']
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
