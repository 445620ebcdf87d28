"""Interval label files of users' own data: the end convention (inclusive by default,
exclusive by layout option or per file), the index base, intervals that reach the last frame,
out-of-range intervals and label files of videos that are not there."""
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest
from conftest import run_tool_in_process

from vadkit.datasets.layouts import DatasetError, VideoFolderLayout
from vadkit.datasets.layouts.label_files import read_interval_file
from vadkit.utils import register_all_modules

register_all_modules()

N = 10  # frames of the test video 'walk'


def write_frames(folder: str, n: int) -> None:
    os.makedirs(folder)
    for t in range(n):
        cv2.imwrite(osp.join(folder, f'{t:03d}.png'), np.full((16, 16), 10 * t, np.uint8))


@pytest.fixture
def root(tmp_path) -> str:
    """train/street (6 frames), test/walk (10 frames), an empty labels/ folder."""
    write_frames(str(tmp_path / 'train' / 'street'), 6)
    write_frames(str(tmp_path / 'test' / 'walk'), N)
    os.makedirs(tmp_path / 'labels')
    return str(tmp_path)


def write_label(root: str, text: str, name: str = 'walk.csv') -> str:
    path = osp.join(root, 'labels', name)
    with open(path, 'w') as f:
        f.write(text if isinstance(text, str) else json.dumps(text))
    return path


def frames(root: str, **layout_args) -> list:
    """Indices of the anomalous frames of 'walk' as the layout reads them."""
    (video, ) = VideoFolderLayout(root, **layout_args).load('test')
    assert video.name == 'walk' and video.labels.size == N
    return np.flatnonzero(video.labels).tolist()


def test_inclusive_by_default(root):
    write_label(root, '2,4\n')
    assert frames(root) == [2, 3, 4]
    (video, ) = VideoFolderLayout(root).load('test')
    assert video.label_source.endswith('(intervals, 0-based, end inclusive)')
    write_label(root, '3,5\n')
    assert frames(root, label_index_base=1) == [2, 3, 4]


def test_exclusive_by_layout_option(root):
    write_label(root, '2,5\n7,10\n')  # [2, 5) and [7, 10): the second reaches the last frame
    assert frames(root, interval_end='exclusive') == [2, 3, 4, 7, 8, 9]
    (video, ) = VideoFolderLayout(root, interval_end='exclusive').load('test')
    assert video.label_source.endswith('(intervals, 0-based, end exclusive)')
    write_label(root, '8,11\n')
    assert frames(root, interval_end='exclusive', label_index_base=1) == [7, 8, 9]
    with pytest.raises(DatasetError, match="interval_end must be 'inclusive'.*'half'"):
        VideoFolderLayout(root, interval_end='half')


def test_exclusive_by_per_file_key(root):
    os.remove(write_label(root, ''))
    write_label(root, {'interval_end': 'exclusive', 'anomalies': [[7, 10]]}, 'walk.json')
    assert frames(root) == [7, 8, 9]  # the file's statement beats the layout default
    assert frames(root, interval_end='inclusive') == [7, 8, 9]
    write_label(root, {'interval_end': 'exclusive', 'index_base': 1,
                       'intervals': [[1, 3]]}, 'walk.json')
    assert frames(root) == [0, 1]
    os.remove(osp.join(root, 'labels', 'walk.json'))
    write_label(root, '# interval_end: exclusive\nstart,end\n7,10\n')
    assert frames(root) == [7, 8, 9]
    write_label(root, '# index_base = 1\n8,10\n')
    assert frames(root) == [7, 8, 9]
    # a misspelt key or value fails instead of silently reading the file the default way
    os.remove(osp.join(root, 'labels', 'walk.csv'))
    write_label(root, {'intervalEnd': 'exclusive', 'anomalies': [[7, 10]]}, 'walk.json')
    with pytest.raises(DatasetError, match=r"walk\.json: unknown key 'intervalEnd'; did you "
                                           r"mean 'interval_end'"):
        frames(root)
    write_label(root, {'interval_end': 'exclusve', 'anomalies': [[7, 10]]}, 'walk.json')
    with pytest.raises(DatasetError, match=r"walk\.json: interval_end must be.*'exclusve'"):
        frames(root)


def test_last_frame_edge(root):
    write_label(root, '7,9\n')  # inclusive: the last frame is 9
    assert frames(root) == [7, 8, 9]
    write_label(root, '7,10\n')  # the same interval written end-exclusive
    with pytest.raises(DatasetError) as e:
        frames(root)
    msg = str(e.value)
    for part in ('walk.csv', 'test video walk', 'frames 7-10', '10 frames', 'valid: 0-9',
                 "written end-exclusive? set interval_end='exclusive'",
                 '"# interval_end: exclusive"'):
        assert part in msg, (part, msg)
    # 1-based inclusive would fit as well: both readings are offered
    assert "written 1-based? set label_index_base=1" in msg
    # exclusive ends reach one past the last frame, and no further
    assert frames(root, interval_end='exclusive') == [7, 8, 9]
    write_label(root, '7,11\n')
    with pytest.raises(DatasetError, match=r'valid: start 0-9, end up to 10'):
        frames(root, interval_end='exclusive')


