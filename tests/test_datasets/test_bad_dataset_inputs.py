"""Bad dataset inputs fail with a message that names the file and the fix: labels of the
wrong length, test videos without labels, unreadable or truncated frames and videos, empty
splits and videos, mixed resolutions."""
import os
import os.path as osp

import numpy as np
import pytest
from layout_writers import (
    GRAY,
    make_avenue,
    make_frames_dataset,
    make_shanghaitech,
    make_video_folder,
    save_vollabel,
    write_frames,
)

from vadkit.datasets import FrameDecodeError, FrameStore, VideoRecord
from vadkit.datasets.layouts import (
    AvenueLayout,
    BaseLayout,
    DatasetError,
    FramesLayout,
    ShanghaiTechLayout,
    VideoFolderLayout,
)
from vadkit.utils import register_all_modules

register_all_modules()


# ---------------------------------------------------------------- bad inputs
def test_label_length_mismatch_names_file_and_both_counts(tmp_path):
    root = str(tmp_path / 'sh')
    make_shanghaitech(root)
    bad = osp.join(root, 'testing', 'test_frame_mask', '01_0025.npy')
    np.save(bad, np.zeros(12))
    with pytest.raises(DatasetError) as e:
        ShanghaiTechLayout(root).load('test')
    msg = str(e.value)
    assert bad in msg and '12 entries' in msg and '10 frames' in msg
    # Avenue: one mask too many
    root = str(tmp_path / 'av')
    make_avenue(root)
    bad = osp.join(root, 'testing_label_mask', '2_label.mat')
    save_vollabel(bad, np.zeros(12))
    with pytest.raises(DatasetError) as e:
        AvenueLayout(root).load('test')
    msg = str(e.value)
    assert bad in msg and '12 entries' in msg and '11 frames' in msg and 'decode' in msg
    # a whole-split file of another length
    root = str(tmp_path / 'fr')
    make_frames_dataset(root)
    np.save(osp.join(root, 'ground_truth', 'frame_labels_x.npy'), np.zeros((1, 24)))
    with pytest.raises(DatasetError, match=r'has 24 frame labels but the 2 test videos have 25'):
        FramesLayout(root).load('test')
    # ranges past a video's end
    with open(osp.join(root, 'ground_truth', 'x.m'), 'w') as f:
        f.write('gt_frame = [3:6];\ngt_frame = [5:12];\n')
    with pytest.raises(DatasetError, match=r'x\.m marks frames 5-12 .* which has 11 frames'):
        FramesLayout(root, label_file='ground_truth/x.m').load('test')


def test_test_video_without_labels(tmp_path):
    root = str(tmp_path / 'vf')
    make_video_folder(root)
    os.remove(osp.join(root, 'labels', 'clip_c.csv'))
    with pytest.raises(DatasetError, match=r'clip_c\.mp4 has no labels.*clip_c\.csv'):
        VideoFolderLayout(root).load('test')
    unlabelled = VideoFolderLayout(root, require_labels=False).load('test')
    assert [v.labels is None for v in unlabelled] == [False, False, True]
    root = str(tmp_path / 'sh')
    make_shanghaitech(root)
    os.remove(osp.join(root, 'testing', 'test_frame_mask', '02_0128.npy'))
    with pytest.raises(DatasetError, match=r'02_0128 has no labels: .*02_0128\.npy'):
        ShanghaiTechLayout(root).load('test')
    root = str(tmp_path / 'av')
    make_avenue(root)
    os.remove(osp.join(root, 'testing_label_mask', '1_label.mat'))
    with pytest.raises(DatasetError, match=r'01\.avi has no label masks.*1_label\.mat'):
        AvenueLayout(root).load('test')
    # an interval outside the video, with the index-base hint
    root = str(tmp_path / 'vf2')
    make_video_folder(root)
    with open(osp.join(root, 'labels', 'clip_c.csv'), 'w') as f:
        f.write('0,9\n')
    with pytest.raises(DatasetError, match=r'clip_c\.csv marks frames 0-9 .*label_index_base'):
        VideoFolderLayout(root).load('test')


