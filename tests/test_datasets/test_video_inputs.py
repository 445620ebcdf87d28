"""Video files that decode fewer frames than their header declares, on every path that
reads them: sources (detect, stream, calibrate) and dataset loading."""
import json
import logging
import os
import os.path as osp
import warnings

import cv2
import numpy as np
import pytest
from mmengine.logging import MMLogger
from synthetic_videos import HEADER, truncate, write_mjpg

from vadkit.apis import InputError, open_source
from vadkit.apis.sources import TruncatedVideoWarning, VideoFileSource, check_fps
from vadkit.datasets import FrameDecodeError, FrameStore, VideoRecord, VideoWindowDataset
from vadkit.datasets.layouts import AvenueLayout, BaseLayout, DatasetError
from vadkit.datasets.layouts.video_files import (
    frames_short,
    is_truncated,
    video_file_record,
)
from vadkit.utils import register_all_modules

register_all_modules()

GRAY = [dict(type='Grayscale')]
@pytest.fixture
def truncated_avi(tmp_path):
    path = write_mjpg(str(tmp_path / 'cut.avi'))
    return path, truncate(path)


@pytest.fixture
def log_records():
    """Messages the current mmengine logger emits (the training/test log)."""
    records = []
    handler = logging.Handler()
    handler.emit = lambda r: records.append((r.levelno, r.getMessage()))
    logger = MMLogger.get_current_instance()
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def test_shortfall_rule():
    assert frames_short(180, 92) == 88 and is_truncated(180, 92)
    # headers that lie by a frame or two pass; unknown headers never count as short
    assert frames_short(180, 178) == 2 and not is_truncated(180, 178)
    assert not is_truncated(180, 181) and not is_truncated(None, 3) and not is_truncated(0, 3)


def test_video_source_warns_and_records(truncated_avi, tmp_path):
    path, decoded = truncated_avi
    src = open_source(path)
    assert src.header_frames == HEADER and src.decoded_frames is None
    with pytest.warns(TruncatedVideoWarning, match=rf'cut\.avi: only {decoded} of the '
                      rf'{HEADER} frames its header declares decode.*truncated or corrupt'
                      r'.*Re-download it, or re-encode it'):
        assert len(list(src.frames())) == decoded
    assert (src.decoded_frames, src.frames_short) == (decoded, HEADER - decoded)
    # a complete file: no warning
    whole = VideoFileSource(write_mjpg(str(tmp_path / 'whole.avi')))
    with warnings.catch_warnings():
        warnings.simplefilter('error', TruncatedVideoWarning)
        assert len(list(whole.frames())) == HEADER
    assert whole.frames_short == 0


def test_explicit_fps_is_checked(truncated_avi, tmp_path):
    path, _ = truncated_avi
    for bad in (-10, 0, float('nan'), float('inf'), 'fast'):
        with pytest.raises(InputError, match='fps must be a finite number of frames per '
                           r'second > 0, got'):
            open_source(path, fps=bad)
    assert open_source(path).fps == 10.0 and open_source(path, fps=2.5).fps == 2.5
    assert check_fps(None) is None
    folder = tmp_path / 'frames'
    folder.mkdir()
    cv2.imwrite(str(folder / '0.png'), np.zeros((8, 8), np.uint8))
    src = open_source(str(folder))
    assert (src.fps, src.fps_known) == (25.0, False)


def test_dataset_uses_decoded_frames_of_unlabelled_video(tmp_path, log_records):
    root = str(tmp_path / 'avenue')
    cut = write_mjpg(osp.join(root, 'training_videos', '01.avi'))
    write_mjpg(osp.join(root, 'training_videos', '02.avi'), seed=1)
    decoded = truncate(cut)
    for cache in (str(tmp_path / 'cache'), str(tmp_path / 'cache'), None):  # build, hit, lazy
        videos = AvenueLayout(root).load('train')
        assert [v.header_frames for v in videos] == [HEADER, HEADER]
        del log_records[:]
        store = FrameStore(videos, GRAY, cache)
        v = videos[0]
        assert (v.num_frames, v.header_frames, v.decoded_frames, v.frames_short) == (
            decoded, HEADER, decoded, HEADER - decoded)
        assert (videos[1].num_frames, videos[1].frames_short) == (HEADER, 0)
        assert store.read(0, np.arange(decoded)).shape[0] == decoded
        warned = [m for level, m in log_records if level == logging.WARNING]
        assert len(warned) == 1 and f'only {decoded} of the {HEADER} frames' in warned[0]
        assert '01.avi' in warned[0] and 'truncated or corrupt' in warned[0]
    # windows are indexed over the frames that decode
    ds = VideoWindowDataset(dict(type='AvenueLayout', root=root), 'train', window_length=5,
                            decode_pipeline=GRAY, cache_dir=str(tmp_path / 'cache'))
    assert ds.metainfo['num_frames'] == [decoded, HEADER]
    assert len(ds) == decoded - 4 + HEADER - 4
    assert ds.window(decoded - 5)['frame_idx'] == decoded - 1
    index = [n for n in os.listdir(tmp_path / 'cache') if n.endswith('.json')]
    with open(tmp_path / 'cache' / index[0]) as f:
        assert [e['decoded_frames'] for e in json.load(f)['videos']] == [decoded, HEADER]
    # counted by decoding: the header is compared and recorded at load time
    del log_records[:]
    v = video_file_record(cut, exact=True)
    assert (v.num_frames, v.header_frames, v.decoded_frames) == (decoded, HEADER, decoded)
    assert any('01.avi: only' in m for level, m in log_records if level == logging.WARNING)


def test_labels_sized_for_header_are_an_error(truncated_avi, tmp_path):
    path, decoded = truncated_avi
    for cache in (str(tmp_path / 'cache'), None):
        v = VideoRecord(name='cut', video_file=path, num_frames=HEADER, header_frames=HEADER,
                        labels=np.zeros(HEADER, np.uint8), label_source='gt/cut.csv')
        with pytest.raises(FrameDecodeError, match=rf'cut\.avi\): only {decoded} of its '
                           rf'{HEADER} frames decode, but its labels \(gt/cut\.csv\) have one '
                           'entry for each.*misalign.*truncated or corrupt'):
            FrameStore([v], GRAY, cache)
    # counted exactly: the label check says the video is truncated
    v = video_file_record(path, exact=True)
    v.labels = np.zeros(HEADER)
    with pytest.raises(DatasetError, match=rf'{HEADER} entries but the video has {decoded} '
                       rf'frames \(its header says {HEADER}, {decoded} decode\).*truncated'):
        BaseLayout.check_label_length(v, 'gt/cut.csv')


def test_detector_event_settings_in_its_own_names():
    """Checked before any model is loaded, in AnomalyDetector's argument names."""
    from vadkit.apis import AnomalyDetector
    for kwargs, message in ((dict(threshold=float('nan')), 'threshold must be a finite '
                             'number, got nan'),
                            (dict(min_event_frames=-3), 'min_event_frames must be a whole '
                             r'number >= 1 \(frames\), got -3'),
                            (dict(min_event_frames=1.5), 'min_event_frames must be a whole'),
                            (dict(merge_gap=-1), 'merge_gap must be a whole number >= 0')):
        with pytest.raises(InputError, match=message):
            AnomalyDetector(**kwargs)
