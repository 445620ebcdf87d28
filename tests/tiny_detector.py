"""The tiny detector of the API and CLI tests: a synthetic frames dataset, a 32 px LUSS-AE
config over it and a random-weight checkpoint, written into a folder."""
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch
from mmengine.config import Config
from synthetic_videos import read_frames, write_video

from vadkit.datasets import generate_synthetic_dataset
from vadkit.registry import MODELS

REPO = str(Path(__file__).resolve().parents[1])
# the tiny test config: 32 px synthetic videos, T = 4, widths (4, 8, 8, 8), 2 epochs
TINY_SYNTHETIC_CONFIG = str(Path(__file__).resolve().parent / 'data' / 'tiny_synthetic.py')
T = 4  # clip_len of the tiny model; windows of T + 1 frames
L = T + 1

# the tiny config read from a frames folder, resized to 32 px (any video of the detect tests)
FRAMES_CONFIG = """
_base_ = ['{base}']
decode_pipeline = [dict(type='Grayscale'), dict(type='Resize', size=(32, 32))]
model = dict(backbone=dict(widths={widths}))
layout = dict(type='FramesLayout', root='{root}', _delete_=True)
train_dataloader = dict(batch_size=4, dataset=dict(layout=layout,
                                                   decode_pipeline=decode_pipeline))
test_dataloader = dict(batch_size=8, dataset=dict(layout=layout,
                                                  decode_pipeline=decode_pipeline))
train_cfg = dict(max_epochs=1)
"""


def write_config(path: Path, root: Path, widths=(4, 8, 8, 8)) -> str:
    """The tiny config over the frames dataset at ``root`` (other backbone widths for
    checkpoint-mismatch tests)."""
    path.write_text(FRAMES_CONFIG.format(base=TINY_SYNTHETIC_CONFIG, widths=tuple(widths),
                                         root=root))
    return str(path)


def make_tiny(root: Path) -> SimpleNamespace:
    """Synthetic frames dataset (2 train, 2 test videos of 30 32px frames), a tiny config
    and a random-weight checkpoint, and the first test video as an .avi."""
    data = root / 'data'
    generate_synthetic_dataset(str(data), num_train=2, num_test=2, num_frames=30, size=32)
    config = write_config(root / 'tiny.py', data)
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(config).model)
    ckpt = str(root / 'tiny.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, ckpt)
    test_dir = data / 'testing' / 'frames'
    labels = np.load(data / 'ground_truth' / 'frame_labels_synthetic.npy')[0]
    video = write_video(root / 'test01.avi', read_frames(test_dir / '01'))
    return SimpleNamespace(root=root, data=data, config=config, checkpoint=ckpt,
                           test_dir=test_dir, labels={'01': labels[:30], '02': labels[30:]},
                           video=video)


# the paper's three tasks with their loss weights
PAPER_TASKS = [
    dict(type='ClipReconstructionHead', name='vcr', loss_weight=0.6),
    dict(type='FuturePredictionHead', name='ffp', loss_weight=0.4),
    dict(type='PlaybackRateHead', name='prp', loss_weight=1.0),
]
TINY_WIDTHS = (4, 8, 8, 8)


def build_tiny_model(tasks=None, clip_len: int = 8, **kwargs) -> torch.nn.Module:
    """A LUSS-AE of the paper's layout with tiny widths, seeded: the models tests' model."""
    torch.manual_seed(0)
    return MODELS.build(
        dict(type='MultiTaskAutoEncoder', clip_len=clip_len,
             backbone=dict(type='Conv3DAutoEncoder', widths=TINY_WIDTHS),
             tasks=[dict(t) for t in (tasks or PAPER_TASKS)], **kwargs))
