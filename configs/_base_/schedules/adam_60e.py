# The paper: Adam, learning rate 1e-4, end to end; the reference trains 60 epochs.
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-4))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=60, val_interval=0)
test_cfg = dict(type='TestLoop')
param_scheduler = []
auto_scale_lr = dict(enable=False, base_batch_size=16)
