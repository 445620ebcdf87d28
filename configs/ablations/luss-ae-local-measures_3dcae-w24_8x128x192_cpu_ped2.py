# Local error measures on UCSD Ped2 with the recommended 128x192 CPU config: its VCR and FFP
# scored, in one test pass, with the frame means (MSE, PSE, BPE) and with local measures: the
# worst 16 px block (WorstRegion), the top 5 % of pixels (TopK), plain and blurred as BPE
# blurs, and the error relative to the model's error at each location on the training clips
# (RelativeToNormal). The headline scores (vcr, ffp) stay BPE, so a checkpoint of
# configs/luss_ae/luss-ae_3dcae-w24_8x128x192_cpu_ped2.py loads and its metrics are
# unchanged. The relative measures need the statistics file first (NORMAL_ERROR_MAPS,
# default beside that config's checkpoint):
#   python tools/analysis/fit_normal_error_maps.py \
#       configs/luss_ae/luss-ae_3dcae-w24_8x128x192_cpu_ped2.py \
#       work_dirs/luss-ae_3dcae-w24_8x128x192_cpu_ped2/epoch_14.pth
#   python tools/test.py configs/ablations/luss-ae-local-measures_3dcae-w24_8x128x192_cpu_ped2.py \
#       work_dirs/luss-ae_3dcae-w24_8x128x192_cpu_ped2/epoch_14.pth --out-dir DIR
#   python tools/analysis/rescore.py DIR/frame_scores.npz --score-names vcr.mse vcr.top ffp.mse ...
_base_ = ['../luss_ae/luss-ae_3dcae-w24_8x128x192_cpu_ped2.py']
normal_error_maps = '{{$NORMAL_ERROR_MAPS:work_dirs/luss-ae_3dcae-w24_8x128x192_cpu_ped2/normal_error_maps.npz}}'  # noqa: E501
bpe = dict(type='BPE', sigma=1.0, kernel_size=5, stride=2)
frame_means = dict(mse=dict(type='MSE'), pse=dict(type='PSE', sigma=1.0, kernel_size=5),
                   bpe=bpe)
local = dict(
    worst=dict(type='WorstRegion', block_size=16),
    worstb=dict(type='WorstRegion', block_size=16, sigma=1.0, kernel_size=5),
    top=dict(type='TopK', fraction=0.05),
    topb=dict(type='TopK', fraction=0.05, sigma=1.0, kernel_size=5))


def relative(task):
    return dict(
        rel=dict(type='RelativeToNormal', stats_file=normal_error_maps, task=task),
        relz=dict(type='RelativeToNormal', stats_file=normal_error_maps, task=task,
                  mode='zscore'),
        reltop=dict(type='RelativeToNormal', stats_file=normal_error_maps, task=task,
                    reduction='topk', fraction=0.05))


model = dict(tasks=[
    dict(type='ClipReconstructionHead', name='vcr', loss_weight=0.6, measure=bpe,
         extra_measures=dict(**frame_means, **local, **relative('vcr'))),
    dict(type='FuturePredictionHead', name='ffp', loss_weight=0.4, measure=bpe,
         extra_measures=dict(**frame_means, **local, **relative('ffp'))),
    dict(type='PlaybackRateHead', name='prp', loss_weight=1.0, input_key='prp_clip'),
])
