"""The command line: vadkit detect/calibrate/export/test through vadkit.cli, in-process."""
import csv
import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from synthetic_videos import HEADER, read_frames, truncate, write_video
from tiny_detector import L, T

from vadkit.cli import main as vadkit


def read_csv(path) -> list:
    with open(path) as f:
        return list(csv.DictReader(f))


def event_frames(path) -> list:
    with open(path) as f:
        return [(e['start_frame'], e['end_frame']) for e in json.load(f)['events']]


def test_cli_help_and_unknown_command(capsys):
    assert vadkit(['--help']) == 0
    out = capsys.readouterr().out
    assert all(c in out for c in ('train', 'test', 'detect', 'calibrate', 'export'))
    assert vadkit(['detcet']) == 2
    assert 'Did you mean: detect' in capsys.readouterr().err


def test_detect_matches_tools_test(tiny, tmp_path):
    """Offline per-frame scores of detect equal frame_scores.csv of tools/test.py."""
    test_out = tmp_path / 'test'
    assert vadkit(['test', tiny.config, tiny.checkpoint, '--work-dir', str(tmp_path / 'w'),
                   '--out-dir', str(test_out)]) == 0
    ref = read_csv(test_out / 'frame_scores.csv')
    det_out = tmp_path / 'detect'
    assert vadkit(['detect', tiny.config, tiny.checkpoint, str(tiny.test_dir), '--out-dir',
                   str(det_out), '--quiet', '--threshold', '0.5']) == 0
    for video in ('01', '02'):
        want = [r for r in ref if r['video'] == video]
        got = [r for r in read_csv(det_out / video / 'scores.csv') if r['scored'] == '1']
        assert [int(r['frame']) for r in got] == [int(r['frame']) for r in want]
        for col in ('raw_vcr', 'raw_ffp', 'raw_prp', 'normalized_ffp', 'score'):
            np.testing.assert_allclose([float(r[col]) for r in got],
                                       [float(r[col]) for r in want], rtol=2e-5, atol=1e-8)
        unscored = [r for r in read_csv(det_out / video / 'scores.csv') if r['scored'] == '0']
        assert len(unscored) == T and all(r['score'] == '' for r in unscored)


def test_calibrate_and_detect_outputs(tiny, tmp_path, capsys):
    ckpt = str(tmp_path / 'model.pth')
    shutil.copy(tiny.checkpoint, ckpt)
    assert vadkit(['calibrate', tiny.config, ckpt, '--percentile', '90', '--holdout-videos',
                   '1', '--quiet']) == 0
    assert 'calibration written to' in capsys.readouterr().out
    with open(ckpt + '.calib.json') as f:
        cal = json.load(f)
    assert cal['percentile'] == 90 and [v['name'] for v in cal['videos']] == ['02']
    # a folder holding a video file and a frame folder
    inputs = tmp_path / 'inputs'
    inputs.mkdir()
    shutil.copy(tiny.video, inputs / 'cam.avi')
    shutil.copytree(tiny.test_dir / '02', inputs / 'seq02')
    out = tmp_path / 'out'
    assert vadkit(['detect', tiny.config, ckpt, str(inputs), '--out-dir', str(out),
                   '--video-out', '--quiet', '--fps', '5']) == 0
    for name in ('cam', 'seq02'):
        d = out / name
        for f in ('scores.csv', 'scores.json', 'events.json', 'scores.png', 'annotated.mp4'):
            assert (d / f).stat().st_size > 0, f
        with open(d / 'events.json') as f:
            events = json.load(f)
        assert events['threshold'] == pytest.approx(cal['modes']['offline']['threshold'])
        assert events['fps'] == 5
        cap = cv2.VideoCapture(str(d / 'annotated.mp4'))
        assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 30
        ok, frame = cap.read()
        assert ok and frame.shape[1] == 320  # 32 px frames shown 10x, with a score strip
        with open(d / 'scores.json') as f:
            scores = json.load(f)
        assert scores['score'][:T] == [None] * T and len(scores['score']) == 30
    with open(out / 'summary.json') as f:
        summary = json.load(f)
    assert [v['name'] for v in summary['videos']] == ['cam', 'seq02']
    # --percentile picks another calibrated quantile; --threshold overrides calibration
    assert vadkit(['detect', tiny.config, ckpt, str(inputs / 'seq02'), '--out-dir',
                   str(tmp_path / 'p'), '--percentile', '50', '--quiet', '--no-plot']) == 0
    with open(tmp_path / 'p' / 'seq02' / 'events.json') as f:
        p50 = json.load(f)['threshold']
    assert p50 < cal['modes']['offline']['threshold']
    assert vadkit(['detect', tiny.config, ckpt, str(inputs / 'seq02'), '--out-dir',
                   str(tmp_path / 't'), '--threshold', '0.25', '--quiet', '--no-plot']) == 0
    with open(tmp_path / 't' / 'seq02' / 'events.json') as f:
        assert json.load(f)['threshold_source'] == 'fixed'


