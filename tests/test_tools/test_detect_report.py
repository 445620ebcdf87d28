"""tools/detect.py --report: one self-contained HTML page of a detection run (offline and
streaming), drawn by the test report's renderer, with frames and error heat maps."""
import base64
import csv
import json
import os.path as osp
import re
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from vadkit.cli import main as vadkit
from vadkit.datasets import generate_synthetic_dataset
from vadkit.registry import MODELS
from vadkit.utils import register_all_modules

register_all_modules()

REPO = Path(__file__).resolve().parents[2]
FRAMES, CLIP = 30, 4
CONFIG = """
_base_ = [
    {base}/models/luss_ae_3dcae.py', {base}/datasets/frames_windows.py',
    {base}/schedules/adam_60e.py', {base}/default_runtime.py'
]
clip_len = {clip}
decode_pipeline = [dict(type='Grayscale'), dict(type='Resize', size=(32, 32))]
model = dict(clip_len=clip_len, backbone=dict(
    widths=(4, 8, 8, 8), strides=((1, 2, 2), (2, 2, 2), (2, 2, 2), (1, 2, 2))))
layout = dict(type='FramesLayout', root='{root}')
test_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False,
    pin_memory=False, dataset=dict(layout=layout, window_length=clip_len + 1,
    decode_pipeline=decode_pipeline, cache_dir=None))
test_evaluator = dict(type='FrameAUROCMetric', score_weights=dict(vcr=0.1, ffp=0.8, prp=1.0),
    normalizer=dict(type='MinMaxNormalizer'))
"""


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    """Two synthetic test videos of 30 32-px frames, their labels (one .npy a video), a
    tiny config and a random-weight checkpoint."""
    root = tmp_path_factory.mktemp('detect_report')
    data = root / 'data'
    generate_synthetic_dataset(str(data), num_train=1, num_test=2, num_frames=FRAMES, size=32)
    config = root / 'tiny.py'
    config.write_text(CONFIG.format(base="'" + str(REPO / 'configs' / '_base_'), clip=CLIP,
                                    root=data))
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(str(config)).model)
    ckpt = root / 'tiny.pth'
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, ckpt)
    labels = np.load(data / 'ground_truth' / 'frame_labels_synthetic.npy')[0]
    gt = root / 'labels'
    gt.mkdir()
    for k, name in enumerate(('01', '02')):
        np.save(gt / f'{name}.npy', labels[k * FRAMES:(k + 1) * FRAMES].astype(np.uint8))
    return dict(config=str(config), checkpoint=str(ckpt), videos=data / 'testing' / 'frames',
                labels=gt, root=root)


def page_data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html,
                  re.S)
    return json.loads(m.group(1))


def assert_offline_page(html: str) -> None:
    """Nothing the page shows is fetched: no external script, style, image or link."""
    assert not re.search(r'(src|href)\s*=\s*["\']?\s*(https?:)?//', html, re.I)
    assert '<link' not in html and '@import' not in html and 'url(' not in html
    assert html.count('<script') == 2  # the data and the inline drawing script


def decoded(uri: str) -> np.ndarray:
    assert uri.startswith('data:image/jpeg;base64,')
    raw = np.frombuffer(base64.b64decode(uri.split(',', 1)[1]), np.uint8)
    image = cv2.imdecode(raw, cv2.IMREAD_COLOR)
    assert image is not None and image.shape[1] <= 160
    return image


def check_events_and_frames(data: dict, out: Path, names) -> int:
    """The page's events are those of each video's events.json; each event's peak frame is
    embedded with its heat map; only frames around peaks are embedded."""
    rows = 0
    for name in names:
        with open(out / name / 'events.json') as f:
            saved = json.load(f)['events']
        shown = [e for e in data['events'] if e['video'] == name]
        assert [(e['start'], e['end'], e['peak']) for e in shown] == \
            [(e['start_frame'], e['end_frame'], e['peak_frame']) for e in saved]
        np.testing.assert_allclose([e['peak_score'] for e in shown],
                                   [e['peak_score'] for e in saved], atol=1e-4)
        rows += len(shown)
        thumbs, heats = data['thumbnails'].get(name, {}), data['heatmaps'].get(name, {})
        for e in shown:
            frame, heat = decoded(thumbs[str(e['peak'])]), decoded(heats[str(e['peak'])])
            assert frame.shape == heat.shape and not np.array_equal(frame, heat)
        peaks = [e['peak'] for e in shown] or [None]
        if peaks[0] is not None:
            near = {p + d for p in peaks for d in range(-6, 7)}
            assert {int(f) for f in thumbs} <= near
    return rows


