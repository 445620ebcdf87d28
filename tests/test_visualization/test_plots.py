"""Figures: per-frame score curves (Figures 3-4) and error maps (Figure 5) are written as
PNG files, from saved scores and from a (random-weight) model on tiny synthetic videos."""
import os.path as osp

import numpy as np
import pytest
import torch
from matplotlib.image import imread
from mmengine.config import Config
from tool_modules import load_tool as load_tool_module

from vadkit.evaluation import FrameScores
from vadkit.registry import METRICS, MODELS
from vadkit.utils import register_all_modules
from vadkit.utils.mask_runs import true_runs as runs
from vadkit.visualization.error_maps import compute_error_maps, default_measures, plot_error_maps
from vadkit.visualization.score_plots import plot_video_scores, score_label

register_all_modules()

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def load_tool(name):
    return load_tool_module('analysis/' + name)


def assert_png(path, min_w=400, min_h=200):
    assert osp.isfile(path)
    with open(path, 'rb') as f:
        assert f.read(8) == b'\x89PNG\r\n\x1a\n'
    img = imread(path)
    assert img.shape[0] >= min_h and img.shape[1] >= min_w
    assert img[..., :3].std() > 0.01  # not a blank canvas


def test_runs_and_labels():
    assert runs(np.array([0, 1, 1, 0, 1])) == [(1, 2), (4, 4)]
    assert runs(np.zeros(3)) == []
    assert runs(np.ones(2)) == [(0, 1)]
    assert score_label('vcr') == r'$A_{\mathrm{VCR}}$'
    assert score_label('ffp.pse').endswith('(pse)')


def test_plot_video_scores_writes_png(tmp_path):
    frames = np.arange(8, 60)
    labels = ((frames > 20) & (frames < 35)).astype(int)
    rng = np.random.default_rng(0)
    curves = {n: rng.random(frames.size) + labels for n in ('vcr', 'ffp', 'prp')}
    out = plot_video_scores(frames, curves, labels, str(tmp_path / 'a' / 'v.png'),
                            title='video 01', fused=sum(curves.values()), num_frames=60)
    assert_png(out)
    out = plot_video_scores(frames, curves, np.zeros_like(labels), str(tmp_path / 'b.png'),
                            display_rescale=False)
    assert_png(out)


@pytest.fixture(scope='module')
def npz(tmp_path_factory):
    rng = np.random.default_rng(0)
    records, lengths = [], [50, 40, 30]
    for v, n in enumerate(lengths):
        y = np.zeros(n, np.int64)
        y[n // 2:] = 1 if v != 2 else 0
        for f in range(8, n):
            records.append((v, f, int(y[f]), dict(vcr=rng.normal() + y[f],
                                                  ffp=rng.normal() + 2 * y[f],
                                                  prp=rng.random())))
    out = str(tmp_path_factory.mktemp('scores'))
    metric = METRICS.build(dict(type='FrameAUROCMetric',
                                score_weights=dict(vcr=0.1, ffp=0.8, prp=1.0),
                                normalizer=dict(type='RobustNormalizer'),
                                normalizers=dict(prp=dict(type='MinMaxNormalizer')),
                                output_dir=out))
    metric.dataset_meta = dict(video_names=['01', '02', '03'], num_frames=lengths)
    metric.compute_metrics(records)
    return osp.join(out, 'frame_scores.npz')


def test_plot_scores_tool(npz, tmp_path):
    tool = load_tool('plot_scores')
    files = tool.main([npz, '--videos', '01', '03', '--out-dir', str(tmp_path)])
    assert [osp.basename(f) for f in files] == ['scores_01.png', 'scores_03.png']
    for f in files:
        assert_png(f)
    files = tool.main([npz, '--out-dir', str(tmp_path / 'all'), '--normalizer',
                       'MinMaxNormalizer', '--smooth', '2', '--no-display-rescale'])
    assert len(files) == 3
    with pytest.raises(SystemExit):
        tool.main([npz, '--videos', '99', '--out-dir', str(tmp_path)])


def test_error_map_figure_from_tensors(tmp_path):
    torch.manual_seed(0)
    target = torch.rand(1, 32, 32) * 2 - 1
    pred = target.clone()
    pred[:, 10:16, 12:20] += 0.8
    maps = compute_error_maps(pred, target, default_measures())
    assert list(maps) == ['MSE', 'PSE', 'BPE']
    assert maps['MSE']['map'].shape == (32, 32) and maps['BPE']['map'].shape == (16, 16)
    assert maps['MSE']['value'] == pytest.approx(maps['MSE']['map'].mean(), rel=1e-9)
    assert maps['BPE']['value'] == pytest.approx(maps['BPE']['map'].sum() / 32 / 32, rel=1e-9)
    row = dict(name='FFP', target=target[0].numpy(), prediction=pred[0].numpy(), maps=maps)
    out = plot_error_maps([row, dict(row, name='VCR')], str(tmp_path / 'maps.png'),
                          title='test', shared_scale=True)
    assert_png(out, min_w=800)


def test_plot_error_maps_tool(tmp_path):
    """A random-weight model on tiny synthetic videos: the whole tool, config to PNG."""
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'demo',
                                   'luss-ae_3dcae-w8_8x64x64_synthetic.py'))
    layout = dict(type='SyntheticLayout', root=str(tmp_path / 'syn'), num_train=1,
                  num_test=2, num_frames=24, size=32)
    cfg.model.update(clip_len=8, backbone=dict(widths=(4, 8, 8, 8)))
    cfg.test_dataloader.dataset.update(layout=layout, window_length=9, cache_dir=None)
    cfg.train_dataloader.dataset.update(layout=layout, window_length=9, cache_dir=None)
    config = str(tmp_path / 'cfg.py')
    cfg.dump(config)
    torch.manual_seed(0)
    ckpt = str(tmp_path / 'random.pth')
    torch.save(dict(state_dict=MODELS.build(cfg.model).state_dict(), meta={}), ckpt)
    tool = load_tool('plot_error_maps')
    out = tool.main([config, ckpt, '--video', '02', '--frame', '12', '--out',
                     str(tmp_path / 'em.png')])
    assert_png(out, min_w=800)
    out = tool.main([config, ckpt, '--video', '01', '--frame', '8', '--tasks', 'ffp',
                     '--out', str(tmp_path / 'ffp.png')])
    assert_png(out)
    with pytest.raises(SystemExit):  # frame 3 ends no window (the first T are unscored)
        tool.main([config, ckpt, '--video', '01', '--frame', '3', '--out',
                   str(tmp_path / 'x.png')])


def test_frame_scores_find_videos(npz):
    scores = FrameScores.load(npz)
    assert scores.find_videos(['02', '03']) == [1, 2]
    with pytest.raises(KeyError):
        scores.find_videos(['zz'])
