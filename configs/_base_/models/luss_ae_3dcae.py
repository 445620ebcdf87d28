# LUSS-AE (Lohani et al., VISAPP 2023): the 3D conv autoencoder of Gong et al. trained
# jointly on clip reconstruction (VCR), future frame prediction (FFP) and playback-rate
# prediction (PRP). L = 0.6 L_VCR + 0.4 L_FFP + 1.0 L_PRP; VCR and FFP scored with BPE.
bpe = dict(type='BPE', sigma=1.0, kernel_size=5, stride=2)
model = dict(
    type='MultiTaskAutoEncoder',
    clip_len=16,
    backbone=dict(
        type='Conv3DAutoEncoder',
        in_channels=1,
        widths=(96, 128, 256, 256),
        strides=((1, 2, 2), (2, 2, 2), (2, 2, 2), (2, 2, 2))),
    tasks=[
        dict(type='ClipReconstructionHead', name='vcr', loss_weight=0.6, measure=bpe),
        dict(type='FuturePredictionHead', name='ffp', loss_weight=0.4, measure=bpe),
        dict(type='PlaybackRateHead', name='prp', loss_weight=1.0, input_key='prp_clip'),
    ],
    data_preprocessor=dict(type='ClipDataPreprocessor'))
