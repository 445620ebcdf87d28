# PRP told to say how much faster a clip plays, on the built-in synthetic videos: each
# stride (1, 2, 3, 4, 5) its own class instead of "original or accelerated". The binary task
# is nearly solved early (on Ped2 its loss falls to ~0.003 within one epoch), after which it
# teaches the encoder little and its softmax saturates; telling 2x from 5x stays hard. The
# test score `prp` is still the probability that the clip is accelerated (fused with the
# paper's alphas); `prp.rate`, the expected rate, is reported beside it. Everything else is
# the demo config (configs/demo/luss-ae_3dcae-w8_8x64x64_synthetic.py).
_base_ = ['../demo/luss-ae_3dcae-w8_8x64x64_synthetic.py']
bpe = dict(type='BPE', sigma=1.0, kernel_size=5, stride=2)
strides = (2, 3, 4, 5)
model = dict(tasks=[
    dict(type='ClipReconstructionHead', name='vcr', loss_weight=0.6, measure=bpe),
    dict(type='FuturePredictionHead', name='ffp', loss_weight=0.4, measure=bpe),
    dict(type='PlaybackRateHead', name='prp', loss_weight=1.0, input_key='prp_clip',
         rates=(1, ) + strides),
])
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='SampleWindow'),
    dict(type='SamplePlaybackRateClip', strides=strides, p_original=0.5),
    # the head's class of a clip comes from its stride
    dict(type='PackClipInputs', keys=('window', 'prp_clip'),
         meta_keys=('prp_label', 'prp_stride')),
]))
