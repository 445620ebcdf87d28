"""ONNX export of the demo-size model: the file runs in onnxruntime with any batch size and
gives PyTorch's scores; the command line, its output folder and its bad arguments."""
import os.path as osp
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import trained_like_batchnorm
from mmengine.config import Config
from torch import nn

from vadkit.apis import AnomalyDetector, ExportError, export_model, onnx_export
from vadkit.apis.export import scene_windows
from vadkit.cli import main as vadkit
from vadkit.models.layers import StaticAdaptiveMaxPool2d
from vadkit.registry import MODELS
from vadkit.utils import register_all_modules

register_all_modules()
REPO = Path(__file__).resolve().parents[2]
DEMO = str(REPO / 'configs' / 'demo' / 'luss-ae_3dcae-w8_8x64x64_synthetic.py')
SIZE = ['--input-size', '64', '64']  # the demo config decodes without a Resize


def _onnx_ready() -> None:
    for name in ('onnx', 'onnxscript', 'onnxruntime'):
        pytest.importorskip(name, reason=f'{name} cannot be imported: the onnx extra '
                            '(pip install -e ".[onnx]", included in ".[tests]") is missing')


@pytest.fixture(scope='module')
def demo_checkpoint(tmp_path_factory) -> str:
    """The demo config's model with random weights and BatchNorm statistics like a trained
    model's (not the identity of a fresh one)."""
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(DEMO).model)
    trained_like_batchnorm(model)
    path = str(tmp_path_factory.mktemp('demo') / 'demo_random.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
    return path


@pytest.fixture(scope='module')
def detector(demo_checkpoint) -> AnomalyDetector:
    return AnomalyDetector(DEMO, demo_checkpoint, calibration=None)


def _model_state(detector) -> dict:
    """What an export must leave as it was: the layouts, the pooling, the scores."""
    model = detector.model
    windows = [w[0].numpy() for w in ((scene_windows((1, 9, 64, 64), 2, 7) + 1) * 127.5)
               .round().to(torch.uint8)]
    weight = model.backbone.encoder[0][0].weight
    return dict(layout=model.memory_format, pool=type(model.tasks[2].pool),
                weight_layout=weight.is_contiguous(memory_format=torch.channels_last_3d),
                scores=detector.infer(windows)[0])


@pytest.fixture(scope='module')
def exported(detector, tmp_path_factory):
    """The demo model exported once: (its report, the model's state before and after)."""
    _onnx_ready()
    out = str(tmp_path_factory.mktemp('onnx') / 'model.onnx')
    before = _model_state(detector)
    report = export_model(detector, out, 'onnx', (64, 64))
    return report, before, _model_state(detector)


def test_onnx_scores_match_pytorch_at_two_batch_sizes(detector, exported):
    import onnxruntime as ort
    exported = exported[0]
    assert exported['max_relative_diff'] <= 1e-4
    assert set(exported['checks']) == {'random (batch 3)', 'scene-like (batch 1)'}
    assert exported['input_shape'] == [None, 1, 9, 64, 64]
    sess = ort.InferenceSession(exported['path'], providers=['CPUExecutionProvider'])
    assert sess.get_inputs()[0].shape[0] == 'batch'  # the batch dimension is dynamic
    for batch, seed in ((1, 5), (4, 6)):
        # uint8 windows the detector scores itself, fed to the ONNX model as documented
        pixels = ((scene_windows((1, 9, 64, 64), batch, seed) + 1) * 127.5).round()
        windows = [w[0].numpy().astype(np.uint8) for w in pixels]
        ref, _ = detector.infer(windows)
        got = sess.run(['scores'], {'clip': (pixels / 127.5 - 1).numpy()})[0]
        assert got.shape == (batch, 3)
        for k, name in enumerate(exported['score_names']):
            np.testing.assert_allclose(got[:, k], ref[name], rtol=1e-4,
                                       atol=1e-4 * np.abs(ref[name]).max())


def test_onnx_export_leaves_the_model_as_it_was(exported):
    _, before, after = exported
    assert before['pool'] is nn.AdaptiveMaxPool2d
    assert after == before


def test_static_adaptive_max_pool_equals_adaptive_max_pool():
    for size in ((1, 1), (2, 2), (3, 5), (8, 8), (7, 9), (13, 6)):
        x = torch.randn(2, 3, *size)
        for out in (4, (2, 3), (None, 2)):
            np.testing.assert_array_equal(StaticAdaptiveMaxPool2d(out)(x).numpy(),
                                          nn.AdaptiveMaxPool2d(out)(x).numpy())


def test_onnx_export_refused_beyond_tolerance(detector, exported, tmp_path, monkeypatch):
    # the exported file of the fixture, checked against PyTorch with scores off by 0.1 %
    monkeypatch.setattr(onnx_export, 'export_onnx',
                        lambda wrapper, model, example, out, opset: shutil.copy(
                            exported[0]['path'], out))
    run = onnx_export.OnnxScorer.__call__
    monkeypatch.setattr(onnx_export.OnnxScorer, '__call__',
                        lambda self, clip: run(self, clip) * 1.001)
    out = tmp_path / 'model.onnx'
    with pytest.raises(ExportError, match=r'differ from PyTorch.*more than --tolerance 0.0001'):
        export_model(detector, str(out), 'onnx', (64, 64))
    assert not out.exists() and not Path(str(out) + '.json').exists()


def test_exporter_failure_is_one_clear_error(detector, tmp_path, monkeypatch, capfd):
    _onnx_ready()

    class KeepAdaptivePool:  # the op torch.onnx cannot translate stays in the model
        @staticmethod
        def from_module(pool):
            return pool
    monkeypatch.setattr(onnx_export, 'StaticAdaptiveMaxPool2d', KeepAdaptivePool)
    layout = detector.model.memory_format
    with pytest.raises(ExportError, match=r'torch.onnx could not export the model to .*'
                       r'adaptive_max_pool2d.*--format torchscript'):
        export_model(detector, str(tmp_path / 'model.onnx'), 'onnx', (64, 64))
    assert detector.model.memory_format == layout
    out, err = capfd.readouterr()
    assert len((out + err).splitlines()) < 5  # the exporter's report is not printed


def test_missing_onnx_packages_are_named(detector, tmp_path, monkeypatch):
    monkeypatch.setattr(onnx_export, 'missing_onnx_packages', lambda: ['onnxscript'])
    with pytest.raises(ExportError, match=r'onnxscript, which is not installed.*\[onnx\]'):
        export_model(detector, str(tmp_path / 'model.onnx'), 'onnx', (64, 64))


def test_export_cli_onnx_into_a_missing_folder(demo_checkpoint, tmp_path, capfd):
    _onnx_ready()
    out = tmp_path / 'not' / 'yet' / 'model.onnx'
    assert vadkit(['export', DEMO, demo_checkpoint, '--format', 'onnx', '--out', str(out)]
                  + SIZE) == 0
    stdout, stderr = capfd.readouterr()  # the file descriptors: exporters print there too
    assert out.is_file() and osp.isfile(str(out) + '.json')
    assert 'max relative diff vs PyTorch' in stdout and 'OK' in stdout
    output = stdout + stderr
    assert 'graph(' not in output and 'Traceback' not in output  # no IR dump, quiet
    assert len(output.splitlines()) < 10, output


@pytest.mark.parametrize('args, message', [
    (['--tolerance', '-1'], 'tolerance (--tolerance) must be a positive number'),
    (['--tolerance', 'nan'], 'tolerance (--tolerance) must be a positive number'),
    (['--input-size', '0', '64'], '--input-size H W) must be two positive integers'),
    (['--input-size', '60', '64'], 'Give --input-size the frame size the model was trained'),
    (['--opset', '17'], 'opset (--opset) 17 is not supported'),
    (['--format', 'tflite'], "invalid choice: 'tflite'"),
    (['--device', 'gpu'], "--device 'gpu' is not a device"),
])
def test_export_cli_bad_arguments(demo_checkpoint, tmp_path, capsys, args, message):
    _onnx_ready()
    out = str(tmp_path / 'model.onnx')
    argv = ['export', DEMO, demo_checkpoint, '--format', 'onnx', '--out', out] + SIZE + args
    assert vadkit(argv) == 2
    err = capsys.readouterr().err
    assert message in err and 'Traceback' not in err
    assert not osp.exists(out)


def test_export_cli_out_is_a_folder_or_under_a_file(demo_checkpoint, tmp_path, capsys):
    assert vadkit(['export', DEMO, demo_checkpoint, '--out', str(tmp_path)] + SIZE) == 2
    assert 'is a folder, not a file name' in capsys.readouterr().err
    (tmp_path / 'file').write_text('')
    out = str(tmp_path / 'file' / 'model.pt')
    assert vadkit(['export', DEMO, demo_checkpoint, '--out', out] + SIZE) == 2
    assert 'cannot create the output folder' in capsys.readouterr().err


def test_export_cli_missing_checkpoint(tmp_path, capsys):
    missing = str(tmp_path / 'missing.pth')
    assert vadkit(['export', DEMO, missing, '--out', str(tmp_path / 'm.pt')] + SIZE) == 2
    err = capsys.readouterr().err
    assert missing in err and 'does not exist' in err and 'Traceback' not in err
