# Table 2 ablation on UCSD Ped2: the 3D conv autoencoder trained and tested with VCR
# only (the baseline), otherwise the paper's setting: 256x256 grayscale, T = 16, batch 16,
# Adam 1e-4, 60 epochs, BPE scores, robust per-video rescaling, the full model's loss weights.
# The paper reports no number for this dataset.
_base_ = ['../luss_ae/luss-ae_3dcae_16x256x256_60e_ped2.py']
bpe = dict(type='BPE', sigma=1.0, kernel_size=5, stride=2)
model = dict(tasks=[
    dict(type='ClipReconstructionHead', name='vcr', loss_weight=0.6, measure=bpe),
])
# no PRP clip to sample: windows only
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='SampleWindow'),
    dict(type='PackClipInputs', keys=('window', ), meta_keys=()),
]))
test_evaluator = dict(score_weights=dict(_delete_=True, vcr=0.1))
