# Table 4 workflow at CPU scale on UCSD Ped2: the model of
# configs/luss_ae/luss-ae_3dcae-w24_8x128x128_cpu_ped2.py (128x128, T = 8, widths 24-32-64-64,
# min-max rescaling) scoring VCR and FFP with MSE, PSE and BPE in one test pass. Test that
# config's checkpoint with this one, then re-score each measure alone:
#   python tools/test.py configs/ablations/luss-ae-measures_3dcae-w24_8x128x128_cpu_ped2.py \
#       work_dirs/luss-ae_3dcae-w24_8x128x128_cpu_ped2/epoch_20.pth --out-dir DIR
#   python tools/analysis/rescore.py DIR/frame_scores.npz \
#       --score-names vcr.mse vcr.pse vcr.bpe ffp.mse ffp.pse ffp.bpe
_base_ = ['../luss_ae/luss-ae_3dcae-w24_8x128x128_cpu_ped2.py']
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
