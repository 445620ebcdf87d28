"""The HTML report of a test run, built from saved frame scores (no model, no training)."""
import json
import os.path as osp
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from vadkit.cli import main as vadkit
from vadkit.evaluation.frame_scores import FrameScores
from vadkit.visualization.report import (
    ReportInputError,
    choose_threshold,
    find_events,
    write_report,
)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
NAMES = ['cam_a', 'cam_b', 'quiet_c']
METRICS = {'micro_auroc': 0.8765, 'macro_auroc': 0.8123, 'vcr_micro_auroc': 0.6111,
           'ffp_micro_auroc': 0.7222, 'prp_micro_auroc': 0.5333}


def make_run(out_dir, names=NAMES, lengths=None, labels=None, skip=4) -> FrameScores:
    """A test run folder as tools/test.py leaves it: frame scores, metrics, machine."""
    rng = np.random.default_rng(0)
    lengths = lengths or [60] * len(names)
    records = []
    for vid, n in enumerate(lengths):
        for f in range(skip, n):
            y = int(labels[vid][f]) if labels is not None else int(vid < 2 and 30 <= f < 42)
            base = 0.7 * y + 0.2 * rng.random()
            records.append((vid, f, y, {'vcr': base + 0.1 * rng.random(), 'ffp': base,
                                        'prp': rng.random()}))
    scores = FrameScores.from_records(
        records, video_names=names, num_frames=lengths,
        settings={'score_weights': {'vcr': 0.1, 'ffp': 0.8, 'prp': 1.0},
                  'normalizer': {'type': 'MinMaxNormalizer'}})
    scores.save(str(out_dir), scores.evaluate())
    with open(osp.join(out_dir, 'metrics.json'), 'w') as f:
        json.dump(METRICS, f)
    with open(osp.join(out_dir, 'machine.json'), 'w') as f:
        json.dump({'cpu': 'Test CPU 9000', 'torch_threads': 2}, f)
    return scores


def page_data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html,
                  re.S)
    return json.loads(m.group(1))


@pytest.fixture
def run_dir(tmp_path):
    make_run(tmp_path / 'run')
    return tmp_path / 'run'


def test_report_is_one_self_contained_file(run_dir):
    out = write_report(str(run_dir))
    assert out == str(run_dir / 'report.html')
    html = (run_dir / 'report.html').read_text()
    # nothing fetched: no external script, style, image or link
    assert not re.search(r'(src|href)\s*=\s*["\']?\s*(https?:)?//', html, re.I)
    assert '<link' not in html and '@import' not in html
    assert html.count('<script') == 2  # the data and the inline drawing script
    data = page_data(html)
    saved = FrameScores.load(str(run_dir))
    with np.load(run_dir / 'frame_scores.npz') as z:
        fused = z['score']
    start = 0
    for i, name in enumerate(NAMES):
        assert f'id="video-{i}"' in html and f'>{name}<' in html
        video = data['videos'][i]
        assert video['name'] == name
        assert video['frames'] == saved.frames[i].tolist()
        assert video['labels'] == saved.labels[i].tolist()
        n = len(video['frames'])
        np.testing.assert_allclose(video['fused'], fused[start:start + n], atol=1e-4)
        assert set(video['tasks']) == {'vcr', 'ffp', 'prp'}
        start += n
    # the metrics, each task's AUROC, the settings and the machine
    for text in ('87.65 %', '81.23 %', 'task vcr alone', '61.11 %', '72.22 %', '53.33 %',
                 'MinMaxNormalizer', '&quot;ffp&quot;: 0.8', 'Test CPU 9000'):
        assert text in html, text
    assert data['videos'][2]['auroc'] is None  # one class: undefined, not a number


