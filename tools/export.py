"""Export a model's scoring network (TorchScript by default; ONNX if onnx is installed).

The exported module maps windows, float (B, C, T+1, H, W) in [-1, 1], to the raw score of
every task (B, K); metadata (score names, window length, decode pipeline, fusion weights
and normalizers) goes into <out>.json (and, for TorchScript, into the file itself). The
export is checked against PyTorch: the max relative difference of the scores is printed
and the command fails if it exceeds --tolerance.

Example:
    python tools/export.py CONFIG CKPT --format torchscript --out model.pt
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmengine.config import DictAction  # noqa: E402

from vadkit.utils.errors import run_cli  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Export a vadkit model for deployment',
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument('config', help='config file the checkpoint was trained with')
    p.add_argument('checkpoint', help='checkpoint file')
    p.add_argument('--format', choices=['torchscript', 'onnx'], default='torchscript')
    p.add_argument('--out', required=True, help='output file (e.g. model.pt, model.onnx)')
    p.add_argument('--input-size', type=int, nargs=2, metavar=('H', 'W'),
                   help='frame size (default: the Resize of the test decode pipeline)')
    p.add_argument('--tolerance', type=float, default=1e-4,
                   help='max relative score difference accepted')
    p.add_argument('--opset', type=int, default=17, help='ONNX opset')
    p.add_argument('--device', default='cpu')
    p.add_argument('--cfg-options', nargs='+', action=DictAction,
                   help='override config entries')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from vadkit.apis import AnomalyDetector, CheckpointMismatchError, ExportError, export_model
    try:
        det = AnomalyDetector(args.config, args.checkpoint, args.device, calibration=None,
                              cfg_options=args.cfg_options)
        report = export_model(det, args.out, args.format,
                              tuple(args.input_size) if args.input_size else None,
                              args.tolerance, args.opset)
    except (ExportError, CheckpointMismatchError, FileNotFoundError, ValueError) as e:
        raise SystemExit(f'error: {e}')
    diff = report['max_relative_diff']
    print(f'exported {args.format} to {report["path"]} (metadata {report["metadata"]})\n'
          f'input {report["input_shape"]} (batch dynamic) -> scores {report["score_names"]}\n'
          + (f'max relative diff vs PyTorch: {diff:.3g} (tolerance {args.tolerance:g}): OK'
             if diff is not None else
             'not verified: onnxruntime is not installed (pip install onnxruntime)'),
          flush=True)
    return 0


if __name__ == '__main__':
    run_cli(main)
