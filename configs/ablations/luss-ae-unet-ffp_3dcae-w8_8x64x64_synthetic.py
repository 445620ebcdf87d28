# FFP by a U-Net of its own on the synthetic default: the demo config with the paper's FFP
# head replaced by UNetFuturePredictionHead (last 4 frames in, frame T+1 out, widths 16-128,
# intensity + gradient loss, scored by minus the PSNR), VCR scored by its motion, the three
# per-video min-max scores fused with weights equal to each score's reliability across
# seeds, as in the recommended Ped2 CPU config
# (configs/luss_ae/luss-ae-unet-ffp_3dcae-w24_8x128x192_2e_cpu_ped2.py); the reliabilities
# are this config's own (tools/analysis/score_reliability.py on its seeds 0-3, no label
# read: VCR 0.990, FFP 0.976, PRP 0.376). The demo trains
# everything at lr 1e-3, the U-Net's rate in the Ped2 config too. Figures in
# configs/luss_ae/README.md.
_base_ = ['../demo/luss-ae_3dcae-w8_8x64x64_synthetic.py',
          '../_base_/models/luss_ae_plus_heads.py']
model = dict(tasks=_base_.luss_ae_plus_tasks)
test_evaluator = dict(
    score_weights=dict(vcr=0.99, ffp=0.98, prp=0.38),
    compare_weights=dict(equal=dict(vcr=1.0, ffp=1.0, prp=1.0),
                         alphas=dict(vcr=0.1, ffp=0.8, prp=1.0),
                         vcr_bpe={'vcr.bpe': 0.99, 'ffp': 0.98, 'prp': 0.38}))