def test_stream_equals_offline_causal(tiny, tmp_path, capsys):
    ckpt = str(tmp_path / 'model.pth')
    shutil.copy(tiny.checkpoint, ckpt)
    assert vadkit(['calibrate', tiny.config, ckpt, '--percentile', '60', '--quiet']) == 0
    common = [tiny.config, ckpt, tiny.video, '--quiet', '--merge-gap', '1']
    # one window a batch, as the stream: the same kernels, the same raw scores to the bit
    # (batches round otherwise on some CPUs, which the tiny model's z-scores stretch)
    assert vadkit(['detect', *common, '--out-dir', str(tmp_path / 'off'), '--mode',
                   'causal', '--batch-size', '1']) == 0
    capsys.readouterr()
    assert vadkit(['detect', *common, '--out-dir', str(tmp_path / 'live'), '--stream',
                   '--video-out']) == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()
               if line.startswith('{')]
    offline = event_frames(tmp_path / 'off' / 'test01' / 'events.json')
    assert offline, 'a 60th-percentile threshold flags some frames'
    assert event_frames(tmp_path / 'live' / 'test01' / 'events.json') == offline
    assert [(e['start_frame'], e['end_frame']) for e in printed] == offline
    with open(tmp_path / 'live' / 'test01' / 'events.jsonl') as f:
        assert len(f.readlines()) == len(offline)
    live = read_csv(tmp_path / 'live' / 'test01' / 'scores.csv')
    off = [r for r in read_csv(tmp_path / 'off' / 'test01' / 'scores.csv') if r['scored'] == '1']
    np.testing.assert_allclose([float(r['score']) for r in live],
                               [float(r['score']) for r in off], rtol=1e-5, atol=1e-6)
    assert (tmp_path / 'live' / 'test01' / 'annotated.mp4').stat().st_size > 0


def test_cli_errors(tiny, tmp_path, capsys):
    bad = tmp_path / 'bad.mp4'
    bad.write_bytes(b'\x00' * 4096)
    assert vadkit(['detect', tiny.config, tiny.checkpoint, str(bad), '--out-dir',
                   str(tmp_path / 'o'), '--quiet']) == 2
    assert 'cannot open video' in capsys.readouterr().err
    short = write_video(tmp_path / 'short.avi', read_frames(tiny.test_dir / '01')[:2])
    assert vadkit(['detect', tiny.config, tiny.checkpoint, short, '--out-dir',
                   str(tmp_path / 'o'), '--quiet']) == 2
    assert f'fewer than the {L} frames' in capsys.readouterr().err
    assert vadkit(['detect', tiny.config, tiny.checkpoint, str(tmp_path / 'nope'),
                   '--out-dir', str(tmp_path / 'o')]) == 2
    assert 'does not exist' in capsys.readouterr().err
    assert vadkit(['detect', tiny.config, tiny.checkpoint, short, '--stream', '--causal-norm',
                   'calibration', '--calibration', str(tmp_path / 'none.json')]) == 2
    assert 'calibrate.py' in capsys.readouterr().err
    other = Path(tiny.config).read_text().replace('widths=(4, 8, 8, 8)', 'widths=(4, 8, 8, 16)')
    (tmp_path / 'other.py').write_text(other)
    assert vadkit(['detect', str(tmp_path / 'other.py'), tiny.checkpoint, short]) == 2
    err = capsys.readouterr().err
    assert 'does not match the model of config' in err and 'shape mismatch' in err


def test_export_cli(tiny, tmp_path, capsys):
    out = str(tmp_path / 'model.pt')
    assert vadkit(['export', tiny.config, tiny.checkpoint, '--format', 'torchscript',
                   '--out', out]) == 0
    text = capsys.readouterr().out
    assert 'max relative diff vs PyTorch' in text and 'OK' in text
    with open(out + '.json') as f:
        meta = json.load(f)
    assert meta['score_names'] == ['vcr', 'ffp', 'prp'] and meta['window_length'] == L


