# Table 2 ablation on UCSD Ped2: the 3D conv autoencoder trained and tested with VCR + PRP
# only (no FFP), otherwise the paper's setting: 256x256 grayscale, T = 16, batch 16,
# Adam 1e-4, 60 epochs, BPE scores, robust per-video rescaling, the full model's loss weights.
# Alphas: the paper's UCSD Ped2 ones restricted to these tasks (the paper grid-searched each
# ablation on the test labels; see tools/analysis/search_alphas.py and docs/evaluation.md).
# The paper reports no number for this dataset.
_base_ = ['../luss_ae/luss-ae_3dcae_16x256x256_60e_ped2.py']
bpe = dict(type='BPE', sigma=1.0, kernel_size=5, stride=2)
model = dict(tasks=[
    dict(type='ClipReconstructionHead', name='vcr', loss_weight=0.6, measure=bpe),
    dict(type='PlaybackRateHead', name='prp', loss_weight=1.0, input_key='prp_clip'),
])
test_evaluator = dict(score_weights=dict(_delete_=True, vcr=0.1, prp=1.0))
