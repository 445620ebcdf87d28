# The task heads of LUSS-AE+: what beat the paper's heads on Ped2 and the synthetic default
# on the 2-core CPU (configs/luss_ae/README.md). VCR is scored by its motion (the
# TemporalDifference of its BPE; the paper's frame BPE reported beside it as `vcr.bpe`); FFP
# is a 2-D U-Net of its own (Liu et al., CVPR 2018, narrower: widths 16-128) that reads the
# clip's last 4 frames, trained with an intensity + gradient loss and scored by minus the
# PSNR; PRP is the paper's; `motion`, the model-free frame difference, is reported, not fused.
# A config takes them with `model = dict(tasks=_base_.luss_ae_plus_tasks)`, and the U-Net's
# learning rate (10x the autoencoder's; chosen by the training loss on Ped2, no test label)
# with `optim_wrapper = dict(paramwise_cfg=_base_.luss_ae_plus_paramwise)`.
luss_ae_plus_bpe = dict(type='BPE', sigma=1.0, kernel_size=5, stride=2)
luss_ae_plus_tasks = [
    dict(type='ClipReconstructionHead', name='vcr', loss_weight=0.6,
         measure=dict(type='TemporalDifference', measure=luss_ae_plus_bpe),
         extra_measures=dict(bpe=luss_ae_plus_bpe)),
    dict(type='UNetFuturePredictionHead', name='ffp', loss_weight=0.4, in_frames=4,
         widths=(16, 32, 64, 128)),
    dict(type='PlaybackRateHead', name='prp', loss_weight=1.0, input_key='prp_clip'),
    dict(type='FrameDifferenceHead', name='motion', measure=luss_ae_plus_bpe),
]
luss_ae_plus_paramwise = dict(custom_keys={'.unet.': dict(lr_mult=10.0)})