def test_out_of_range_and_empty_intervals(root):
    os.remove(write_label(root, ''))
    path = write_label(root, [[2, 3], [40, 52]], 'walk.json')
    with pytest.raises(DatasetError) as e:
        frames(root)
    msg = str(e.value)
    assert msg.startswith(f'{path} marks frames 40-52 of test video walk')
    assert 'but the video has 10 frames' in msg and 'no reading of the numbers fits' in msg
    write_label(root, {'interval_end': 'exclusive', 'anomalies': [[0, 10], [4, 4]]},
                'walk.json')
    with pytest.raises(DatasetError, match=r'walk\.json: interval \[4, 4\] of test video walk '
                                           r'marks no frame.*must end after its start.*'
                                           r'interval_end "inclusive"'):
        frames(root)
    write_label(root, [[0, 10]], 'walk.json')
    with pytest.raises(DatasetError, match=r'walk\.json.*write "interval_end": "exclusive" '
                                           'in the file'):
        frames(root)
    write_label(root, [[1, 10]], 'walk.json')  # starts at 1: 1-based reading offered
    with pytest.raises(DatasetError, match=r'written 1-based\? set label_index_base=1'):
        frames(root)
    write_label(root, [[0, 5]], 'walk.json')
    with pytest.raises(DatasetError, match=r'frames 0-5 .*read as 1-based.*'
                                           r'written 0-based\? set label_index_base=0'):
        frames(root, label_index_base=1)


def test_labels_of_videos_not_in_the_dataset(root):
    write_label(root, '2,4\n')
    write_label(root, '1,2\n', 'wlak.csv')   # a typo
    write_label(root, '', 'street.json')     # a training video
    with pytest.raises(DatasetError) as e:
        VideoFolderLayout(root).load('test')
    msg = str(e.value)
    assert 'label files for videos that are not in the test split' in msg
    assert osp.join(root, 'labels', 'wlak.csv') in msg
    assert osp.join(root, 'labels', 'street.json') in msg
    assert 'street.json named after training videos' in msg
    assert 'Test videos: walk.' in msg
    with pytest.raises(DatasetError, match='wlak.csv'):  # whether labels are required or not
        VideoFolderLayout(root, require_labels=False).load('test')
    os.remove(osp.join(root, 'labels', 'wlak.csv'))
    os.remove(osp.join(root, 'labels', 'street.json'))
    open(osp.join(root, 'labels', 'notes.md'), 'w').close()  # not a label file: allowed
    assert frames(root) == [2, 3, 4]


def test_old_files_load_as_before(root, tmp_path):
    """Every format read before the convention became a setting gives the same intervals."""
    old = {'a.csv': 'start,end\n# a comment\n2,4\n7, 9\n', 'b.txt': '2 4\n7\t9\n',
           'c.json': '[[2, 4], [7, 9]]', 'd.json': '{"anomalies": [[2, 4], [7, 9]]}',
           'e.json': '{"intervals": [[2, 4], [7, 9]]}', 'f.csv': '# start;end\n2;4\n7;9\n'}
    for name, text in old.items():
        p = tmp_path / name
        p.write_text(text)
        assert read_interval_file(str(p)) == [(2, 4), (7, 9)], name
        for f in os.listdir(osp.join(root, 'labels')):
            os.remove(osp.join(root, 'labels', f))
        write_label(root, text, 'walk' + osp.splitext(name)[1])
        assert frames(root) == [2, 3, 4, 7, 8, 9], name
    for f in os.listdir(osp.join(root, 'labels')):
        os.remove(osp.join(root, 'labels', f))
    write_label(root, '')  # an empty file: no anomaly
    assert frames(root) == []


def test_prepare_dataset_reports_the_fix(root):
    write_label(root, '7,10\n')
    cmd = ['tools/data/prepare_dataset.py', root, '--layout', 'VideoFolderLayout',
           '--no-cache']
    out = run_tool_in_process(cmd)
    assert out.returncode == 2, out.stderr
    assert "set interval_end='exclusive'" in out.stderr
    out = run_tool_in_process(cmd + ['--layout-args', 'interval_end=exclusive'])
    assert out.returncode == 0, out.stderr
    assert '3 anomalous of 10 frames' in out.stdout + out.stderr