@pytest.mark.parametrize('tool,args,message', [
    ('detect', ['--threshold', 'nan'], '--threshold: must be a finite number, got nan'),
    ('detect', ['--threshold', 'inf'], '--threshold: must be a finite number, got inf'),
    ('detect', ['--percentile', '101'], '--percentile: must be a percentile in [0, 100], got'),
    ('detect', ['--fps', '-10'], '--fps: must be a finite number of frames per second > 0, '
     'got -10'),
    ('detect', ['--fps', '0'], '--fps: must be a finite number of frames per second > 0'),
    ('detect', ['--fps', 'nan'], '--fps: must be a finite number of frames per second > 0'),
    ('detect', ['--min-event-frames', '-3'], '--min-event-frames: must be a whole number >= 1 '
     '(frames), got -3'),
    ('detect', ['--min-event-frames', '1.5'], '--min-event-frames: must be a whole number'),
    ('detect', ['--merge-gap', '-1'], '--merge-gap: must be a whole number >= 0 (frames)'),
    ('detect', ['--max-frames', '0'], '--max-frames: must be a whole number >= 1 (frames)'),
    ('detect', ['--batch-size', '0'], '--batch-size: must be a whole number >= 1 (windows)'),
    ('detect', ['--running-window', '1'], '--running-window: must be a whole number >= 2'),
    ('detect', ['--running-warmup', '0'], '--running-warmup: must be a whole number >= 2'),
    ('detect', ['--causal-norm', 'running', '--running-window', '10', '--running-warmup',
                '20'], '--running-warmup: must be at most --running-window (10), got 20'),
    ('calibrate', ['--percentile', '0'], '--percentile: must be a percentile in (0, 100]'),
    ('calibrate', ['--percentile', 'nan'], '--percentile: must be a percentile in (0, 100]'),
    ('calibrate', ['--holdout-videos', '0'], '--holdout-videos: must be a whole number >= 1'),
    ('calibrate', ['--fps', '-1'], '--fps: must be a finite number of frames per second > 0'),
    ('calibrate', ['--batch-size', '-2'], '--batch-size: must be a whole number >= 1'),
    ('calibrate', ['--running-window', '10'], '--running-warmup: must be at most '
     '--running-window (10), got 50'),
])
def test_bad_numeric_options(tool, args, message, capsys):
    """Refused while parsing (argparse's usage error, exit 2), in the option's terms."""
    assert vadkit([tool, 'config.py', 'model.pth', *(['in.mp4'] if tool == 'detect' else []),
                   *args]) == 2
    err = capsys.readouterr().err
    assert f'error: argument {message}' in err and 'usage:' in err


