"""The fast path gives the plain path's scores (float32, 1e-4 relative).

Fast vs plain: channels-last 3D vs contiguous layout, ``torch.inference_mode`` with
BatchNorm folded (``InferenceTestLoop``) vs ``torch.no_grad`` (``TestLoop``), a batch of
windows vs one window at a time, frames from the memory-mapped cache (or from the device
frame cache) vs decoded per window. All tiny: 32x32 frames, T = 4, widths (4, 8, 8, 8).
"""
import copy
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import default_collate
from tiny_detector import TINY_SYNTHETIC_CONFIG
from torch import nn

from vadkit.datasets import VideoWindowDataset, generate_synthetic_dataset
from vadkit.engine import InferenceTestLoop, fold_batchnorm, inference_model
from vadkit.engine.runner import build_runner
from vadkit.models import DeviceFrameCache
from vadkit.registry import LOOPS, MODELS
from vadkit.utils import register_all_modules

register_all_modules()

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
T, HW = 4, 32
BPE = dict(type='BPE', sigma=1.0, kernel_size=5, stride=2)
TASKS = [
    dict(type='ClipReconstructionHead', name='vcr', loss_weight=0.6, measure=BPE,
         extra_measures=dict(mse=dict(type='MSE'))),
    dict(type='FuturePredictionHead', name='ffp', loss_weight=0.4, measure=BPE),
    dict(type='PlaybackRateHead', name='prp', loss_weight=1.0, input_key='prp_clip'),
]
RTOL = 1e-4


def tiny_model(channels_last=False, seed=0):
    """A tiny LUSS-AE with non-trivial BatchNorm statistics (so that folding matters)."""
    torch.manual_seed(seed)
    model = MODELS.build(dict(
        type='MultiTaskAutoEncoder', clip_len=T,
        backbone=dict(type='Conv3DAutoEncoder', widths=(4, 8, 8, 8),
                      strides=((1, 2, 2), (2, 2, 2), (2, 2, 2), (1, 2, 2))),
        tasks=copy.deepcopy(TASKS),
        data_preprocessor=dict(type='ClipDataPreprocessor', channels_last=channels_last)))
    g = torch.Generator().manual_seed(seed + 1)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm3d):
            n = m.num_features
            m.running_mean.copy_(torch.rand(n, generator=g) * 0.4 - 0.2)
            m.running_var.copy_(torch.rand(n, generator=g) + 0.5)
            m.weight.data.copy_(torch.rand(n, generator=g) + 0.5)
            m.bias.data.copy_(torch.rand(n, generator=g) * 0.2 - 0.1)
    return model.to('cpu').eval()


