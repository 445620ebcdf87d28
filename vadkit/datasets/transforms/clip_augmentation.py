"""Augmentation of training samples: one random draw a sample, applied to all its clips.

A LUSS-AE training sample holds the window (its first T frames are the VCR input and
target, its last frame the FFP target) and the PRP clip, sampled from the same video. An
augmentation that treated frames or clips independently would misalign the tasks' targets
(a flipped input, an unflipped future frame), so each transform here draws its parameters
once per sample and applies them to every frame of every clip in ``keys``.

They belong in the training ``pipeline``, after the clip samplers and before
``PackClipInputs``: never in ``decode_pipeline`` (its output is cached once, so every epoch
would see the same draw) nor in a test pipeline (scores would be random);
:func:`check_augmentation_placement` refuses both when a dataset is built.

Temporal augmentation: reversing the window turns FFP into predicting the frame *before*
the clip, and a random frame step (stride jitter) makes the accelerated motion that PRP
labels anomalous, and that speed anomalies are, part of what VCR and FFP learn as normal.
Neither is offered for the window. Reversing the PRP clip keeps its label (the playback
speed is unchanged), so :class:`ClipRandomReverse` acts on the PRP clip only by default.

Gaussian noise as a denoising augmentation (noisy inputs, clean targets) does not fit the
window: its pixels are the VCR input *and* the VCR/FFP targets. The PRP clip's target is a
label, so :class:`ClipGaussianNoise` is restricted to clips whose pixels are no target.

Randomness comes from NumPy's global generator, as in the clip samplers: mmengine seeds it
from ``randomness.seed`` (and each DataLoader worker from the seed and its id), so
deterministic runs stay bitwise reproducible. ``prob=0`` draws nothing, so a transform
switched off leaves the random stream, hence the run, as if it were absent.
"""
from typing import Iterable, List, Optional, Sequence, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from vadkit.registry import TRANSFORMS

from ..dataset_errors import DatasetError

#: The clips of a LUSS-AE training sample (``SampleWindow``, ``SamplePlaybackRateClip``).
SAMPLE_CLIPS = ('window', 'prp_clip')
#: Clips whose pixels are reconstruction or prediction targets.
PIXEL_TARGET_CLIPS = ('window', )


class ClipAugmentation(BaseTransform):
    """Base: with probability ``prob``, draw parameters once (:meth:`draw`) and apply them
    (:meth:`apply`) to each clip of ``keys`` present in the sample, clips being uint8
    arrays ``(L, H, W)`` or ``(L, H, W, C)``."""

    def __init__(self, prob: float = 0.5, keys: Sequence[str] = SAMPLE_CLIPS) -> None:
        if not 0.0 <= prob <= 1.0:
            raise DatasetError(f'{type(self).__name__}: prob must be in [0, 1], got {prob}')
        if isinstance(keys, str) or not keys:
            raise DatasetError(f'{type(self).__name__}: keys must be a non-empty sequence of '
                               f'clip names such as {SAMPLE_CLIPS}, got {keys!r}')
        self.prob, self.keys = float(prob), tuple(keys)

    def draw(self, frame_shape: Tuple[int, ...]) -> dict:
        """The random parameters of one sample, for frames of ``frame_shape`` (H, W[, C])."""
        return {}

    def apply(self, clip: np.ndarray, params: dict) -> np.ndarray:
        raise NotImplementedError

    def transform(self, results: dict) -> dict:
        present = [k for k in self.keys if k in results]
        if not present:
            raise DatasetError(
                f'{type(self).__name__} found none of the clips {self.keys} in the sample '
                f'(it holds {sorted(results)}): put it in the training pipeline after the '
                'clip samplers (SampleWindow, SamplePlaybackRateClip), not in decode_pipeline')
        if self.prob <= 0.0 or np.random.random() >= self.prob:
            return results
        params = self.draw(results[present[0]].shape[1:])
        for k in present:
            results[k] = self.apply(results[k], params)
        return results

    def __repr__(self) -> str:
        args = ', '.join(f'{k}={v!r}' for k, v in vars(self).items())
        return f'{type(self).__name__}({args})'


@TRANSFORMS.register_module()
class ClipRandomHorizontalFlip(ClipAugmentation):
    """Mirror every frame left-right (a scene seen in a mirror: same motions, same
    speeds, mirrored directions)."""

    def apply(self, clip: np.ndarray, params: dict) -> np.ndarray:
        return np.ascontiguousarray(clip[:, :, ::-1])


@TRANSFORMS.register_module()
class ClipRandomResizedCrop(ClipAugmentation):
    """Crop a box of ``s`` times the frame's height and width, ``s`` uniform in ``scale``,
    at a uniform random position, and resize it back to the frame size: a small zoom in
    and translation. The aspect ratio is kept, since object shapes are anomaly cues."""

    def __init__(self, scale: Sequence[float] = (0.8, 1.0), prob: float = 0.5,
                 keys: Sequence[str] = SAMPLE_CLIPS) -> None:
        super().__init__(prob, keys)
        low, high = (float(s) for s in scale)
        if not 0.0 < low <= high <= 1.0:
            raise DatasetError(f'ClipRandomResizedCrop: scale must be (low, high) with '
                               f'0 < low <= high <= 1, got {tuple(scale)}')
        self.scale = (low, high)

    def draw(self, frame_shape: Tuple[int, ...]) -> dict:
        h, w = frame_shape[:2]
        s = np.random.uniform(*self.scale)
        ch, cw = max(1, int(round(s * h))), max(1, int(round(s * w)))
        y0 = np.random.randint(0, h - ch + 1)
        x0 = np.random.randint(0, w - cw + 1)
        return dict(box=(int(y0), int(x0), ch, cw))

    def apply(self, clip: np.ndarray, params: dict) -> np.ndarray:
        y0, x0, ch, cw = params['box']
        h, w = clip.shape[1:3]
        if (ch, cw) == (h, w):
            return clip
        crops = clip[:, y0:y0 + ch, x0:x0 + cw]
        # (reshape: OpenCV drops a trailing channel axis of size 1)
        return np.stack([cv2.resize(np.ascontiguousarray(f), (w, h),
                                    interpolation=cv2.INTER_LINEAR).reshape(clip.shape[1:])
                         for f in crops])


