"""Helpers that several tools, layouts and figures share: one copy each, checked here."""
import os

import numpy as np
import torch
from forked_tool import run_forked
from torch import nn

from vadkit.datasets.frame_decoding import check_frame_shape
from vadkit.datasets.layouts import DatasetError
from vadkit.datasets.layouts.label_files import find_label_file
from vadkit.utils.complexity import count_macs
from vadkit.utils.mask_runs import true_runs


class TinyScorer(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv3d(1, 2, 3, padding=1)
        self.up = nn.ConvTranspose3d(2, 1, 1)
        self.fc = nn.Linear(4, 3)

    def predict_scores(self, clip):
        return self.fc(self.up(self.conv(clip))[..., :4])


def test_count_macs_counts_each_layer_by_convention():
    macs = count_macs(TinyScorer(), torch.zeros(1, 1, 2, 4, 4))
    conv = 2 * 2 * 4 * 4 * 27  # output elements x in_channels x kernel volume
    up = 2 * 4 * 4 * 2 * 1  # input positions x in_channels x kernel (transposed)
    fc = 1 * 1 * 2 * 4 * 3 * 4  # outputs x in_features
    assert macs['all'] == conv + up + fc
    # the paper's convention skips transposed convolutions and counts biases
    assert macs['paper'] == conv + 2 * 2 * 4 * 4 + fc + 1 * 1 * 2 * 4 * 3


def test_true_runs():
    assert true_runs(np.array([0, 1, 1, 0, 1])) == [(1, 2), (4, 4)]
    assert true_runs(np.zeros(3)) == []
    assert true_runs(np.ones(2, bool)) == [(0, 1)]


def test_find_label_file_order(tmp_path):
    (tmp_path / 'gt').mkdir()
    (tmp_path / 'gt' / 'b.npy').write_bytes(b'')
    (tmp_path / 'a.mat').write_bytes(b'')
    folders = (str(tmp_path), str(tmp_path / 'gt'))
    # patterns first, then folders: the .npy wins over an earlier folder's .mat
    assert find_label_file(None, str(tmp_path), ('*.npy', '*.mat'), folders) == str(
        tmp_path / 'gt' / 'b.npy')
    assert find_label_file('x.m', '/base', ('*.npy', ), folders) == '/base/x.m'
    assert find_label_file('/abs/x.m', '/base', (), folders) == '/abs/x.m'
    assert find_label_file(None, str(tmp_path), ('*.m', ), folders) is None


def test_check_frame_shape_names_the_frame():
    img = np.zeros((4, 5), np.uint8)
    assert check_frame_shape(img, (4, 5), 'f.jpg') is img
    try:
        check_frame_shape(img, (4, 4), 'f.jpg')
    except DatasetError as e:
        assert 'f.jpg' in str(e) and 'mixes resolutions' in str(e)
    else:
        raise AssertionError('a frame of another size was accepted')


def test_video_files_imports_without_the_layouts():
    # no import cycle: the video-file readers load on their own
    code = 'import vadkit.datasets.layouts.video_files as m; print(m.FrameDecodeError.__name__)'
    out = run_forked(['-c', code], dict(os.environ), os.getcwd())  # nothing of vadkit loaded
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == 'FrameDecodeError'
