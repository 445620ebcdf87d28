# VCR scored by its motion on the synthetic default: the demo config with VCR's score
# measured on the clip's frame-to-frame changes (TemporalDifference of BPE) and the three
# per-video min-max scores fused with equal weights, as in
# luss-ae-motion-vcr_3dcae-w24_8x128x192_1e_cpu_ped2.py: the demo's training, and any demo
# checkpoint tests with it.
# VCR's plain BPE (`vcr.bpe`), the MSE of the changes (`vcr.mse`) and the frame
# difference under BPE (`motion`, not fused) are reported beside.
_base_ = ['../demo/luss-ae_3dcae-w8_8x64x64_synthetic.py']
bpe = dict(type='BPE', sigma=1.0, kernel_size=5, stride=2)
model = dict(tasks=[
    dict(type='ClipReconstructionHead', name='vcr', loss_weight=0.6,
         measure=dict(type='TemporalDifference', measure=bpe),
         extra_measures=dict(bpe=bpe,
                             mse=dict(type='TemporalDifference', measure=dict(type='MSE')))),
    dict(type='FuturePredictionHead', name='ffp', loss_weight=0.4, measure=bpe),
    dict(type='PlaybackRateHead', name='prp', loss_weight=1.0, input_key='prp_clip'),
    dict(type='FrameDifferenceHead', name='motion', measure=bpe),
])
test_evaluator = dict(
    score_weights=dict(vcr=1.0, ffp=1.0, prp=1.0),
    # beside the headline: the paper's alphas with this VCR score; equal weights with VCR's
    # frame BPE; the paper's scores and alphas (micro_auroc_<label>)
    compare_weights=dict(alphas=dict(vcr=0.1, ffp=0.8, prp=1.0),
                         vcr_bpe={'vcr.bpe': 1.0, 'ffp': 1.0, 'prp': 1.0},
                         paper={'vcr.bpe': 0.1, 'ffp': 0.8, 'prp': 1.0}))
