"""detect's score plots: y-ranges no single score flattens, ground truth shaded from a
--labels file (per-frame 0/1 or intervals)."""
import os.path as osp

import numpy as np
import pytest

from vadkit.apis import DetectionResult, InputError
from vadkit.apis.frame_labels import find_label_file, read_frame_labels
from vadkit.apis.plot_scales import display_scaled, robust_ylim
from vadkit.apis.visualization import scores_figure
from vadkit.cli import main as vadkit
from vadkit.utils.errors import VadkitError


def causal_result(labels=None) -> DetectionResult:
    """z-scores as causal mode gives them: normal frames near 0, an anomaly at ~250."""
    rng = np.random.default_rng(0)
    n = 200
    prp = rng.normal(0, 1, n)
    prp[120:150] = 250 + rng.normal(0, 5, 30)
    ffp = rng.normal(0, 1, n)
    ffp[120:150] += 4
    scores = prp + 0.8 * ffp
    scores[:4] = np.nan
    mask = np.isfinite(scores)
    return DetectionResult(
        name='cam', source='cam.avi', fps=10.0, num_frames=n, window_length=5, mode='causal',
        normalization='z-score', score_weights=dict(ffp=0.8, prp=1.0), raw=dict(ffp=ffp, prp=prp),
        normalized=dict(ffp=ffp, prp=prp), scores=scores, mask=mask, threshold=3.0,
        threshold_source='test', events=[])


def test_robust_ylim_keeps_threshold_visible_under_huge_z_scores():
    r = causal_result()
    lo, hi = robust_ylim(r.scores, r.threshold)
    assert hi < 50  # not the ~250 of the anomaly
    assert (r.threshold - lo) / (hi - lo) >= 0.2  # the threshold a fifth of the way up or more
    assert lo <= np.nanmin(r.scores)


def test_robust_ylim_shows_everything_when_nothing_dominates():
    v = np.linspace(0, 2, 100)
    lo, hi = robust_ylim(v, threshold=1.2)
    assert lo <= 0 and hi >= 2  # no clipping needed, none done
    lo, hi = robust_ylim(v, threshold=5.0)
    assert hi >= 5.0  # a threshold above every score is still on the axis
    assert robust_ylim([np.nan, np.nan]) == pytest.approx((-0.05, 1.05))


def test_display_scaled_puts_each_task_on_zero_one():
    r = causal_result()
    for v in r.normalized.values():
        s = display_scaled(v)
        assert np.nanmin(s) >= -0.05 and np.nanmax(s) <= 1.05
        assert np.nanpercentile(s, 99) == pytest.approx(1.0, abs=0.05)


def test_figure_uses_robust_limits_and_shades_ground_truth():
    labels = np.zeros(200, dtype=np.uint8)
    labels[118:152] = 1
    labels[180:185] = 1
    r = causal_result()
    fig = scores_figure(r, labels)
    top, bottom = fig.axes
    assert top.get_ylim() == pytest.approx(robust_ylim(r.scores, r.threshold))
    spans = [p for p in top.patches if p.get_gid() == 'ground_truth']
    assert len(spans) == 2
    x = sorted(p.get_x() for p in spans)
    assert x == pytest.approx([11.8, 18.0])  # seconds at 10 fps
    assert len([p for p in bottom.patches if p.get_gid() == 'ground_truth']) == 2
    texts = [t.get_text() for t in top.get_legend().get_texts()]
    assert 'ground truth' in texts and any('above the axis' in t for t in texts)
    assert len(bottom.get_lines()) == 2 and bottom.get_ylim() == pytest.approx((-0.08, 1.08))
    assert not [p for p in scores_figure(r).axes[0].patches if p.get_gid() == 'ground_truth']


def test_read_frame_labels_formats(tmp_path):
    y = np.zeros(10, dtype=np.uint8)
    y[3:6] = 1
    np.save(tmp_path / 'a.npy', y)
    (tmp_path / 'b.csv').write_text('\n'.join(map(str, y)) + '\n')
    (tmp_path / 'c.txt').write_text(' '.join(map(str, y)) + '\n')
    (tmp_path / 'd.csv').write_text('start,end\n3,5\n')
    (tmp_path / 'e.json').write_text('{"anomalies": [[3, 6]], "interval_end": "exclusive"}')
    for name in ('a.npy', 'b.csv', 'c.txt', 'd.csv', 'e.json'):
        np.testing.assert_array_equal(read_frame_labels(str(tmp_path / name), 10, 'v'), y)
    with pytest.raises(InputError, match='10 per-frame labels, but video v has 12 frames'):
        read_frame_labels(str(tmp_path / 'a.npy'), 12, 'v')
    (tmp_path / 'f.csv').write_text('0\n2\n1\n')
    with pytest.raises(InputError, match='must be 0 or 1'):
        read_frame_labels(str(tmp_path / 'f.csv'), 3, 'v')
    with pytest.raises(VadkitError, match='d.csv'):  # an interval past the video's end
        read_frame_labels(str(tmp_path / 'd.csv'), 4, 'v')
    assert find_label_file(str(tmp_path), 'e') == str(tmp_path / 'e.json')
    assert find_label_file(str(tmp_path), 'zz') is None


def test_detect_labels_option(tiny, tmp_path, capsys):
    labels = tmp_path / 'labels'
    labels.mkdir()
    np.save(labels / '02.npy', tiny.labels['02'])
    out = tmp_path / 'out'
    assert vadkit(['detect', tiny.config, tiny.checkpoint, str(tiny.test_dir), '--out-dir',
                   str(out), '--quiet', '--threshold', '0.5', '--labels', str(labels)]) == 0
    assert osp.isfile(out / '02' / 'scores.png') and osp.isfile(out / '01' / 'scores.png')
    assert 'no label file for 01' in capsys.readouterr().err
    assert vadkit(['detect', tiny.config, tiny.checkpoint, str(tiny.test_dir), '--out-dir',
                   str(out), '--quiet', '--labels', str(tmp_path / 'missing.csv')]) == 2
    assert '--labels' in capsys.readouterr().err