@TRANSFORMS.register_module()
class ClipRandomBrightnessContrast(ClipAugmentation):
    """``x' = (x - 127.5) * c + 127.5 + 255 b`` with ``c`` uniform in ``1 +- contrast`` and
    ``b`` uniform in ``+- brightness``, rounded and clipped to uint8: the same scene under
    other light or camera gain. Inputs and targets change alike, so the targets stay those
    of the augmented scene."""

    def __init__(self, brightness: float = 0.1, contrast: float = 0.1, prob: float = 0.5,
                 keys: Sequence[str] = SAMPLE_CLIPS) -> None:
        super().__init__(prob, keys)
        if not 0.0 <= brightness <= 1.0 or not 0.0 <= contrast < 1.0:
            raise DatasetError('ClipRandomBrightnessContrast: brightness must be in [0, 1] '
                               f'and contrast in [0, 1), got {brightness} and {contrast}')
        self.brightness, self.contrast = float(brightness), float(contrast)

    def draw(self, frame_shape: Tuple[int, ...]) -> dict:
        c = np.random.uniform(1.0 - self.contrast, 1.0 + self.contrast)
        b = np.random.uniform(-self.brightness, self.brightness)
        return dict(gain=float(c), offset=float(127.5 * (1.0 - c) + 255.0 * b))

    def apply(self, clip: np.ndarray, params: dict) -> np.ndarray:
        x = clip.astype(np.float32) * params['gain'] + params['offset']
        return np.clip(np.rint(x), 0, 255).astype(np.uint8)


def _refuse_pixel_targets(name: str, keys: Iterable[str], why: str) -> None:
    targets = [k for k in keys if k in PIXEL_TARGET_CLIPS]
    if targets:
        raise DatasetError(f'{name}: {targets} holds the VCR/FFP targets; {why}. Use it on '
                           "the PRP clip only (keys=('prp_clip', ))")


@TRANSFORMS.register_module()
class ClipRandomReverse(ClipAugmentation):
    """Play the PRP clip backwards: its playback speed, hence its label, is unchanged. The
    window is refused: reversed, its last frame (the FFP target) would precede the clip."""

    def __init__(self, prob: float = 0.5, keys: Sequence[str] = ('prp_clip', )) -> None:
        super().__init__(prob, keys)
        _refuse_pixel_targets('ClipRandomReverse', self.keys,
                              'reversed, FFP would predict the frame before the clip')

    def apply(self, clip: np.ndarray, params: dict) -> np.ndarray:
        return np.ascontiguousarray(clip[::-1])


@TRANSFORMS.register_module()
class ClipGaussianNoise(ClipAugmentation):
    """Add Gaussian noise of standard deviation ``std`` (a fraction of 255), drawn per
    pixel, to clips whose target is a label (the PRP clip). Clips whose pixels are
    targets are refused: the model would learn to reconstruct the noise."""

    def __init__(self, std: float = 0.02, prob: float = 0.5,
                 keys: Sequence[str] = ('prp_clip', )) -> None:
        super().__init__(prob, keys)
        _refuse_pixel_targets('ClipGaussianNoise', self.keys,
                              'noise there would be reconstructed, not removed')
        if std < 0:
            raise DatasetError(f'ClipGaussianNoise: std must be >= 0, got {std}')
        self.std = float(std)

    def apply(self, clip: np.ndarray, params: dict) -> np.ndarray:
        noise = np.random.normal(0.0, 255.0 * self.std, size=clip.shape)
        return np.clip(np.rint(clip + noise), 0, 255).astype(np.uint8)


def _transform_class(cfg) -> Optional[type]:
    if isinstance(cfg, dict):
        t = cfg.get('type')
        return t if isinstance(t, type) else TRANSFORMS.get(t) if isinstance(t, str) else None
    return type(cfg)


def augmentations_in(pipeline: Sequence) -> List[str]:
    """Names of the :class:`ClipAugmentation` transforms of a pipeline (configs or
    transforms)."""
    found = []
    for cfg in pipeline or ():
        cls = _transform_class(cfg)
        if isinstance(cls, type) and issubclass(cls, ClipAugmentation):
            found.append(cls.__name__)
    return found


def check_augmentation_placement(pipeline: Sequence, decode_pipeline: Sequence,
                                 test: bool, where: str = 'the dataset') -> None:
    """Refuse augmentations in a decode pipeline (cached once: no randomness per epoch)
    or in a test pipeline (random scores)."""
    cached = augmentations_in(decode_pipeline)
    if cached:
        raise DatasetError(
            f'{where}: {cached} in decode_pipeline would be applied once and cached; move '
            'them to the training pipeline, after the clip samplers')
    if test and augmentations_in(pipeline):
        raise DatasetError(
            f'{where}: {augmentations_in(pipeline)} in a test pipeline would make the scores '
            'random; augment the training pipeline only')
