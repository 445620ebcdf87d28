# Windows of T + 1 = 17 frames, grayscale, 256x256 (decoded once into the frame cache).
# Train samples: the window (VCR input + FFP target) and a PRP clip; test: the window only.
# Dataset configs set data_root, the layout and the test evaluator's alphas.
window_length = 17
decode_pipeline = [dict(type='Grayscale'), dict(type='Resize', size=(256, 256))]
train_pipeline = [
    dict(type='SampleWindow'),
    dict(type='SamplePlaybackRateClip', strides=(2, 3, 4, 5), p_original=0.5),
    dict(type='PackClipInputs', keys=('window', 'prp_clip'), meta_keys=('prp_label', )),
]
test_pipeline = [
    dict(type='SampleWindow'),
    dict(type='PackClipInputs', keys=('window', ),
         meta_keys=('video_idx', 'frame_idx', 'label')),
]
train_dataloader = dict(
    batch_size=16,
    num_workers=8,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='VideoWindowDataset', split='train', window_length=window_length,
                 decode_pipeline=decode_pipeline, pipeline=train_pipeline))
test_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='VideoWindowDataset', split='test', window_length=window_length,
                 decode_pipeline=decode_pipeline, pipeline=test_pipeline, test_mode=True))
val_dataloader = None
val_cfg = None
val_evaluator = None