def test_unreadable_and_truncated_frames(tmp_path):
    root = str(tmp_path / 'data')
    make_frames_dataset(root, ext='jpg')
    folder = osp.join(root, 'training', 'frames', '01')
    garbage, cut = osp.join(folder, '003.jpg'), osp.join(folder, '007.jpg')
    with open(garbage, 'wb') as f:
        f.write(b'not a jpeg at all')
    data = open(cut, 'rb').read()
    with open(cut, 'wb') as f:
        f.write(data[:len(data) // 2])  # OpenCV alone would decode this "fine"
    videos = FramesLayout(root).load('train')
    with pytest.raises(FrameDecodeError, match='003.jpg'):
        FrameStore(videos, GRAY, str(tmp_path / 'cache'))
    assert not [n for n in os.listdir(tmp_path / 'cache') if n.endswith('.npy')]
    lazy = FrameStore(videos, GRAY, None)
    with pytest.raises(FrameDecodeError, match='003.jpg'):
        lazy.read(0, [3])
    with pytest.raises(FrameDecodeError, match=r'007\.jpg is a truncated JPEG'):
        lazy.read(0, [7])
    open(garbage, 'wb').close()
    with pytest.raises(FrameDecodeError, match='003.jpg is an empty file'):
        lazy.read(0, [3])


def test_truncated_and_unreadable_video(tmp_path):
    root = str(tmp_path)
    make_avenue(root)
    path = osp.join(root, 'training_videos', '01.avi')
    data = open(path, 'rb').read()
    with open(path, 'wb') as f:
        f.write(data[:int(len(data) * 0.6)])
    with pytest.raises(FrameDecodeError, match='01.avi'):
        videos = AvenueLayout(root).load('train')  # header may still claim all frames ...
        FrameStore(videos, GRAY, str(tmp_path / 'cache'))  # ... decoding finds the cut
    with pytest.raises(FrameDecodeError, match='01.avi'):
        videos = AvenueLayout(root).load('train')
        FrameStore(videos, GRAY, None).read(0, [videos[0].num_frames - 1])
    with open(path, 'wb') as f:
        f.write(b'\x00' * 1000)
    with pytest.raises(FrameDecodeError, match=r'cannot open video .*01\.avi'):
        AvenueLayout(root).load('train')
    # a container that opens but holds fewer frames than its header (and record) claims:
    # unlabelled, the frames that decode are used; labelled, it is an error
    ok = osp.join(root, 'training_videos', '02.avi')  # 10 frames
    for cache in (str(tmp_path / 'cache'), None):
        overstated = [VideoRecord(name='02', video_file=ok, num_frames=13)]
        store = FrameStore(overstated, GRAY, cache)
        v = overstated[0]
        assert (v.num_frames, v.header_frames, v.decoded_frames) == (10, 13, 10)
        assert store.read(0, [9]).shape[0] == 1
        with pytest.raises(IndexError, match='it has 10'):
            store.read(0, [10])
        labelled = [VideoRecord(name='02', video_file=ok, num_frames=13, labels=np.zeros(13),
                                label_source='gt.npy')]
        with pytest.raises(FrameDecodeError, match=r'02\.avi\): only 10 of its 13 frames '
                           r'decode, but its labels \(gt\.npy\).*misalign'):
            FrameStore(labelled, GRAY, cache)
    # labels that disagree with the header are checked against a decoded count
    v = VideoRecord(name='02', video_file=ok, num_frames=13, labels=np.zeros(10))
    BaseLayout.check_label_length(v, 'labels.npy')
    assert v.num_frames == 10
    v = VideoRecord(name='02', video_file=ok, num_frames=13, labels=np.zeros(11))
    with pytest.raises(DatasetError, match=r'11 entries but the video has 13 frames \(its '
                       r'header says 13, 10 decode\)'):
        BaseLayout.check_label_length(v, 'labels.npy')


def test_empty_split_and_empty_video(tmp_path):
    root = str(tmp_path / 'vf')
    make_video_folder(root)
    for name in os.listdir(osp.join(root, 'train')):
        p = osp.join(root, 'train', name)
        if osp.isdir(p):
            for n in os.listdir(p):
                os.remove(osp.join(p, n))
            os.rmdir(p)
        else:
            os.remove(p)
    with pytest.raises(DatasetError, match='the train split is empty'):
        VideoFolderLayout(root).load('train')
    root = str(tmp_path / 'fr')
    make_frames_dataset(root)
    os.makedirs(osp.join(root, 'training', 'frames', '03'))
    with pytest.raises(DatasetError, match=r"videos \['03'\] have no frames"):
        FramesLayout(root).load('train')


def test_mixed_resolutions(tmp_path):
    root = str(tmp_path)
    write_frames(osp.join(root, 'training', 'frames', '01'), 6)
    write_frames(osp.join(root, 'training', 'frames', '02'), 6, size=(16, 16))
    videos = FramesLayout(root).load('train')
    with pytest.raises(DatasetError, match=r'02/000.png decodes to shape \(16, 16\).*Resize'):
        FrameStore(videos, GRAY, str(tmp_path / 'cache'))
    lazy = FrameStore(videos, GRAY, None)
    lazy.read(0, [0, 1])
    with pytest.raises(DatasetError, match=r'mixes resolutions'):
        lazy.read(1, [0])
    resized = FrameStore(videos, GRAY + [dict(type='Resize', size=(8, 8))], None)
    assert resized.read(1, [0]).shape == (1, 8, 8)


