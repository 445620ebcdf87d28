"""Augmentation of training samples: one draw for all clips, training only, seeded."""
import os.path as osp

import cv2
import numpy as np
import pytest

from vadkit.datasets import DatasetError, VideoWindowDataset
from vadkit.datasets.transforms import (
    ClipGaussianNoise,
    ClipRandomBrightnessContrast,
    ClipRandomHorizontalFlip,
    ClipRandomResizedCrop,
    ClipRandomReverse,
)
from vadkit.utils import register_all_modules
from vadkit.utils.run_config import load_config

register_all_modules()
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
AUGMENT_CFG = osp.join(REPO, 'configs/ablations/luss-ae-augment_3dcae-w8_8x64x64_synthetic.py')
DEMO_CFG = osp.join(REPO, 'configs/demo/luss-ae_3dcae-w8_8x64x64_synthetic.py')
T = 8


def sample(seed=0, shape=(T + 1, 12, 16)):
    """A window of random frames and a PRP clip at the original rate: its frames are the
    window's first T, so one draw for both keeps ``prp_clip == window[:T]``."""
    window = np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)
    return dict(window=window, prp_clip=window[:T].copy(), prp_label=0)


def assert_prp_aligned(r):
    np.testing.assert_array_equal(r['prp_clip'], r['window'][:T])


def test_flip_mirrors_window_future_frame_and_prp_clip_alike():
    s = sample()
    r = ClipRandomHorizontalFlip(prob=1.0)(dict(s, window=s['window'].copy()))
    np.testing.assert_array_equal(r['window'], s['window'][:, :, ::-1])  # incl. frame T+1
    np.testing.assert_array_equal(r['window'][T], s['window'][T][:, ::-1])
    assert_prp_aligned(r)


@pytest.mark.parametrize('seed', range(5))
def test_crop_and_photometric_draw_once_for_every_frame_and_clip(seed):
    np.random.seed(seed)
    for t in (ClipRandomResizedCrop(scale=(0.5, 0.9), prob=1.0),
              ClipRandomBrightnessContrast(brightness=0.3, contrast=0.3, prob=1.0)):
        s = sample(seed)
        r = t(dict(s))
        assert r['window'].shape == s['window'].shape and r['window'].dtype == np.uint8
        assert not np.array_equal(r['window'], s['window'])
        assert_prp_aligned(r)


def test_crop_is_a_zoom_of_one_box_for_all_frames():
    t = ClipRandomResizedCrop(scale=(0.5, 0.5), prob=1.0)
    s = sample(1, shape=(T + 1, 20, 30))
    np.random.seed(7)
    out = t(dict(s))['window']
    np.random.seed(7)
    np.random.random()  # the prob draw
    y0, x0, h, w = t.draw((20, 30))['box']
    assert (h, w) == (10, 15)
    for frame, src in zip(out, s['window']):
        expected = cv2.resize(np.ascontiguousarray(src[y0:y0 + h, x0:x0 + w]), (30, 20),
                              interpolation=cv2.INTER_LINEAR)
        np.testing.assert_array_equal(frame, expected)


def test_brightness_contrast_is_one_affine_map_for_all_frames():
    window = np.tile(np.arange(0, 256, 16, dtype=np.uint8)[None, None], (T + 1, 3, 1))
    np.random.seed(0)
    out = ClipRandomBrightnessContrast(0.2, 0.2, prob=1.0)(dict(window=window))['window']
    assert all(np.array_equal(f, out[0]) for f in out)  # same levels -> same output
    assert np.all(np.diff(out[0].astype(int), axis=-1) >= 0)  # monotone, clipped to uint8


def test_colour_clips_keep_their_channels():
    s = dict(window=np.random.default_rng(0).integers(0, 256, (T + 1, 12, 16, 3), np.uint8))
    np.random.seed(0)
    r = ClipRandomResizedCrop(scale=(0.6, 0.6), prob=1.0)(dict(s))
    assert r['window'].shape == (T + 1, 12, 16, 3)


def test_reverse_and_noise_touch_the_prp_clip_only():
    s = sample()
    r = ClipRandomReverse(prob=1.0)(dict(s))
    np.testing.assert_array_equal(r['prp_clip'], s['prp_clip'][::-1])
    np.testing.assert_array_equal(r['window'], s['window'])
    assert r['prp_label'] == 0  # same speed, same label
    np.random.seed(0)
    r = ClipGaussianNoise(std=0.05, prob=1.0)(dict(s))
    assert not np.array_equal(r['prp_clip'], s['prp_clip'])
    assert np.abs(r['prp_clip'].astype(int) - s['prp_clip']).mean() < 20
    np.testing.assert_array_equal(r['window'], s['window'])


