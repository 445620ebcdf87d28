"""Offline detection: scores equal the test pipeline's, any frame source gives the same scores,
bad inputs and checkpoints of another model are refused with the file named."""
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import default_collate
from synthetic_videos import read_frames, write_video
from tiny_detector import L, T, write_config

from vadkit.apis import (
    AnomalyDetector,
    CheckpointMismatchError,
    InputError,
    init_detector,
)
from vadkit.registry import DATASETS, METRICS
from vadkit.utils import register_all_modules

register_all_modules()


def scores_of_the_test_pipeline(cfg_path: str, checkpoint: str, out_dir: str) -> dict:
    """Per-frame scores the way tools/test.py makes them: VideoWindowDataset, the model's
    predict step, FrameAUROCMetric's fusion (frame_scores.npz)."""
    cfg = Config.fromfile(cfg_path)
    ds = DATASETS.build(cfg.test_dataloader.dataset)
    model = init_detector(cfg, checkpoint)
    preds, bs = [], cfg.test_dataloader.batch_size
    with torch.no_grad():
        for i in range(0, len(ds), bs):
            batch = default_collate([ds[j] for j in range(i, min(i + bs, len(ds)))])
            preds += model.test_step(batch)
    metric_cfg = dict(cfg.test_evaluator)
    metric_cfg['output_dir'] = out_dir
    metric = METRICS.build(metric_cfg)
    metric.dataset_meta = ds.metainfo
    metric.process(None, preds)
    metric.evaluate(len(ds))
    npz = np.load(osp.join(out_dir, 'frame_scores.npz'))
    names = list(npz['video_names'])
    return {names[v]: dict(frame=npz['frame_idx'][npz['video_idx'] == v],
                           score=npz['score'][npz['video_idx'] == v],
                           raw={n: npz[f'raw/{n}'][npz['video_idx'] == v]
                                for n in npz['score_names']})
            for v in range(len(names))}




def test_offline_scores_equal_test_pipeline(tiny, tmp_path):
    ref = scores_of_the_test_pipeline(tiny.config, tiny.checkpoint, str(tmp_path))
    det = AnomalyDetector(tiny.config, tiny.checkpoint, calibration=None, batch_size=5)
    for name, r in ref.items():
        res = det.score_video(str(tiny.test_dir / name))
        assert res.num_frames == 30 and res.window_length == L
        assert not res.mask[:T].any() and res.mask[T:].all()
        assert np.isnan(res.scores[:T]).all()
        np.testing.assert_array_equal(np.flatnonzero(res.mask), r['frame'])
        np.testing.assert_allclose(res.scores[res.mask], r['score'], rtol=1e-5, atol=1e-7)
        for n, v in r['raw'].items():
            np.testing.assert_allclose(res.raw[n][res.mask], v, rtol=1e-5, atol=1e-9)
        assert res.threshold is None and res.events == []


def test_sources_iterator_equals_folder(tiny):
    det = AnomalyDetector(tiny.config, tiny.checkpoint, calibration=None)
    folder = det.score_video(str(tiny.test_dir / '01'))
    frames = read_frames(tiny.test_dir / '01')
    from_list = det.score_video(frames, fps=10, name='mine')
    from_gen = det.score_video((f for f in frames), fps=10)
    bgr = det.score_video([cv2.cvtColor(f, cv2.COLOR_GRAY2BGR) for f in frames])
    for res in (from_list, from_gen, bgr):
        np.testing.assert_allclose(res.scores, folder.scores, rtol=1e-6, equal_nan=True)
    assert from_list.name == 'mine' and from_list.fps == 10
    video = det.score_video(tiny.video)  # MJPG: compressed pixels, same shape of result
    assert video.fps == 10 and video.num_frames == 30 and video.mask.sum() == 30 - T


def test_bad_inputs(tiny, tmp_path):
    det = AnomalyDetector(tiny.config, tiny.checkpoint, calibration=None)
    garbage = tmp_path / 'garbage.mp4'
    garbage.write_bytes(b'not a video' * 100)
    with pytest.raises(InputError, match='cannot open video .*garbage.mp4'):
        det.score_video(str(garbage))
    with pytest.raises(InputError, match='does not exist'):
        det.score_video(str(tmp_path / 'missing.mp4'))
    empty = write_video(tmp_path / 'empty.avi', [])
    with pytest.raises(InputError, match='no frames could be decoded from .*empty.avi'):
        det.score_video(empty)
    short = write_video(tmp_path / 'short.avi', read_frames(tiny.test_dir / '01')[:3])
    with pytest.raises(InputError, match=f'short.avi has 3 frame.*fewer than the {L} frames'):
        det.score_video(short)
    with pytest.raises(InputError, match='uint8'):
        det.score_video([np.zeros((32, 32), np.float32)] * 6)


def test_checkpoint_mismatch(tiny, tmp_path):
    wide = write_config(tmp_path / 'wide.py', tiny.data, widths=(4, 8, 8, 16))
    with pytest.raises(CheckpointMismatchError) as e:
        AnomalyDetector(wide, tiny.checkpoint)
    msg = str(e.value)
    assert 'tiny.pth' in msg and 'wide.py' in msg and 'shape mismatch' in msg
    assert 'checkpoint (8,' in msg and 'model (16,' in msg
    cfg = Config.fromfile(tiny.config)
    cfg.model.tasks = cfg.model.tasks[:2]  # no PRP head: its weights are unexpected
    with pytest.raises(CheckpointMismatchError,
                       match=r'unexpected key.*tasks\.2\.conv.*tasks are tasks\.0=vcr'):
        init_detector(cfg, tiny.checkpoint)
    partial = tmp_path / 'partial.pth'
    sd = torch.load(tiny.checkpoint, weights_only=True)['state_dict']
    torch.save({'state_dict': {k: v for k, v in sd.items() if not k.startswith('tasks.1.')}},
               partial)
    with pytest.raises(CheckpointMismatchError,
                       match=r'missing key.*tasks\.1\.conv\.bias.*tasks\.1=ffp'):
        init_detector(tiny.config, str(partial))


