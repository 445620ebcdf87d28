"""Regression: the built-in default config learns.

The demo config reaches 93.14 % micro AUROC with AVX-512 kernels and 2 threads, 90.68 % with
AVX2 kernels and 88.46 % on 1 thread (docs/reliability.md); an untrained model scores near
chance. The floor sits well below every measured figure, so only a real regression (a
loss, a measure, the data path or the metric broken) fails it. The training runs in this
process (as the ``vadkit`` command runs it).
"""
import json
import os.path as osp

from conftest import run_tool_in_process

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO = osp.join(ROOT, 'configs', 'demo', 'luss-ae_3dcae-w8_8x64x64_synthetic.py')
FLOOR = 0.80


def test_the_demo_config_learns(tmp_path):
    work = str(tmp_path / 'work')
    proc = run_tool_in_process(['tools/train.py', DEMO, '--test', '--work-dir', work,
                                '--data-root', tmp_path / 'synthetic'])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    with open(osp.join(work, 'metrics.json')) as f:
        metrics = json.load(f)
    assert metrics['micro_auroc'] >= FLOOR, metrics
    # the frame tasks carry it: each alone is well above chance
    assert metrics['ffp_micro_auroc'] >= FLOOR and metrics['vcr_micro_auroc'] >= FLOOR