@pytest.mark.parametrize('cls', [ClipRandomReverse, ClipGaussianNoise])
def test_transforms_that_would_corrupt_pixel_targets_refuse_the_window(cls):
    with pytest.raises(DatasetError, match="prp_clip"):
        cls(keys=('window', 'prp_clip'))


def test_bad_parameters_are_refused():
    with pytest.raises(DatasetError, match='prob'):
        ClipRandomHorizontalFlip(prob=1.5)
    with pytest.raises(DatasetError, match='scale'):
        ClipRandomResizedCrop(scale=(0.0, 1.0))
    with pytest.raises(DatasetError, match='contrast'):
        ClipRandomBrightnessContrast(contrast=1.0)


@pytest.mark.parametrize('t', [
    ClipRandomHorizontalFlip(prob=0.0), ClipRandomResizedCrop(prob=0.0),
    ClipRandomBrightnessContrast(prob=0.0), ClipRandomReverse(prob=0.0),
    ClipGaussianNoise(prob=0.0)], ids=lambda t: type(t).__name__)
def test_off_is_the_identity_and_draws_nothing(t):
    s = sample()
    np.random.seed(3)
    r = t(dict(s))
    after = np.random.random()
    np.random.seed(3)
    assert after == np.random.random()  # the random stream is as if it were absent
    for k in ('window', 'prp_clip'):
        assert r[k] is s[k]


def test_misplaced_in_the_decode_pipeline_says_where_it_belongs():
    with pytest.raises(DatasetError, match='training pipeline after the clip samplers'):
        ClipRandomHorizontalFlip(prob=1.0)(dict(img=np.zeros((4, 4), np.uint8)))


def synthetic_layout(tmp_path):
    return dict(type='SyntheticLayout', root=str(tmp_path / 'syn'), num_train=2, num_test=2,
                num_frames=40, size=32)


def augment_pipeline():
    return load_config(AUGMENT_CFG).train_dataloader.dataset.pipeline


def test_dataset_samples_are_reproducible_from_the_seed(tmp_path):
    ds = VideoWindowDataset(synthetic_layout(tmp_path), 'train', T + 1,
                            pipeline=augment_pipeline(), cache_dir=None)

    def epoch(seed):
        np.random.seed(seed)
        return [ds[i]['inputs'] for i in range(0, len(ds), 5)]

    a, b, c = epoch(0), epoch(0), epoch(1)
    assert all(x[k].equal(y[k]) for x, y in zip(a, b) for k in x)
    assert not all(x[k].equal(y[k]) for x, y in zip(a, c) for k in x)


def test_dataset_flip_keeps_the_prp_clip_and_label_of_the_same_draw(tmp_path):
    base = load_config(DEMO_CFG).train_dataloader.dataset.pipeline
    flipped = list(base[:2]) + [dict(type='ClipRandomHorizontalFlip', prob=1.0)] + base[2:]
    plain = VideoWindowDataset(synthetic_layout(tmp_path), 'train', T + 1, pipeline=base,
                               cache_dir=None)
    aug = VideoWindowDataset(synthetic_layout(tmp_path), 'train', T + 1, pipeline=flipped,
                             cache_dir=None)
    for i in (0, 7, 20):
        np.random.seed(i)
        p = plain[i]
        np.random.seed(i)
        a = aug[i]
        for k in ('window', 'prp_clip'):
            assert a['inputs'][k].equal(p['inputs'][k].flip(-1))
        assert a['data_samples']['prp_label'] == p['data_samples']['prp_label']


def test_test_pipeline_and_everything_but_training_augmentation_are_the_demos():
    aug, demo = load_config(AUGMENT_CFG), load_config(DEMO_CFG)
    assert aug.test_dataloader == demo.test_dataloader
    assert aug.model == demo.model and aug.randomness == demo.randomness
    kept = [p for p in aug.train_dataloader.dataset.pipeline
            if not p['type'].startswith('ClipRandom')]
    assert kept == demo.train_dataloader.dataset.pipeline


def test_dataset_refuses_augmentation_in_a_test_or_decode_pipeline(tmp_path):
    pipeline = augment_pipeline()
    with pytest.raises(DatasetError, match='test pipeline would make the scores random'):
        VideoWindowDataset(synthetic_layout(tmp_path), 'test', T + 1, pipeline=pipeline,
                           cache_dir=None, test_mode=True)
    with pytest.raises(DatasetError, match='decode_pipeline would be applied once'):
        VideoWindowDataset(synthetic_layout(tmp_path), 'train', T + 1,
                           decode_pipeline=[dict(type='Grayscale'),
                                            dict(type='ClipRandomHorizontalFlip')],
                           cache_dir=None)
