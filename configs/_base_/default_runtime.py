default_scope = 'vadkit'
# vadkit's runner: one run per work dir, atomic checkpoints that know their model, exact
# resume (tools build it for configs without this line too)
runner_type = 'VadkitRunner'

# each default hook turns off with --cfg-options default_hooks.<name>=None
default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, ignore_last=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=3, save_last=True),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # glibc keeps freed memory in the process: no page faults on the activations of each
    # step (1.2-1.35x faster CPU training); resident memory stays at its peak
    cpu_allocator=dict(type='CPUAllocatorHook', keep_freed_memory=True),
    # with other vadkit jobs on the machine, torch threads = this run's share of the cores
    cpu_share=dict(type='CPUShareHook'),
    # after a test: each video's score curves, AUROC and figure in the vis backends
    score_curves=dict(type='ScoreCurvesHook'),
    # at the end of training: whether each classifier task (PRP) learned, in task_skill.json
    task_skill=dict(type='TaskSkillHook'),
)
# PlainCheckpointHook keeps checkpoints loadable with torch.load(weights_only=True);
# FiniteLossHook stops at the first NaN/inf loss with a clear message.
custom_hooks = [dict(type='PlainCheckpointHook'), dict(type='FiniteLossHook')]

env_cfg = dict(
    cudnn_benchmark=True,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)
log_processor = dict(type='LogProcessor', window_size=20, by_epoch=True)
vis_backends = [dict(type='LocalVisBackend')]
# add dict(type='TensorboardVisBackend') (pip install tensorboard) to see them in TensorBoard
visualizer = dict(type='VADVisualizer', vis_backends=vis_backends)
log_level = 'INFO'
load_from = None
resume = False
# deterministic=True: the same weights run after run on one kind of machine. The NaN fill
# of every new tensor that PyTorch adds in deterministic mode stays off (it changes no
# number of vadkit's models and costs ~8 % of a CPU training step); turn it on with
# fill_uninitialized_memory=True
randomness = dict(seed=0, deterministic=False)
