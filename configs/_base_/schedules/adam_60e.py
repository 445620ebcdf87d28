# The paper: Adam, learning rate 1e-4, end to end; the reference trains 60 epochs.
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-4))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=60, val_interval=0)
# InferenceTestLoop: TestLoop under torch.inference_mode with BatchNorm folded into the
# convolutions (same scores to float32 rounding, faster; see docs/performance.md).
test_cfg = dict(type='InferenceTestLoop')
param_scheduler = []
auto_scale_lr = dict(enable=False, base_batch_size=16)
