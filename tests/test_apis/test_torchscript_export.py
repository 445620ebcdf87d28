"""TorchScript export: the exported network gives the detector's scores."""

import numpy as np
import torch
from synthetic_videos import read_frames
from tiny_detector import L

from vadkit.apis import (
    AnomalyDetector,
    export_model,
)
from vadkit.utils import register_all_modules

register_all_modules()


def test_export_round_trip(tiny, tmp_path):
    det = AnomalyDetector(tiny.config, tiny.checkpoint, calibration=None)
    out = str(tmp_path / 'model.pt')
    report = export_model(det, out)
    assert report['max_relative_diff'] <= 1e-4
    assert report['input_shape'] == [None, 1, L, 32, 32]
    exported = torch.jit.load(out)
    frames = np.stack(read_frames(tiny.test_dir / '01')[:L])
    clip = torch.from_numpy(np.stack([frames, frames[::-1]]))[:, None].float() / 127.5 - 1
    ref, _ = det.infer([frames, frames[::-1].copy()])
    with torch.no_grad():
        got = exported(clip)
    for k, name in enumerate(report['score_names']):
        np.testing.assert_allclose(got[:, k].numpy(), ref[name], rtol=1e-4, atol=1e-7)
