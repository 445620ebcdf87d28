# LUSS-AE+ on CUHK Avenue, for GPUs: the paper's setting (luss-ae_3dcae_16x256x256_60e_avenue.py)
# with what beat it on the 2-core CPU: the LUSS-AE+ heads (configs/_base_/models/
# luss_ae_plus_heads.py: VCR scored by its motion, FFP by a U-Net of its own), and four
# members of 15 epochs each (the 60 epochs of one paper run) whose scores are averaged per
# video and fused with each score's reliability across the members, measured on the test
# videos without any label (ensemble.score_weights). The paper's alphas for CUHK Avenue are
# reported beside it (micro_auroc_config_weights), and each rescaling under plain min-max.
# Not measured (needs a GPU).
_base_ = ['./luss-ae_3dcae_16x256x256_60e_avenue.py', '../_base_/models/luss_ae_plus_heads.py']
model = dict(tasks=_base_.luss_ae_plus_tasks)
optim_wrapper = dict(paramwise_cfg=_base_.luss_ae_plus_paramwise)
test_evaluator = dict(compare_normalizers=dict(minmax=dict(type='MinMaxNormalizer')))
train_cfg = dict(max_epochs=15)
ensemble = dict(members=4, score_weights='reliability')