def eval_batch(b=6, seed=3):
    g = torch.Generator().manual_seed(seed)
    clips = torch.randint(0, 256, (b, 1, T + 1, HW, HW), dtype=torch.uint8, generator=g)
    return dict(inputs=dict(window=clips),
                data_samples=dict(video_idx=torch.zeros(b, dtype=torch.long),
                                  frame_idx=torch.arange(b) + T,
                                  label=torch.tensor([0, 1] * (b // 2))))


def score_table(results):
    names = sorted(results[0]['scores'])
    return names, torch.tensor([[r['scores'][n] for n in names] for r in results])


def assert_same_scores(fast, plain, rtol=RTOL):
    names_f, f = score_table(fast)
    names_p, p = score_table(plain)
    assert names_f == names_p
    assert [r['frame_idx'] for r in fast] == [r['frame_idx'] for r in plain]
    rel = ((f - p).abs() / p.abs().clamp_min(1e-12)).max().item()
    assert rel <= rtol, f'scores differ by {rel:.2e} relative (> {rtol})'


def plain_scores(model, batch):
    with torch.no_grad():
        return model.test_step(batch)


def test_channels_last_matches_contiguous():
    plain = tiny_model(channels_last=False)
    fast = tiny_model(channels_last=True)
    enc0 = fast.backbone.encoder[1][0].weight  # a (8, 4, 3, 3, 3) Conv3d weight
    assert enc0.is_contiguous(memory_format=torch.channels_last_3d)
    assert not enc0.is_contiguous()
    assert plain.backbone.encoder[1][0].weight.is_contiguous()
    data = fast.data_preprocessor(eval_batch(), False)
    assert data['inputs']['window'].is_contiguous(memory_format=torch.channels_last_3d)
    assert_same_scores(plain_scores(fast, eval_batch()), plain_scores(plain, eval_batch()))


def test_channels_last_auto_is_per_device_and_phase():
    from vadkit.models.data_preprocessors import AUTO_CHANNELS_LAST
    pre = MODELS.build(dict(type='ClipDataPreprocessor'))  # default 'auto'
    for device in ('cpu', 'cuda'):
        for phase in ('train', 'test'):
            assert pre.use_channels_last(device, phase == 'train') == \
                AUTO_CHANNELS_LAST[device][phase]
    assert pre.use_channels_last('meta') is False
    pre = MODELS.build(dict(type='ClipDataPreprocessor',
                            channels_last=dict(train=False, test=True)))
    assert not pre.use_channels_last('cpu', training=True)
    assert pre.use_channels_last('cpu', training=False)
    for bad in ('yes', dict(train=True)):
        with pytest.raises(ValueError, match='channels_last'):
            MODELS.build(dict(type='ClipDataPreprocessor', channels_last=bad))


def test_inference_model_switches_to_the_test_layout_and_back():
    model = tiny_model(channels_last=dict(train=False, test=True))
    weight = model.backbone.encoder[1][0].weight
    assert weight.is_contiguous() and model.memory_format == torch.contiguous_format
    plain = plain_scores(model, eval_batch())
    with inference_model(model, fuse_conv_bn=False) as inner, torch.inference_mode():
        assert weight.is_contiguous(memory_format=torch.channels_last_3d)
        assert not weight.is_contiguous()
        fast = inner.test_step(eval_batch())
    assert weight.is_contiguous() and model.memory_format == torch.contiguous_format
    assert_same_scores(fast, plain)


def test_channels_last_training_step_matches_contiguous():
    from mmengine.optim import OptimWrapper
    batch = dict(inputs=dict(window=eval_batch(4)['inputs']['window'],
                             prp_clip=eval_batch(4, seed=5)['inputs']['window'][:, :, :T]),
                 data_samples=dict(prp_label=torch.tensor([0, 1, 1, 0])))
    losses = []
    for cl in (False, True):
        model = tiny_model(channels_last=cl).train()
        wrapper = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-3))
        first = model.train_step(copy.deepcopy(batch), wrapper)
        second = model.train_step(copy.deepcopy(batch), wrapper)
        losses.append(torch.stack([first['loss'], second['loss']]))
    torch.testing.assert_close(losses[1], losses[0], rtol=RTOL, atol=0)


def test_fold_batchnorm_inference_mode_matches_no_grad_and_restores():
    model = tiny_model()
    modules_before = [id(m) for m in model.modules()]
    state_before = {k: v.clone() for k, v in model.state_dict().items()}
    plain = plain_scores(model, eval_batch())
    with inference_model(model) as inner, torch.inference_mode():
        assert inner is model
        assert not any(isinstance(m, nn.BatchNorm3d) for m in model.backbone.modules())
        fast = inner.test_step(eval_batch())
    assert_same_scores(fast, plain)
    assert [id(m) for m in model.modules()] == modules_before  # originals put back
    for k, v in model.state_dict().items():
        assert torch.equal(v, state_before[k]), k


def test_fold_batchnorm_counts_and_needs_eval():
    model = tiny_model()
    with fold_batchnorm(model) as n:
        assert n == 7  # 4 encoder + 3 decoder blocks
    model.train()
    with pytest.raises(RuntimeError, match='eval mode'):
        with fold_batchnorm(model):
            pass


def test_batched_matches_one_window_at_a_time():
    model = tiny_model(channels_last=True)
    batch = eval_batch(6)
    with inference_model(model) as inner, torch.inference_mode():
        batched = inner.test_step(copy.deepcopy(batch))
        single = []
        for i in range(6):
            one = dict(inputs=dict(window=batch['inputs']['window'][i:i + 1]),
                       data_samples={k: v[i:i + 1] for k, v in batch['data_samples'].items()})
            single += inner.test_step(one)
    assert_same_scores(batched, single)


@pytest.fixture(scope='module')
def synthetic_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('fast_path') / 'synthetic')
    generate_synthetic_dataset(root, num_train=2, num_test=2, num_frames=30, size=HW)
    return root


def window_dataset(root, split, cache_dir):
    keys = ('window', 'prp_clip') if split == 'train' else ('window', )
    pipeline = [dict(type='SampleWindow')]
    if split == 'train':
        pipeline.append(dict(type='SamplePlaybackRateClip'))
    pipeline.append(dict(type='PackClipInputs', keys=keys,
                         meta_keys=('prp_label', ) if split == 'train' else
                         ('video_idx', 'frame_idx', 'label')))
    return VideoWindowDataset(layout=dict(type='FramesLayout', root=root), split=split,
                              window_length=T + 1, pipeline=pipeline,
                              decode_pipeline=[dict(type='Grayscale')], cache_dir=cache_dir)


def test_cached_frames_match_decoded_frames_and_scores(synthetic_root, tmp_path):
    cached = window_dataset(synthetic_root, 'test', str(tmp_path / 'cache'))
    decoded = window_dataset(synthetic_root, 'test', None)
    assert cached.frames.cache_path and not decoded.frames.cache_path
    idx = list(range(0, len(cached), 3))
    a = default_collate([cached[i] for i in idx])
    b = default_collate([decoded[i] for i in idx])
    assert torch.equal(a['inputs']['window'], b['inputs']['window'])
    model = tiny_model(channels_last=True)
    with inference_model(model) as inner, torch.inference_mode():
        fast = inner.test_step(a)
    assert_same_scores(fast, plain_scores(tiny_model(channels_last=False), b))


def test_device_frame_cache_matches_dataset(synthetic_root, tmp_path):
    ds = window_dataset(synthetic_root, 'test', str(tmp_path / 'cache'))
    cache = DeviceFrameCache(ds, device='cpu')
    assert len(cache) == len(ds) and cache.nbytes == 2 * 30 * HW * HW
    idx = torch.tensor([0, 5, len(ds) - 1])
    expected = default_collate([ds[int(i)] for i in idx])
    got = cache.window_batch(idx)
    assert torch.equal(got['inputs']['window'], expected['inputs']['window'])
    for k in ('video_idx', 'frame_idx', 'label'):
        assert torch.equal(got['data_samples'][k], expected['data_samples'][k]), k
    batches = list(cache.batches(4))
    assert sum(b['inputs']['window'].shape[0] for b in batches) == len(ds)


def test_device_frame_cache_playback_rate_clips(synthetic_root, tmp_path):
    ds = window_dataset(synthetic_root, 'train', str(tmp_path / 'cache'))
    cache = DeviceFrameCache(ds, device='cpu')
    g = torch.Generator().manual_seed(0)
    idx = torch.arange(len(ds))
    batch = cache.train_batch(idx, strides=(2, 3, 4, 5), p_original=0.5, generator=g)
    window, prp = batch['inputs']['window'], batch['inputs']['prp_clip']
    labels = batch['data_samples']['prp_label']
    assert window.shape == (len(ds), 1, T + 1, HW, HW) and prp.shape == (len(ds), 1, T, HW, HW)
    assert 0 < labels.float().mean() < 1  # both classes drawn
    frames = cache.frames
    for i in range(len(ds)):  # each PRP clip: frames of its own video, stride 1 iff label 0
        v = int(cache.video_idx[i])
        lo, n = int(cache.offsets[v]), int(cache.num_frames[v])
        hits = [[j for j in range(lo, lo + n) if torch.equal(frames[j], prp[i, 0, k])]
                for k in range(T)]
        assert all(hits), f'PRP clip {i} leaves video {v}'
        steps = {b - a for a, b in zip([h[0] for h in hits], [h[0] for h in hits][1:])}
        assert (steps == {1}) == (int(labels[i]) == 0)


def test_inference_test_loop_matches_test_loop(synthetic_root, tmp_path):
    assert LOOPS.get('InferenceTestLoop') is InferenceTestLoop
    cfg = Config.fromfile(TINY_SYNTHETIC_CONFIG)
    cfg.test_dataloader.dataset.layout = dict(type='FramesLayout', root=synthetic_root)
    cfg.train_dataloader.dataset.layout = dict(type='FramesLayout', root=synthetic_root)
    cfg.test_dataloader.dataset.decode_pipeline = [dict(type='Grayscale')]
    cfg.model.tasks = copy.deepcopy(TASKS)
    cfg.model.backbone.widths = (4, 8, 8, 8)
    scores = {}
    for loop in ('TestLoop', 'InferenceTestLoop'):
        c = copy.deepcopy(cfg)
        c.test_cfg = dict(type=loop)
        c.work_dir = str(tmp_path / loop)
        c.test_evaluator.output_dir = str(tmp_path / loop / 'scores')
        c.experiment_name = f'fast_path_{loop}'
        runner = build_runner(c)
        runner.model.load_state_dict(tiny_model().state_dict())
        runner.test()
        out = np.load(osp.join(c.test_evaluator.output_dir, 'frame_scores.npz'))
        scores[loop] = {k: out[k] for k in out.files if k.startswith('raw/')}
    assert scores['TestLoop'].keys() == scores['InferenceTestLoop'].keys()
    for k, plain in scores['TestLoop'].items():
        np.testing.assert_allclose(scores['InferenceTestLoop'][k], plain, rtol=RTOL, err_msg=k)
