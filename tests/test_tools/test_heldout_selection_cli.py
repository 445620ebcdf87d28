"""tools/analysis/heldout_selection.py on saved frame scores: the table, the figures beside
the held-out mean, the JSON, and one-line errors."""
import json
import os
import os.path as osp

import numpy as np
import pytest
from conftest import run_tool_in_process
from forked_tool import run_forked
from tool_modules import load_tool

from vadkit.evaluation import FrameScores
from vadkit.utils import register_all_modules

register_all_modules()
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(REPO, 'tools', 'analysis', 'heldout_selection.py')


def heldout_selection():
    return load_tool('analysis/heldout_selection')


def save_run(folder, seed):
    """A saved test run of 6 videos with vcr/ffp/prp scores and the paper's settings."""
    rng = np.random.default_rng(seed)
    records = []
    for v in range(6):
        for f in range(8, 80):
            y = int(v < 4 and 40 <= f < 60)
            records.append((v, f, y, dict(vcr=0.3 * y + rng.normal(), ffp=y + rng.normal(),
                                          prp=0.5 * y + rng.normal())))
    settings = dict(score_weights=dict(vcr=0.1, ffp=0.8, prp=1.0),
                    normalizer=dict(type='MinMaxNormalizer'), normalizers={})
    scores = FrameScores.from_records(records, [f'v{v}' for v in range(6)], [80] * 6, settings)
    scores.save(str(folder), scores.evaluate())
    return str(folder / 'frame_scores.npz')


def test_table_and_figures_beside_the_heldout_mean(tmp_path, capsys):
    a, b = save_run(tmp_path / 'a', 0), save_run(tmp_path / 'b', 1)
    out = tmp_path / 'sel.json'
    result = heldout_selection().main([a, b, '--normalizers', 'saved', 'RobustNormalizer',
                               '--smooth', '0', '2', '--grid', '0,0.5,1', '--splits', '3',
                               '--seed', '4', '--out', str(out)])
    text = capsys.readouterr().out
    assert '2 run(s), 6 test videos' in text
    assert result['settings'] == 2 * 2 * 2 * 19
    assert len(result['rows']) == 6
    for label in ('HELD-OUT (honest)', 'fixed config, same halves', 'PAPER PROTOCOL',
                  'FIXED CONFIG (no selection)'):
        assert label in text
    fixed = FrameScores.load(a).evaluate().metrics['micro_auroc']
    assert result['fixed_config_auroc'] == pytest.approx(fixed)
    assert f'{100 * fixed:6.2f}' in text
    saved = json.loads(out.read_text())
    assert saved['mean_heldout_auroc'] == pytest.approx(
        np.mean([r['heldout_auroc'] for r in saved['rows']]))
    assert saved['rows'][0]['chosen'].split(' | ')[0] in ('a', 'b')
    again = heldout_selection().main([a, b, '--normalizers', 'saved', 'RobustNormalizer',
                              '--smooth', '0', '2', '--grid', '0,0.5,1', '--splits', '3',
                              '--seed', '4'])
    assert again['rows'] == result['rows']                 # deterministic given the seed


def test_pseudo_anomaly_runs_choose_without_test_labels(tmp_path, capsys):
    a, b = save_run(tmp_path / 'a', 0), save_run(tmp_path / 'b', 1)
    pa, pb = save_run(tmp_path / 'pa', 2), save_run(tmp_path / 'pb', 3)
    result = heldout_selection().main([a, b, '--pseudo', pa, pb, '--grid', '0,1', '--splits', '1'])
    text = capsys.readouterr().out
    assert 'LABEL-FREE (chosen on the pseudo-anomalies, no test label)' in text
    free = result['label_free']
    # the pseudo runs are matched to the test runs by position: their settings carry the
    # test runs' names, and the choice is the best on the pseudo-anomalies
    assert free['setting'].split(' | ')[0] in ('a', 'b')
    pseudo_fixed = FrameScores.load(pa).evaluate().metrics['micro_auroc']
    assert free['fixed_pseudo_auroc'] == pytest.approx(pseudo_fixed)
    assert free['pseudo_auroc'] >= pseudo_fixed
    assert f'{100 * free["micro_auroc"]:6.2f}' in text
    with pytest.raises(Exception, match='one pseudo-anomaly run per test run'):
        heldout_selection().main([a, b, '--pseudo', pa])


def test_default_grid_is_the_runs_alphas_search(tmp_path, capsys):
    a = save_run(tmp_path / 'a', 0)
    result = heldout_selection().main([a, '--grid', '0,0.1,...,1', '--splits', '1'])
    best = load_tool('analysis/search_alphas').main([a])['optimistic_best']
    assert result['paper_protocol']['micro_auroc'] == pytest.approx(best['micro_auroc'])


def test_success_exits_0_with_the_table(tmp_path):
    run = save_run(tmp_path / 'a', 0)
    proc = run_forked([TOOL, run, '--grid', '0,1', '--splits', '1'], dict(os.environ), REPO)
    assert proc.returncode == 0, proc.stderr
    assert 'HELD-OUT (honest)' in proc.stdout and 'Traceback' not in proc.stderr


@pytest.mark.parametrize('argv, message', [
    (['missing.npz'], 'does not exist: run tools/test.py'),
    (['RUN', '--score-sets', 'vcr,nope'], "no score(s) ['nope']"),
    (['RUN', '--grid', '1,...'], 'grid'),
    (['RUN', '--normalizers', 'Robust(('], 'cannot read normalizer'),
])
def test_user_errors_are_one_line_and_exit_2(tmp_path, argv, message):
    run = save_run(tmp_path / 'a', 0)
    argv = [run if a == 'RUN' else str(tmp_path / a) if a.endswith('.npz') else a
            for a in argv]
    proc = run_tool_in_process([TOOL, *argv])  # a real process exits 0 above
    assert proc.returncode == 2, proc.stderr
    assert 'heldout_selection.py: error:' in proc.stderr and message in proc.stderr
    assert 'Traceback' not in proc.stderr
