"""Small synthetic surveillance-like videos: the built-in default data.

Normal videos show a few "pedestrians" (small upright blobs of varied brightness) walking
across a fixed textured scene at about one pixel a frame. Test videos add labelled anomalies
of two kinds: an object moving several times faster ("cyclist"), and an unseen shape (a wide
bright "cart") crossing at walking pace. The labels are the frames in which the anomalous
object is visible. Everything is seeded, so the same arguments give the same files.
"""
import json
import os
import os.path as osp
from typing import Optional

import cv2
import numpy as np


def _background(size: int, rng: np.random.Generator) -> np.ndarray:
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    bg = 90 + 40 * yy + 10 * np.sin(6.0 * xx)  # lit walkway with a gradient
    for _ in range(6):  # fixed scene clutter: benches, lamp posts
        x, y = rng.integers(0, size - 6, 2)
        w, h = rng.integers(2, 6, 2)
        bg[y:y + h, x:x + w] = rng.uniform(40, 70)
    return bg


class _Walker:
    """An object that crosses the scene horizontally or vertically and re-enters."""

    def __init__(self, size: int, rng: np.random.Generator, speed: float, shape=(4, 8),
                 level: Optional[float] = None) -> None:
        self.size, self.rng, self.speed, self.shape = size, rng, speed, shape
        self.level = level if level is not None else float(rng.uniform(150, 230))
        self.reset(start_inside=True)

    def reset(self, start_inside: bool = False) -> None:
        s, rng = self.size, self.rng
        self.horizontal = bool(rng.random() < 0.7)
        direction = rng.choice([-1.0, 1.0])
        self.v = direction * self.speed * rng.uniform(0.8, 1.2)
        lane = rng.uniform(4, s - 12)
        pos = rng.uniform(0, s) if start_inside else (-8.0 if direction > 0 else s + 2.0)
        self.x, self.y = (pos, lane) if self.horizontal else (lane, pos)

    def step(self) -> None:
        if self.horizontal:
            self.x += self.v
        else:
            self.y += self.v
        if not (-10 <= self.x <= self.size + 4 and -10 <= self.y <= self.size + 4):
            self.reset()

    def visible(self) -> bool:
        w, h = self.shape
        return self.x + w > 0 and self.x < self.size and self.y + h > 0 and self.y < self.size

    def draw(self, frame: np.ndarray) -> None:
        w, h = self.shape
        x0, y0 = int(round(self.x)), int(round(self.y))
        xa, ya, xb, yb = max(x0, 0), max(y0, 0), min(x0 + w, self.size), min(y0 + h, self.size)
        if xa < xb and ya < yb:
            frame[ya:yb, xa:xb] = self.level


def _render(size: int, num_frames: int, rng: np.random.Generator, num_walkers: int,
            anomaly: Optional[dict]) -> tuple:
    bg = _background(size, np.random.default_rng(0))  # the same scene in every video
    walkers = [_Walker(size, rng, speed=1.0) for _ in range(num_walkers)]
    labels = np.zeros(num_frames, dtype=np.uint8)
    odd = None
    frames = []
    for t in range(num_frames):
        frame = bg.copy()
        for w in walkers:
            w.draw(frame)
            w.step()
        if anomaly and t == anomaly['start']:
            if anomaly['kind'] == 'fast':
                odd = _Walker(size, rng, speed=4.0)
            else:  # an unseen shape: a wide, bright cart at walking pace
                odd = _Walker(size, rng, speed=1.0, shape=(12, 7), level=250.0)
            odd.x = float(rng.uniform(0, size - odd.shape[0]))
            odd.y = float(rng.uniform(0, size - odd.shape[1]))
        if anomaly and t == anomaly['start'] + anomaly['duration']:
            odd = None
        if odd is not None:
            if odd.visible():
                odd.draw(frame)
                labels[t] = 1
            odd.step()
        frame += rng.normal(0, 3.0, frame.shape)  # sensor noise
        frames.append(np.clip(frame, 0, 255).astype(np.uint8))
    return frames, labels


def generate_synthetic_dataset(root: str, num_train: int = 8, num_test: int = 6,
                               num_frames: int = 120, size: int = 64, num_walkers: int = 3,
                               seed: int = 0) -> str:
    """Write a frames-layout dataset under ``root`` and return ``root``.

    ``training/frames/NN/NNN.png`` (normal), ``testing/frames/NN/NNN.png`` and
    ``ground_truth/frame_labels_synthetic.npy`` (shape (1, N), test videos in order).
    A ``synthetic.json`` records the arguments.
    """
    all_labels = []
    for split, count in (('training', num_train), ('testing', num_test)):
        for v in range(count):
            rng = np.random.default_rng([seed, 0 if split == 'training' else 1, v])
            anomaly = None
            if split == 'testing':
                start = int(rng.integers(num_frames // 4, num_frames // 2))
                anomaly = dict(kind='fast' if v % 2 == 0 else 'shape', start=start,
                               duration=num_frames // 3)
            frames, labels = _render(size, num_frames, rng, num_walkers, anomaly)
            folder = osp.join(root, split, 'frames', f'{v + 1:02d}')
            os.makedirs(folder, exist_ok=True)
            for t, frame in enumerate(frames):
                cv2.imwrite(osp.join(folder, f'{t:03d}.png'), frame)
            if split == 'testing':
                all_labels.append(labels)
    os.makedirs(osp.join(root, 'ground_truth'), exist_ok=True)
    np.save(osp.join(root, 'ground_truth', 'frame_labels_synthetic.npy'),
            np.concatenate(all_labels)[None].astype(np.uint8))
    with open(osp.join(root, 'synthetic.json'), 'w') as f:
        json.dump(dict(num_train=num_train, num_test=num_test, num_frames=num_frames, size=size,
                       num_walkers=num_walkers, seed=seed), f)
    return root
