"""Export a model's scoring network (TorchScript by default; ONNX with the onnx extra).

The exported module maps windows, float (B, C, T+1, H, W) in [-1, 1], to the raw score of
every task (B, K); metadata (score names, window length, decode pipeline, fusion weights
and normalizers) goes into <out>.json (and, for TorchScript, into the file itself). The
export is checked against PyTorch: the max relative difference of the scores is printed
and the command fails if it exceeds --tolerance. The folder of --out is created.

Examples:
    python tools/export.py CONFIG CKPT --format torchscript --out model.pt
    python tools/export.py CONFIG CKPT --format onnx --out exported/model.onnx
        (pip install -e ".[onnx]" first: onnx, onnxscript, onnxruntime)
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from vadkit.utils.cli_values import KeyValueOptions  # noqa: E402
from vadkit.utils.errors import run_cli  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Export a vadkit model for deployment',
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument('config', help='config file the checkpoint was trained with')
    p.add_argument('checkpoint', help='checkpoint file')
    p.add_argument('--format', choices=['torchscript', 'onnx'], default='torchscript')
    p.add_argument('--out', required=True,
                   help='output file (e.g. model.pt, model.onnx); its folder is created')
    p.add_argument('--input-size', type=int, nargs=2, metavar=('H', 'W'),
                   help='frame size (default: the Resize of the test decode pipeline)')
    p.add_argument('--tolerance', type=float, default=1e-4,
                   help='max relative score difference accepted')
    p.add_argument('--opset', type=int, default=18, help='ONNX opset (18 or newer)')
    p.add_argument('--device', default='cpu', help='where the model runs for the export')
    p.add_argument('--cfg-options', nargs='+', action=KeyValueOptions,
                   help='override config entries')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from vadkit.apis import AnomalyDetector, export_model
    from vadkit.apis.ensemble_members import is_ensemble_dir
    from vadkit.apis.export import check_export_arguments, ensemble_export_error
    input_size = tuple(args.input_size) if args.input_size else None
    # bad values and missing packages are refused before the model is loaded
    check_export_arguments(args.out, args.format, input_size, args.tolerance, args.opset,
                           args.device)
    if is_ensemble_dir(args.checkpoint):  # before its members are loaded
        raise ensemble_export_error(args.checkpoint)
    if not osp.isfile(args.checkpoint):
        from vadkit.utils.checkpoint_files import UnreadableCheckpointError
        raise UnreadableCheckpointError(f'checkpoint {args.checkpoint} does not exist')
    det = AnomalyDetector(args.config, args.checkpoint, args.device, calibration=None,
                          cfg_options=args.cfg_options)
    report = export_model(det, args.out, args.format, input_size, args.tolerance, args.opset)
    checks = ', '.join(f'{k}: {v:.3g}' for k, v in report['checks'].items())
    print(f'exported {args.format} to {report["path"]} (metadata {report["metadata"]})\n'
          f'input {report["input_shape"]} (batch dynamic) -> scores {report["score_names"]}\n'
          f'max relative diff vs PyTorch: {report["max_relative_diff"]:.3g} ({checks}; '
          f'tolerance {args.tolerance:g}): OK', flush=True)
    return 0


if __name__ == '__main__':
    run_cli(main)