def test_event_table_matches_the_threshold(run_dir):
    html = open(write_report(str(run_dir), threshold=1.0)).read()
    data = page_data(html)
    assert data['threshold']['value'] == 1.0
    assert 'given with --threshold' in html
    rows = re.findall(r'<tr class="event-row" data-video="(\d+)" data-frame="(\d+)"', html)
    assert rows and len(rows) == len(data['events'])
    for e in data['events']:
        video = data['videos'][NAMES.index(e['video'])]
        k = video['frames'].index(e['peak'])
        assert video['fused'][k] > 1.0
        inside = [s for f, s in zip(video['frames'], video['fused'])
                  if e['start'] <= f <= e['end']]
        assert max(inside) == pytest.approx(e['peak_score'], abs=1e-4)
    # every frame above the threshold is in exactly one event
    for video in data['videos']:
        above = {f for f, s in zip(video['frames'], video['fused']) if s > 1.0 + 1e-4}
        covered = {f for e in data['events'] if e['video'] == video['name']
                   for f in range(e['start'], e['end'] + 1)}
        assert above <= covered


def test_default_threshold_rules():
    y = [np.array([0] * 50 + [1] * 10)]
    s = [np.concatenate([np.linspace(0, 1, 50), np.linspace(2, 3, 10)])]
    roc = choose_threshold(s, y)
    assert 'closest to' in roc.rule and 1.0 <= roc.value < 2.0
    assert len(find_events(np.arange(60), s[0], roc.value)) == 1  # exactly the anomaly
    no_labels = choose_threshold(s, [np.zeros(60, dtype=int)])
    assert '95th percentile' in no_labels.rule
    assert no_labels.value == pytest.approx(np.percentile(s[0], 95))


def test_events_match_the_detector_events():
    from vadkit.apis.events import extract_events
    rng = np.random.default_rng(3)
    frames = np.arange(5, 200)
    scores = rng.random(frames.size)
    dense = np.full(200, np.nan)
    dense[frames] = scores
    for min_frames, gap in ((1, 0), (2, 0), (1, 2), (3, 4)):
        ours = find_events(frames, scores, 0.7, min_frames=min_frames, merge_gap=gap)
        ref = extract_events(dense, 0.7, fps=25, min_frames=min_frames, max_gap=gap)
        assert [(e.start_frame, e.end_frame, e.peak_frame) for e in ours] == \
            [(e.start_frame, e.end_frame, e.peak_frame) for e in ref]
        np.testing.assert_allclose([e.mean_score for e in ours], [e.mean_score for e in ref])


def test_frames_embedded_around_event_peaks(tmp_path):
    from vadkit.datasets.layouts import SyntheticLayout
    layout = dict(type='SyntheticLayout', root=str(tmp_path / 'syn'), num_train=1, num_test=2,
                  num_frames=40, size=32)
    records = SyntheticLayout(**{k: v for k, v in layout.items() if k != 'type'}).load('test')
    run = tmp_path / 'run'
    make_run(run, [r.name for r in records], [r.num_frames for r in records],
             [r.labels for r in records])
    (run / 'demo_config.py').write_text(
        f"load_from = 'work_dirs/demo/epoch_5.pth'\n"
        f"test_dataloader = dict(dataset=dict(layout={layout!r}))\n")
    html = open(write_report(str(run))).read()
    data = page_data(html)
    assert 'epoch_5.pth' in html and 'demo_config.py' in html
    assert data['events'] and data['thumbnails']
    for e in data['events']:
        thumbs = data['thumbnails'][e['video']]
        assert str(e['peak']) in thumbs
        assert thumbs[str(e['peak'])].startswith('data:image/jpeg;base64,')
    shown = {int(f) for v in data['thumbnails'].values() for f in v}
    near = {f for e in data['events'] for f in range(e['peak'] - 6, e['peak'] + 7)}
    assert shown <= near  # only frames around the peaks
    # the data moved away: the report is still made, and says so
    shutil.move(str(tmp_path / 'syn'), str(tmp_path / 'elsewhere'))
    html = open(write_report(str(run))).read()
    assert 'frames are not available' in html and '--data-root' in html
    assert page_data(html)['thumbnails'] == {}
    html = open(write_report(str(run), data_root=str(tmp_path / 'elsewhere'))).read()
    assert page_data(html)['thumbnails']


