"""tools/data/prepare_dataset.py builds the frame cache that training then reuses, from a
root or a config; a root in no known layout exits 2."""
import os
import os.path as osp
import sys

import numpy as np
from layout_writers import (
    GRAY,
    make_frames_dataset,
)

from vadkit.datasets import VideoWindowDataset
from vadkit.utils import register_all_modules

register_all_modules()


# ---------------------------------------------------------------- prepare_dataset.py
def _prepare_main():
    tools = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'tools', 'data')
    sys.path.insert(0, tools)
    try:
        import prepare_dataset
    finally:
        sys.path.remove(tools)
    return prepare_dataset.main


def test_prepare_dataset_builds_the_cache_training_reuses(tmp_path, capsys):
    main = _prepare_main()
    root = str(tmp_path / 'data')
    labels = make_frames_dataset(root)
    np.save(osp.join(root, 'ground_truth', 'frame_labels_tiny.npy'), np.concatenate(labels))
    cache = str(tmp_path / 'cache')
    assert main([root, '--size', '16', '16', '--window-length', '5', '--cache-dir', cache]) == 0
    out = capsys.readouterr().out
    assert 'FramesLayout' in out and '2 videos' in out and '22 frames' in out
    assert 'labels: 10 anomalous of 25 frames' in out and 'frame_labels_tiny.npy' in out
    assert out.count('cache built') == 2
    built = sorted(os.listdir(cache))
    # training builds the same dataset: it finds the cache and decodes nothing
    ds = VideoWindowDataset(dict(type='FramesLayout', root=root), split='train',
                            window_length=5, decode_pipeline=GRAY + [
                                dict(type='Resize', size=(16, 16))], cache_dir=cache)
    assert sorted(os.listdir(cache)) == built and ds.frames.cache_path in [
        osp.join(cache, n) for n in built]
    assert main([root, '--size', '16', '16', '--window-length', '5', '--cache-dir', cache]) == 0
    assert capsys.readouterr().out.count('up to date (reused)') == 2
    # from a config: its layout, window length and decode pipeline
    cfg = tmp_path / 'cfg.py'
    cfg.write_text(
        "decode_pipeline = [dict(type='Grayscale'), dict(type='Resize', size=(8, 8))]\n"
        "layout = dict(type='FramesLayout', root='elsewhere')\n"
        "train_dataloader = dict(dataset=dict(type='VideoWindowDataset', layout=layout, "
        "split='train', window_length=3, decode_pipeline=decode_pipeline, pipeline=[]))\n"
        "test_dataloader = dict(dataset=dict(type='VideoWindowDataset', layout=layout, "
        "split='test', window_length=3, decode_pipeline=decode_pipeline, pipeline=[]))\n")
    assert main([root, '--config', str(cfg), '--cache-dir', cache]) == 0
    out = capsys.readouterr().out
    assert "'size': (8, 8)" in out and 'window length 3' in out and 'frames of 8x8' in out
    # a root in no known layout: exit status 2 and the layouts checked
    (tmp_path / 'nothing').mkdir()
    assert main([str(tmp_path / 'nothing'), '--no-cache']) == 2
    err = capsys.readouterr().err
    assert 'matches no known dataset layout' in err and 'UcsdLayout' in err
