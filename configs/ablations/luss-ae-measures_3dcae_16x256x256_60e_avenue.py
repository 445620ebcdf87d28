# Table 4 on CUHK Avenue: LUSS-AE (trained as the paper's config) scoring VCR and FFP with MSE, PSE
# and BPE in one test pass: scores vcr.mse, vcr.pse, vcr.bpe, ffp.mse, ffp.pse, ffp.bpe beside
# vcr and ffp (BPE, the fused ones). Measures add no weights: test the full model's checkpoint
# with this config, then re-score each measure alone (docs/evaluation.md, Table 4):
#   python tools/test.py configs/ablations/luss-ae-measures_3dcae_16x256x256_60e_avenue.py CKPT --out-dir DIR
#   python tools/analysis/rescore.py DIR/frame_scores.npz --score-names vcr.mse vcr.pse vcr.bpe ffp.mse ffp.pse ffp.bpe
# Paper (Avenue): VCR 84.95 / 85.96 / 86.48, FFP 85.38 / 86.61 / 87.00 (MSE / PSE / BPE).
_base_ = ['../luss_ae/luss-ae_3dcae_16x256x256_60e_avenue.py']
bpe = dict(type='BPE', sigma=1.0, kernel_size=5, stride=2)
# every error measure of Table 4, computed in the same test pass
measures = dict(mse=dict(type='MSE'), pse=dict(type='PSE', sigma=1.0, kernel_size=5), bpe=bpe)
model = dict(tasks=[
    dict(type='ClipReconstructionHead', name='vcr', loss_weight=0.6, measure=bpe,
         extra_measures=measures),
    dict(type='FuturePredictionHead', name='ffp', loss_weight=0.4, measure=bpe,
         extra_measures=measures),
    dict(type='PlaybackRateHead', name='prp', loss_weight=1.0, input_key='prp_clip'),
])