def test_detect_and_calibrate_record_truncated_video(tiny, tmp_path, capsys):
    """A truncated MJPG .avi: warned, and its counts in detect's and calibrate's outputs."""
    frames = read_frames(tiny.test_dir / '01')
    videos = tmp_path / 'videos'
    videos.mkdir()
    cut = write_video(videos / 'cut.avi', (frames * 2)[:HEADER])
    decoded = truncate(cut)
    out = tmp_path / 'off'
    common = ['--quiet', '--no-plot', '--threshold', '0.5']
    assert vadkit(['detect', tiny.config, tiny.checkpoint, cut, '--out-dir', str(out),
                   *common]) == 0
    captured = capsys.readouterr()
    assert f'warning: video {cut}: only {decoded} of the {HEADER} frames its header ' \
        'declares decode' in captured.err
    assert f'WARNING: its header declares {HEADER} frames, only {decoded} decoded' in \
        captured.out
    want = dict(decoded_frames=decoded, header_frames=HEADER, frames_short=HEADER - decoded)
    with open(out / 'summary.json') as f:
        entry = json.load(f)['videos'][0]
    assert {k: entry[k] for k in want} == want
    with open(out / 'cut' / 'scores.json') as f:
        assert {k: v for k, v in json.load(f).items() if k in want} == want
    # read as a stream (running normalizer: no calibration needed)
    live = tmp_path / 'live'
    assert vadkit(['detect', tiny.config, tiny.checkpoint, cut, '--out-dir', str(live),
                   '--stream', '--causal-norm', 'running', '--running-warmup', '2',
                   '--running-window', '8', *common]) == 0
    captured = capsys.readouterr()
    assert f'only {decoded} of the {HEADER} frames' in captured.err
    with open(live / 'summary.json') as f:
        entry = json.load(f)['videos'][0]
    assert {k: entry[k] for k in want} == want
    # a stream stopped early is not called short
    assert vadkit(['detect', tiny.config, tiny.checkpoint, cut, '--out-dir', str(live),
                   '--stream', '--causal-norm', 'running', '--running-warmup', '2',
                   '--running-window', '8', '--max-frames', '10', *common]) == 0
    assert 'frames its header declares' not in capsys.readouterr().err
    with open(live / 'summary.json') as f:
        assert json.load(f)['videos'][0]['frames_short'] == 0
    # calibration on normal videos, one of them truncated
    shutil.copy(tiny.video, videos / 'whole.avi')
    ckpt = str(tmp_path / 'model.pth')
    shutil.copy(tiny.checkpoint, ckpt)
    assert vadkit(['calibrate', tiny.config, ckpt, '--videos', str(videos), '--quiet',
                   '--running-warmup', '2', '--running-window', '8']) == 0
    captured = capsys.readouterr()
    assert f'only {decoded} of the {HEADER} frames' in captured.err
    assert f'WARNING: {cut}: its header declares {HEADER} frames' in captured.out
    with open(ckpt + '.calib.json') as f:
        cal = {v['name']: v for v in json.load(f)['videos']}
    assert (cal['cut']['header_frames'], cal['cut']['frames_short']) == (HEADER,
                                                                        HEADER - decoded)
    assert cal['whole']['frames_short'] == 0


def test_detect_fps_note(tiny, tmp_path, capsys):
    """A frame folder tells no frame rate: 25 fps, said; --fps sets it."""
    folder = str(tiny.test_dir / '02')
    args = [tiny.config, tiny.checkpoint, folder, '--quiet', '--no-plot', '--threshold', '0.5']
    assert vadkit(['detect', *args, '--out-dir', str(tmp_path / 'a')]) == 0
    assert 'tells no frame rate: event times assume 25 fps' in capsys.readouterr().err
    assert vadkit(['detect', *args, '--out-dir', str(tmp_path / 'b'), '--fps', '5']) == 0
    assert 'tells no frame rate' not in capsys.readouterr().err
    with open(tmp_path / 'b' / '02' / 'events.json') as f:
        assert json.load(f)['fps'] == 5


def test_detection_runs_give_the_reliability_of_their_scores(tiny, tmp_path, capsys):
    """score_reliability.py reads detection runs of unlabelled videos: the same frames and
    rescaled scores as the test run's, and two detections of one model agree fully."""
    from tool_modules import load_tool

    from vadkit.evaluation import FrameScores
    test_out = tmp_path / 'test'
    assert vadkit(['test', tiny.config, tiny.checkpoint, '--work-dir', str(tmp_path / 'w'),
                   '--out-dir', str(test_out)]) == 0
    dirs = []
    for k in range(2):
        dirs.append(str(tmp_path / f'detect{k}'))
        assert vadkit(['detect', tiny.config, tiny.checkpoint, str(tiny.test_dir),
                       '--out-dir', dirs[-1], '--quiet', '--no-plot']) == 0
    tested = FrameScores.load(str(test_out))
    detected = FrameScores.from_detection(dirs[0])
    assert detected.video_names == tested.video_names
    built = tested.normalizers()
    for i in range(len(tested.video_names)):
        np.testing.assert_array_equal(detected.frames[i], tested.frames[i])
        assert not detected.labels[i].any()
        for n in ('vcr', 'ffp', 'prp'):
            np.testing.assert_allclose(detected.raw[i][n], built[n](tested.raw[i][n]),
                                       rtol=2e-5, atol=1e-6)
    tool = load_tool('analysis/score_reliability')
    result = tool.main(dirs)
    assert all(r['mean'] == pytest.approx(1.0) for r in result['reliability'].values())
    (tmp_path / 'broken').mkdir()
    (tmp_path / 'broken' / 'summary.json').write_text('{"videos": [{"name": "01"}]}')
    with pytest.raises(tool.ReliabilityError, match='scores.json'):
        tool.main([dirs[0], str(tmp_path / 'broken')])
