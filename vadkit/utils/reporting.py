"""Print and save test metrics."""
import json
import os.path as osp
from typing import Optional, Sequence

from mmengine.dist import is_main_process

from .machine import describe_machine, machine_info


def report_metrics(metrics: dict, out_dir: str, title: Optional[str] = None,
                   machine: Optional[dict] = None,
                   weight_labels: Sequence[str] = ()) -> None:
    """Write ``metrics.json`` and ``machine.json`` (what the figures were measured on) to
    ``out_dir`` and print the headline numbers (under ``title`` if given). ``machine``: what
    the figures were computed on, if not this process's run
    (:func:`vadkit.utils.machine.machine_info`), e.g. an ensemble's members'
    (:func:`vadkit.utils.machine.runs_machine`). ``weight_labels``: the labels of the
    metric's ``compare_weights`` (:func:`vadkit.utils.run_config.compare_weight_labels`),
    printed as other weights; other ``micro_auroc_<label>`` figures are other rescalings."""
    if not is_main_process() or metrics is None:
        return
    with open(osp.join(out_dir, 'metrics.json'), 'w') as f:
        json.dump(metrics, f, indent=2)
    machine = machine or machine_info()
    with open(osp.join(out_dir, 'machine.json'), 'w') as f:
        json.dump(machine, f, indent=2)
    lines = [title] if title else []
    lines += [f"micro AUROC (frame-level, all videos pooled): {100 * metrics['micro_auroc']:.2f} %"]
    if 'macro_auroc' in metrics:
        lines.append(f"macro AUROC (mean over videos with both classes): "
                     f"{100 * metrics['macro_auroc']:.2f} %")
    for k, v in metrics.items():
        if k.startswith('micro_auroc_'):
            label = k[len('micro_auroc_'):]
            kind = ('weights (compare_weights)' if label in weight_labels else
                    'rescaling (compare_normalizers)')
            lines.append(f'micro AUROC, {label!r} {kind}: {100 * v:.2f} %')
    for k, v in metrics.items():
        if k.endswith('_micro_auroc'):
            lines.append(f'  {k[:-12]} alone (micro AUROC): {100 * v:.2f} %')
    lines.append(f'measured on: {describe_machine(machine)} (a deterministic config repeats '
                 'its figures exactly for the same instruction set and thread count)')
    print('\n'.join(['=' * 60] + lines + [f'metrics: {osp.join(out_dir, "metrics.json")}',
                                          '=' * 60]), flush=True)
