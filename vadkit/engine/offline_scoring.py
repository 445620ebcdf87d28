"""Run a trained model outside the mmengine Runner: for the analysis tools that need the
model itself (normal-score statistics, error-map figures) rather than saved scores."""
import copy
from typing import Dict, Optional

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import default_collate
from mmengine.logging import print_log
from torch.utils.data import DataLoader

from vadkit.registry import DATASETS, MODELS


def load_model(cfg: Config, checkpoint: str, device: str = 'cpu') -> torch.nn.Module:
    """Build ``cfg.model``, load ``checkpoint`` into it (strictly, refusing a checkpoint of
    another model) and set eval mode."""
    from vadkit.apis.model_loading import load_checked_state_dict
    model = MODELS.build(copy.deepcopy(cfg.model))
    load_checked_state_dict(model, checkpoint, cfg.filename or '<config>', cfg.model)
    return model.to(device).eval()


def build_window_dataset(cfg: Config, split: str = 'test', window_stride: int = 1,
                         cache_dir: Optional[str] = 'config'):
    """The test dataset of ``cfg`` (test pipeline) on ``split``: ``'train'`` scores the
    normal training videos exactly as test videos are scored."""
    ds_cfg = copy.deepcopy(cfg.test_dataloader.dataset)
    ds_cfg.update(split=split, window_stride=window_stride, test_mode=True)
    if cache_dir != 'config':
        ds_cfg['cache_dir'] = cache_dir
    return DATASETS.build(ds_cfg)


def score_windows(model, dataset, batch_size: int = 32, num_workers: int = 0,
                  log_every: int = 50) -> Dict[str, np.ndarray]:
    """Raw scores of every window of ``dataset``: ``{score name: (n_windows,)}``, scored
    as the test loop scores them (:class:`~vadkit.engine.window_scorer.WindowScorer`)."""
    from .window_scorer import WindowScorer
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=False,
                        num_workers=num_workers, collate_fn=default_collate)
    scorer = WindowScorer(model)
    out: Dict[str, list] = {}
    with scorer.prepared():
        for i, batch in enumerate(loader):
            for record in scorer.test_step(batch):
                for name, value in record['scores'].items():
                    out.setdefault(name, []).append(value)
            if log_every and (i + 1) % log_every == 0:
                print_log(f'scored {min((i + 1) * batch_size, len(dataset))} / '
                          f'{len(dataset)} windows', logger='current')
    return {k: np.asarray(v, dtype=np.float64) for k, v in out.items()}


def find_window(dataset, video: str, frame: int) -> int:
    """Index of the window of ``dataset`` whose scored (last) frame is ``frame`` of the
    video named ``video`` (or with that dataset index)."""
    names = [v.name for v in dataset.videos]
    if video in names:
        v_idx = names.index(video)
    elif video.isdigit() and int(video) < len(names):
        v_idx = int(video)
    else:
        raise KeyError(f'no video {video!r} in {dataset!r}; videos: {names}')
    wl = dataset.window_length
    n = dataset.videos[v_idx].num_frames
    if not wl - 1 <= frame < n:
        raise ValueError(f'frame {frame} of video {names[v_idx]} has no score: scored frames '
                         f'are {wl - 1} .. {n - 1} (the first {wl - 1} end no window)')
    for idx in range(len(dataset)):
        w = dataset.window(idx)
        if w['video_idx'] == v_idx and w['frame_idx'] == frame:
            return idx
    raise ValueError(f'frame {frame} of video {names[v_idx]} ends no window (window stride '
                     f'{dataset.window_stride})')