def test_vadkit_report_cli(run_dir, tmp_path, capsys):
    out = tmp_path / 'sub' / 'mail.html'
    assert vadkit(['report', str(run_dir), '--out', str(out), '--no-frames']) == 0
    assert out.is_file() and 'report:' in capsys.readouterr().out
    empty = tmp_path / 'empty'
    empty.mkdir()
    assert vadkit(['report', str(empty)]) == 2
    err = capsys.readouterr().err
    assert 'error:' in err and 'no frame_scores.npz' in err and 'tools/test.py' in err
    assert vadkit(['report', str(tmp_path / 'missing')]) == 2
    assert 'is not a folder' in capsys.readouterr().err
    assert vadkit(['report', str(run_dir), '--min-event-frames', '0']) == 2
    assert '--min-event-frames must be >= 1' in capsys.readouterr().err


def test_bad_npz_is_refused(tmp_path):
    (tmp_path / 'frame_scores.npz').write_bytes(b'not an npz')
    with pytest.raises(ReportInputError, match='not a readable vadkit frame_scores.npz'):
        write_report(str(tmp_path))


@pytest.mark.skipif(not any(shutil.which(b) for b in ('chromium', 'chromium-browser',
                                                        'google-chrome')),
                    reason='no Chromium binary')
def test_curves_drawn_in_a_browser(run_dir):
    write_report(str(run_dir))
    done = subprocess.run([sys.executable, 'tools/analysis/check_report_in_browser.py',
                           str(run_dir)], cwd=ROOT, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    assert 'OK: 3 videos' in done.stdout


def test_unlabelled_run_uses_the_normal_percentile(tmp_path):
    make_run(tmp_path)
    npz = tmp_path / 'frame_scores.npz'
    with np.load(npz) as z:  # a run on unlabelled videos: every frame normal
        arrays = {k: z[k] for k in z.files}
    arrays['label'] = np.zeros_like(arrays['label'])
    np.savez(npz, **arrays)
    html = open(write_report(str(tmp_path), with_frames=False)).read()
    data = page_data(html)
    assert '95th percentile of the fused score of the normal-labelled frames' in html
    assert all(v['auroc'] is None for v in data['videos'])
    fused = np.concatenate([v['fused'] for v in data['videos']])
    assert data['threshold']['value'] == pytest.approx(np.percentile(fused, 95), abs=1e-3)
    html = open(write_report(str(tmp_path), threshold=1e9, with_frames=False)).read()
    assert 'No event: no frame is above the threshold.' in html


def test_each_variant_figure_says_what_it_varied(tmp_path):
    """``micro_auroc_<label>`` is other weights or another rescaling: the page says which,
    with the values the run saved, and a plain label where the run saved none."""
    from vadkit.evaluation.metrics.frame_auroc_metric import FrameAUROCMetric
    metric = FrameAUROCMetric(score_weights=dict(vcr=0.1, ffp=0.8, prp=1.0),
                              compare_weights=dict(equal=dict(vcr=1.0, ffp=1.0, prp=1.0)),
                              compare_normalizers=dict(robust=dict(type='RobustNormalizer')))
    settings = metric.settings
    assert settings['compare_weights'] == dict(equal=dict(vcr=1.0, ffp=1.0, prp=1.0))
    assert settings['compare_normalizers'] == dict(robust=dict(type='RobustNormalizer'))
    scores = make_run(tmp_path / 'run')
    scores.settings.update(compare_weights=settings['compare_weights'],
                           compare_normalizers=settings['compare_normalizers'])
    scores.save(str(tmp_path / 'run'), scores.evaluate())
    with open(tmp_path / 'run' / 'metrics.json', 'w') as f:
        json.dump(dict(METRICS, micro_auroc_equal=0.81, micro_auroc_robust=0.82,
                       micro_auroc_old=0.83), f)
    html = (tmp_path / 'run' / 'report.html')
    write_report(str(tmp_path / 'run'))
    text = html.read_text()
    assert "micro AUROC with the &#x27;equal&#x27; weights (vcr 1.00, ffp 1.00, prp 1.00)" in text
    assert "micro AUROC with the &#x27;robust&#x27; rescaling (RobustNormalizer)" in text
    assert "&#x27;old&#x27; variant (other weights or rescaling)" in text
    assert 'normalizer</td>' not in text
