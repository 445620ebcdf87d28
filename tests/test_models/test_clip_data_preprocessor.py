"""The clip data preprocessor scales uint8 frames to [-1, 1] and leaves the rest."""
import pytest
import torch
from tiny_detector import build_tiny_model

from vadkit.utils import register_all_modules

register_all_modules()


# ---------------------------------------------------------------------------------------
# Data preprocessor
# ---------------------------------------------------------------------------------------
def test_data_preprocessor_scales_uint8_to_minus_one_one():
    model = build_tiny_model()
    window = torch.tensor([0, 255, 51, 204], dtype=torch.uint8).view(1, 1, 1, 2, 2)
    already = torch.full((1, 1, 1, 2, 2), 0.25)
    labels = torch.tensor([1])
    data = model.data_preprocessor(
        dict(inputs=dict(window=window, other=already), data_samples=dict(prp_label=labels)))
    out = data['inputs']['window']
    assert out.dtype == torch.float32
    assert out.flatten().tolist() == pytest.approx([-1.0, 1.0, -0.6, 0.6], abs=1e-6)
    assert out.min().item() == -1.0 and out.max().item() == 1.0
    torch.testing.assert_close(data['inputs']['other'], already)  # floats untouched
    assert torch.equal(data['data_samples']['prp_label'], labels)
