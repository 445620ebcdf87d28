"""What a test run prints under its result and saves beside it."""
import json

from vadkit.utils.machine import describe_machine, machine_info, runs_machine
from vadkit.utils.reporting import report_metrics


def test_other_weights_and_other_rescalings_are_told_apart(tmp_path, capsys):
    metrics = dict(micro_auroc=0.9, micro_auroc_smoothed=0.91, micro_auroc_paper=0.88,
                   vcr_micro_auroc=0.8)
    machine = dict(machine_info(), torch_threads=1)
    report_metrics(metrics, str(tmp_path), title='a run', machine=machine,
                   weight_labels=['paper'])
    out = capsys.readouterr().out
    assert "micro AUROC, 'smoothed' rescaling (compare_normalizers): 91.00 %" in out
    assert "micro AUROC, 'paper' weights (compare_weights): 88.00 %" in out
    assert 'vcr alone (micro AUROC): 80.00 %' in out
    assert ', 1 thread, ' in out  # the threads the figures were computed with
    with open(tmp_path / 'metrics.json') as f:
        assert json.load(f) == metrics
    with open(tmp_path / 'machine.json') as f:
        assert json.load(f)['torch_threads'] == 1


def test_an_ensembles_machine_is_its_members():
    here = machine_info()
    same = [dict(here, torch_threads=2), dict(here, torch_threads=2)]
    assert runs_machine(same)['torch_threads'] == 2
    assert runs_machine(same)['cpu_capability'] == here['cpu_capability']
    mixed = [dict(here, cpu_capability='AVX512', torch_threads=2),
             dict(here, cpu_capability='AVX2', torch_threads=[1, 2])]
    merged = runs_machine(mixed)
    assert merged['cpu_capability'] == ['AVX2', 'AVX512'] and merged['torch_threads'] == [1, 2]
    line = describe_machine(merged)
    assert 'AVX2 and AVX512 kernels (runs on several machine kinds' in line
    assert '1 and 2 threads (the count changed' in line
