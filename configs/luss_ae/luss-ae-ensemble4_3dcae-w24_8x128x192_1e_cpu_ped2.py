# LUSS-AE on UCSD Ped2 on a 2-core CPU as an ensemble of short runs: four models of the
# 128x192 CPU config (configs/luss_ae/luss-ae_3dcae-w24_8x128x192_cpu_ped2.py), each trained
# for one epoch (606 Adam steps) with its own seed, their test scores rescaled per video,
# averaged, then rescaled and fused with the paper's Ped2 alphas. Four one-epoch runs cost
# less than the 14 epochs of one: a small model's scores depend on its seed more than on its
# last epochs, and averaging models of other seeds steadies PRP, the least stable score.
# The headline is the paper's plain per-video min-max; the temporally smoothed figure is
# reported beside it. Members train in <work_dir>/member<i> with seeds seed * 4 + i
# (vadkit/engine/ensemble.py); figures and times in configs/luss_ae/README.md.
_base_ = ['./luss-ae_3dcae-w24_8x128x192_cpu_ped2.py']
test_evaluator = dict(
    normalizer=dict(_delete_=True, type='MinMaxNormalizer'),
    compare_normalizers=dict(
        _delete_=True,
        smoothed=dict(type='Chain', steps=[dict(type='MinMaxNormalizer'),
                                           dict(type='GaussianSmoothing', sigma=3)])))
train_cfg = dict(max_epochs=1)
ensemble = dict(members=4)