def test_offline_report(tiny, tmp_path, capsys):
    out = tmp_path / 'out'
    assert vadkit(['detect', tiny['config'], tiny['checkpoint'], str(tiny['videos']),
                   '--out-dir', str(out), '--quiet', '--threshold', '0.9', '--labels',
                   str(tiny['labels']), '--report', '--no-plot']) == 0
    printed = capsys.readouterr().out
    page = out / 'report.html'
    assert f'report: {page}' in printed and ' MB)' in printed
    html = page.read_text(encoding='utf-8')
    assert_offline_page(html)
    data = page_data(html)
    assert data['kind'] == 'detect' and data['threshold']['value'] == 0.9
    assert [v['name'] for v in data['videos']] == ['01', '02']
    for text in ('tiny.pth', 'tiny.py', 'offline (each video rescaled', 'given with --threshold',
                 'score weights', str(tiny['labels'])):
        assert text in html, text
    # the colours of the PNG plots: fused black, each task its TASK_COLORS colour
    from matplotlib.colors import to_hex

    from vadkit.visualization.score_plots import TASK_COLORS
    assert data['colors'] == {n: to_hex(TASK_COLORS[n]) for n in ('vcr', 'ffp', 'prp')}
    for i, video in enumerate(data['videos']):
        name = video['name']
        with open(out / name / 'scores.json') as f:
            scores = json.load(f)
        scored = [k for k, s in enumerate(scores['scored']) if s]
        assert f'id="video-{i}"' in html and video['num_frames'] == FRAMES
        assert video['frames'] == scored and len(video['fused']) == len(scored)
        np.testing.assert_allclose(video['fused'], [scores['score'][k] for k in scored],
                                   atol=1e-4)
        assert set(video['tasks']) == {'vcr', 'ffp', 'prp'}
        assert all(len(values) == len(scored) for values in video['tasks'].values())
        labels = np.load(tiny['labels'] / f'{name}.npy')
        assert video['labels'] == labels[scored].tolist()  # the shading's frames
    assert any(any(v['labels']) for v in data['videos'])
    assert data['has_labels'] and data['videos'][0]['auroc'] is not None
    rows = check_events_and_frames(data, out, ['01', '02'])
    assert rows and len(re.findall(r'<tr class="event-row"', html)) == rows
    assert 'heat maps embedded' in html


def test_report_path_and_no_threshold(tiny, tmp_path):
    """--report PATH; no threshold: no event, no line, each video's top frame embedded."""
    page = tmp_path / 'pages' / 'run.html'
    assert vadkit(['detect', tiny['config'], tiny['checkpoint'],
                   str(tiny['videos'] / '02'), '--out-dir', str(tmp_path / 'out'), '--quiet',
                   '--report', str(page), '--no-plot']) == 0  # no calibration file
    html = page.read_text(encoding='utf-8')
    data = page_data(html)
    assert data['threshold']['value'] is None and data['events'] == []
    assert 'no events' in html and 'No event' in html
    assert not any(any(v['labels']) for v in data['videos'])  # no --labels, no shading
    video = data['videos'][0]
    top = video['frames'][int(np.argmax(video['fused']))]
    assert str(top) in data['thumbnails']['02'] and str(top) in data['heatmaps']['02']


def test_stream_report(tiny, tmp_path):
    video = tmp_path / 'cam.avi'
    frames = [cv2.imread(str(p), cv2.IMREAD_GRAYSCALE)
              for p in sorted((tiny['videos'] / '01').glob('*.png'))]
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*'MJPG'), 10.0, (32, 32), False)
    for f in frames:
        writer.write(f)
    writer.release()
    out = tmp_path / 'live'
    assert vadkit(['detect', tiny['config'], tiny['checkpoint'], str(video), '--stream',
                   '--causal-norm', 'running', '--running-window', '12', '--running-warmup',
                   '3', '--threshold', '0.5', '--out-dir', str(out), '--quiet', '--labels',
                   str(tiny['labels'] / '01.npy'), '--report']) == 0
    html = (out / 'report.html').read_text(encoding='utf-8')
    assert_offline_page(html)
    data = page_data(html)
    assert 'streaming (frames scored as they arrive' in html
    [v] = data['videos']
    with open(out / 'cam' / 'scores.csv') as f:
        rows = [r for r in csv.DictReader(f) if r['scored'] == '1']
    assert v['frames'] == [int(r['frame']) for r in rows]
    # the running normalizer's warm-up: scored windows, no fused score yet (a gap in the curve)
    assert [s is None for s in v['fused']] == [not r['score'] for r in rows]
    assert any(s is None for s in v['fused']) and any(s is not None for s in v['fused'])
    np.testing.assert_allclose([s for s in v['fused'] if s is not None],
                               [float(r['score']) for r in rows if r['score']], atol=1e-4)
    assert any(v['labels'])
    assert check_events_and_frames(data, out, ['cam']) > 0


@pytest.mark.skipif(not any(shutil.which(b) for b in ('chromium', 'chromium-browser',
                                                        'google-chrome')),
                    reason='no Chromium binary')
def test_detect_report_in_a_browser(tiny, tmp_path):
    out = tmp_path / 'out'
    assert vadkit(['detect', tiny['config'], tiny['checkpoint'], str(tiny['videos']),
                   '--out-dir', str(out), '--quiet', '--threshold', '0.9', '--labels',
                   str(tiny['labels']), '--report', '--no-plot']) == 0
    done = subprocess.run([sys.executable, 'tools/analysis/check_report_in_browser.py',
                           str(out)], cwd=REPO, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    assert 'OK: 2 videos' in done.stdout
    assert osp.isfile(out / 'report.html')


def test_unwritable_report_path_is_refused_before_scoring(tiny, tmp_path, capsys):
    blocker = tmp_path / 'a_file'
    blocker.write_text('not a folder')
    assert vadkit(['detect', tiny['config'], tiny['checkpoint'], str(tiny['videos']),
                   '--out-dir', str(tmp_path / 'out'), '--report',
                   str(blocker / 'report.html')]) == 2
    err = capsys.readouterr().err
    assert 'error: --report' in err and 'cannot make its folder' in err
    assert not (tmp_path / 'out').exists()  # refused before anything was scored
