"""A split's decoded frames resident on the device, and windows sampled there.

On a GPU, the LUSS-AE model at 256x256 consumes thousands of windows a second, and each
window is 17 (+16 for PRP) frames: loading them through worker processes, pinned memory
and host-to-device copies can become the bottleneck. A split that fits in device memory
(UCSD Ped2 at 256x256 grayscale: 2,550 training frames, 160 MiB; Avenue: 15,328, 960 MiB)
is better uploaded once, as uint8, and windows gathered from it by index on the device:
no workers, no copies per step. :class:`DeviceFrameCache` does that for a
:class:`~vadkit.datasets.VideoWindowDataset` and yields batches in the format of the
dataset's DataLoader (``inputs`` uint8 clips, ``data_samples``), so the model's data
preprocessor and ``train_step``/``test_step`` take them unchanged. The window sampling is
the pipeline's (``SampleWindow``, ``SamplePlaybackRateClip``) redone with tensor ops.

It is an optional path (used by ``benchmarks/bench_train_test.py --frames device``); the
default data path is the DataLoader over the memory-mapped frame cache.
"""
from typing import Dict, Iterator, Optional, Sequence, Union

import numpy as np
import torch
from torch import Tensor

__all__ = ['DeviceFrameCache']


class DeviceFrameCache:
    """Every decoded frame of a window dataset in one uint8 tensor on ``device``.

    Args:
        dataset: A :class:`~vadkit.datasets.VideoWindowDataset` (its ``frames`` store:
            the memory-mapped cache when it has one, else frames are decoded once here).
        device: Where the frames live (``'cuda'``; ``'cpu'`` works too, e.g. in tests).
        max_bytes: Refuse to upload more than this (default: no limit on CPU, 80 % of the
            free device memory on CUDA), with an error that says how much is needed.
    """

    def __init__(self, dataset, device: Union[str, torch.device] = 'cuda',
                 max_bytes: Optional[int] = None) -> None:
        self.device = torch.device(device)
        store = dataset.frames
        self.window_length = int(dataset.window_length)
        offsets = np.asarray(store.offsets, dtype=np.int64)
        total = int(offsets[-1])
        first = store.read(0, np.arange(1))[0]
        nbytes = total * first.nbytes
        if max_bytes is None and self.device.type == 'cuda':
            free, _ = torch.cuda.mem_get_info(self.device)
            max_bytes = int(0.8 * free)
        if max_bytes is not None and nbytes > max_bytes:
            raise MemoryError(
                f'DeviceFrameCache: the {total} frames of {dataset!r} take '
                f'{nbytes / 2**20:.0f} MiB, more than the {max_bytes / 2**20:.0f} MiB allowed '
                f'on {self.device}; use the DataLoader over the frame cache instead')
        self.frames = torch.empty((total, ) + first.shape, dtype=torch.uint8,
                                  device=self.device)
        for v in range(len(offsets) - 1):  # one video at a time: bounded host memory
            n = int(offsets[v + 1] - offsets[v])
            chunk = torch.from_numpy(np.ascontiguousarray(store.read(v, np.arange(n))))
            self.frames[int(offsets[v]):int(offsets[v + 1])].copy_(chunk)
        self.offsets = torch.as_tensor(offsets[:-1], device=self.device)
        self.num_frames = torch.as_tensor(np.diff(offsets), device=self.device)
        self.video_idx = torch.as_tensor(np.asarray(dataset._video_idx), device=self.device)
        self.start = torch.as_tensor(np.asarray(dataset._start), device=self.device)
        labels = [np.full(v.num_frames, -1, np.int64) if v.labels is None else
                  np.asarray(v.labels, np.int64) for v in dataset.videos]
        self.labels = torch.as_tensor(np.concatenate(labels), device=self.device)
        self.has_labels = all(v.labels is not None for v in dataset.videos)

    def __len__(self) -> int:
        return int(self.start.numel())

    @property
    def nbytes(self) -> int:
        return self.frames.numel() * self.frames.element_size()

    def gather(self, video_idx: Tensor, frame_idx: Tensor) -> Tensor:
        """Frames ``frame_idx`` ``(B, L)`` of videos ``video_idx`` ``(B,)`` as uint8 clips
        ``(B, C, L, H, W)`` (the layout ``PackClipInputs`` gives one sample)."""
        clips = self.frames[self.offsets[video_idx].unsqueeze(1) + frame_idx]
        return clips.unsqueeze(1) if clips.dim() == 4 else clips.permute(0, 4, 1, 2, 3)

    def window_batch(self, idx: Tensor, length: Optional[int] = None) -> Dict[str, dict]:
        """Test batch of windows ``idx``: what ``SampleWindow`` + ``PackClipInputs`` with
        meta keys ``(video_idx, frame_idx, label)`` and ``default_collate`` give."""
        idx = idx.to(self.device)
        length = length or self.window_length
        v, s = self.video_idx[idx], self.start[idx]
        frame_idx = s.unsqueeze(1) + torch.arange(length, device=self.device)
        last = s + self.window_length - 1
        samples = dict(video_idx=v, frame_idx=last)
        if self.has_labels:
            samples['label'] = self.labels[self.offsets[v] + last]
        return dict(inputs=dict(window=self.gather(v, frame_idx)), data_samples=samples)

    def train_batch(self, idx: Tensor, strides: Sequence[int] = (2, 3, 4, 5),
                    p_original: float = 0.5, length: Optional[int] = None,
                    generator: Optional[torch.Generator] = None) -> Dict[str, dict]:
        """Training batch of windows ``idx``: the window and a playback-rate clip with its
        label, as ``SampleWindow`` + ``SamplePlaybackRateClip`` draw them: original rate
        (label 0) with probability ``p_original``, else a stride drawn uniformly from the
        ``strides`` that fit in the video (label 1); the clip starts at the window's start,
        moved back so that it stays inside the video."""
        idx = idx.to(self.device)
        batch = self.window_batch(idx)
        length = length or self.window_length - 1
        v, s = self.video_idx[idx], self.start[idx]
        n = self.num_frames[v]
        strides_t = torch.as_tensor(list(strides), device=self.device)
        fits = (length - 1) * strides_t.unsqueeze(0) + 1 <= n.unsqueeze(1)  # (B, S)
        # column 0: original or accelerated; columns 1..S: which fitting stride
        rand = torch.rand(idx.numel(), 1 + len(strides), generator=generator,
                          device=generator.device if generator else self.device)
        rand = rand.to(self.device)
        pick = torch.where(fits, rand[:, 1:], torch.full_like(rand[:, 1:], -1.0)).argmax(1)
        accelerated = (rand[:, 0] >= p_original) & fits.any(1)
        stride = torch.where(accelerated, strides_t[pick], torch.ones_like(pick))
        span = (length - 1) * stride + 1
        start = torch.minimum(s, n - span)
        frame_idx = start.unsqueeze(1) + stride.unsqueeze(1) * torch.arange(
            length, device=self.device)
        batch['inputs']['prp_clip'] = self.gather(v, frame_idx)
        batch['data_samples'] = dict(prp_label=accelerated.long())
        return batch

    def batches(self, batch_size: int, train: bool = False, shuffle: Optional[bool] = None,
                drop_last: bool = False, generator: Optional[torch.Generator] = None,
                **train_kwargs) -> Iterator[Dict[str, dict]]:
        """One epoch of batches (shuffled by default when ``train``)."""
        shuffle = train if shuffle is None else shuffle
        order = (torch.randperm(len(self), generator=generator) if shuffle else
                 torch.arange(len(self)))
        stop = len(self) - (len(self) % batch_size if drop_last else 0)
        for i in range(0, stop, batch_size):
            idx = order[i:i + batch_size]
            yield (self.train_batch(idx, generator=generator, **train_kwargs) if train else
                   self.window_batch(idx))
