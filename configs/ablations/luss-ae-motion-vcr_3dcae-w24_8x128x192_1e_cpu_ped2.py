# VCR scored by its motion on UCSD Ped2: the four-model ensemble of one-epoch 128x192 models
# (configs/luss_ae/luss-ae-ensemble4_3dcae-w24_8x128x192_1e_cpu_ped2.py, the same training)
# with VCR's score measured on the clip's frame-to-frame changes (TemporalDifference of BPE)
# instead of on its frames. A small decoder blurs the background in every frame alike; the
# blur cancels in the differences and what is left is the motion it did not reproduce.
# The three scores are rescaled per video (plain min-max, the paper's protocol) and fused
# with equal weights, the choice that needs no labels once every score lies in [0, 1]. The
# run also reports the paper's alphas, VCR's frame BPE and the paper's own fusion beside it
# (compare_weights), each score alone, the MSE of the changes (`vcr.mse`) and the
# model-free frame difference under the same BPE (`motion`, no weights, not fused): how
# much of the motion score the amount of motion alone explains. Measures hold no weights: any
# checkpoint of the 128x192 config tests with it. Figures in configs/luss_ae/README.md.
_base_ = ['../luss_ae/luss-ae_3dcae-w24_8x128x192_cpu_ped2.py']
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
    normalizer=dict(_delete_=True, type='MinMaxNormalizer'),
    compare_normalizers=dict(_delete_=True),
    # beside the headline: the paper's alphas with this VCR score; equal weights with VCR's
    # frame BPE; the paper's scores and alphas (micro_auroc_<label>)
    compare_weights=dict(alphas=dict(vcr=0.1, ffp=0.8, prp=1.0),
                         vcr_bpe={'vcr.bpe': 1.0, 'ffp': 1.0, 'prp': 1.0},
                         paper={'vcr.bpe': 0.1, 'ffp': 0.8, 'prp': 1.0}))
train_cfg = dict(max_epochs=1)
ensemble = dict(members=4)
