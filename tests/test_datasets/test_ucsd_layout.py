"""UcsdLayout on a tiny native UCSD folder: Ped1-style m-file ranges, frames and labels."""

import numpy as np
import pytest
from layout_writers import (
    assert_frames_in_order,
    make_ucsd,
)

from vadkit.datasets.layouts import (
    DatasetError,
    UcsdLayout,
    detect_layout,
)
from vadkit.datasets.layouts.label_files import parse_m_ranges
from vadkit.utils import register_all_modules

register_all_modules()


def test_parse_ucsd_m_ranges_ped1_style():
    text = ('TestVideoFile = {};\n% comment [1:3]\n'
            'TestVideoFile{end+1}.gt_frame = [60:152];\n'
            'TestVideoFile{end+1}.gt_frame = [1:20, 50:80];\n'
            'TestVideoFile{end+1}.gt_frame = [5:90 140 : 200];\n'
            'TestVideoFile{end+1}.gt_frame = [7];\n')
    assert parse_m_ranges(text) == [[(60, 152)], [(1, 20), (50, 80)], [(5, 90), (140, 200)],
                                    [(7, 7)]]


# ---------------------------------------------------------------- UCSD
@pytest.fixture
def ucsd_root(tmp_path):
    parent = tmp_path / 'UCSD_Anomaly_Dataset.v1p2'
    labels2 = make_ucsd(str(parent / 'UCSDped2'))
    labels1 = make_ucsd(str(parent / 'UCSDped1'), train=(10, ), test=(12, 13, 9),
                        ranges=[[(1, 5), (9, 12)], [(2, 3)], [(4, 9)]])
    return parent, labels1, labels2


def test_ucsd_native_layout(ucsd_root):
    parent, labels1, labels2 = ucsd_root
    layout = UcsdLayout(str(parent / 'UCSDped2'))
    test = layout.load('test')
    assert [v.name for v in test] == ['Test001', 'Test002']  # Test001_gt is no video
    for v, y in zip(test, labels2):
        np.testing.assert_array_equal(v.labels, y)
        assert v.label_source.endswith('UCSDped2.m')
    assert_frames_in_order(test, 1, tol=0.5)
    train = layout.load('train')
    assert [v.num_frames for v in train] == [12, 10]
    # the parent folder: pick the subset; Ped1's several ranges a video
    test1 = UcsdLayout(str(parent), subset='ped1').load('test')
    for v, y in zip(test1, labels1):
        np.testing.assert_array_equal(v.labels, y)
    assert UcsdLayout(str(parent), subset=2).load('test')[0].num_frames == 14
    with pytest.raises(DatasetError, match="subset='ped1' or subset='ped2'"):
        UcsdLayout(str(parent)).load('test')
    assert detect_layout(str(parent / 'UCSDped2')) is UcsdLayout
    assert detect_layout(str(parent)) is UcsdLayout
