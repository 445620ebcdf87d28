"""What a test run prints under its result and saves beside it."""
import json

from vadkit.utils.reporting import report_metrics


def test_other_weights_and_other_rescalings_are_told_apart(tmp_path, capsys):
    metrics = dict(micro_auroc=0.9, micro_auroc_smoothed=0.91, micro_auroc_paper=0.88,
                   vcr_micro_auroc=0.8)
    report_metrics(metrics, str(tmp_path), title='a run', threads=[1],
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
