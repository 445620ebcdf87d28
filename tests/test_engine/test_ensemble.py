"""Ensembles of short runs (``ensemble = dict(members=K)``): members are the runs of their
seeds, the ensemble's figures are the re-scoring of the members' files, and a rerun with
``--resume`` keeps what was finished."""
import json
import os
import os.path as osp
import re
import shutil

import numpy as np
import pytest
import torch
from mmengine.config import Config
from tiny_detector import TINY_SYNTHETIC_CONFIG

from vadkit.engine.ensemble import (
    EnsembleConfigError,
    ensemble_members,
    member_seeds,
    train_ensemble,
)
from vadkit.evaluation import FrameScores

ROBUST = 'test_evaluator.compare_normalizers.robust.type=RobustNormalizer'
VCR_ONLY = 'test_evaluator.compare_weights.vcronly.vcr=1.0'


def test_members_of_two_seeds_never_share_a_seed():
    assert member_seeds(0, 4) == [0, 1, 2, 3]
    assert member_seeds(1, 4) == [4, 5, 6, 7]
    assert member_seeds(3, 2) == [6, 7]


@pytest.mark.parametrize('ensemble, words', [
    (dict(members=0), 'integer >= 1'),
    (dict(members='four'), 'integer >= 1'),
    (dict(members=2, seeds=[1, 2]), "unknown key(s) ['seeds']"),
    (4, 'dict(members=4)'),
    (dict(members=2, score_weights='alphas'), "one of ['reliability']"),
    (dict(members=1, score_weights='reliability'), 'members >= 2'),
])
def test_a_wrong_ensemble_setting_is_refused_with_the_form_to_write(ensemble, words):
    with pytest.raises(EnsembleConfigError, match=re.escape(words)):
        ensemble_members(Config(dict(ensemble=ensemble)))


def test_a_checkpoint_path_is_refused_before_training(tmp_path):
    cfg = Config.fromfile(TINY_SYNTHETIC_CONFIG)
    cfg.work_dir, cfg.ensemble = str(tmp_path / 'w'), dict(members=2)
    with pytest.raises(EnsembleConfigError, match='without a path'):
        train_ensemble(cfg, resume='epoch_1.pth')
    assert not osp.exists(cfg.work_dir)


def _weights(path):
    return torch.load(path, map_location='cpu', weights_only=True)['state_dict']


@pytest.fixture(scope='module')
def ensemble_run(tmp_path_factory):
    """The tiny config as an ensemble of 2 one-epoch members (seed 1: members 2 and 3)."""
    from vadkit.cli import main
    tmp = tmp_path_factory.mktemp('ensemble')
    data, work = str(tmp / 'data'), str(tmp / 'work')
    os.makedirs(data)  # the synthetic videos are generated in it
    args = ['train', TINY_SYNTHETIC_CONFIG, '--data-root', data, '--work-dir', work, '--test',
            '--cfg-options', 'ensemble.members=2', 'train_cfg.max_epochs=1',
            'randomness.seed=1', ROBUST, VCR_ONLY]
    environ = dict(os.environ)
    try:
        assert main(args) == 0
    finally:
        os.environ.clear()
        os.environ.update(environ)
    return dict(data=data, work=work, args=args)


def test_members_are_the_single_runs_of_their_seeds(ensemble_run, vadkit_command, tmp_path):
    work = ensemble_run['work']
    with open(osp.join(work, 'ensemble.json')) as f:
        info = json.load(f)
    assert [m['seed'] for m in info['members']] == [2, 3]
    code, _, err = vadkit_command('train', TINY_SYNTHETIC_CONFIG, '--data-root',
                                  ensemble_run['data'], '--work-dir', tmp_path / 'single',
                                  '--cfg-options', 'train_cfg.max_epochs=1',
                                  'randomness.seed=3')
    assert code == 0, err
    single = _weights(tmp_path / 'single' / 'epoch_1.pth')
    member = _weights(osp.join(work, 'member1', 'epoch_1.pth'))
    other = _weights(osp.join(work, 'member0', 'epoch_1.pth'))
    assert all(torch.equal(single[k], member[k]) for k in single)
    assert not all(torch.equal(single[k], other[k]) for k in single)


def test_ensemble_figures_are_the_rescoring_of_the_members_files(ensemble_run):
    work = ensemble_run['work']
    with open(osp.join(work, 'metrics.json')) as f:
        metrics = json.load(f)
    runs = [FrameScores.load(osp.join(work, f'member{i}')) for i in range(2)]
    fused = FrameScores.average(runs).evaluate().metrics
    assert metrics['micro_auroc'] == pytest.approx(fused['micro_auroc'], abs=1e-12)
    assert metrics['prp_micro_auroc'] == pytest.approx(fused['prp_micro_auroc'], abs=1e-12)
    robust = dict(type='RobustNormalizer')
    other = FrameScores.average(runs, normalizer=robust, normalizers={}).evaluate(
        normalizer=robust, normalizers={}).metrics
    assert metrics['micro_auroc_robust'] == pytest.approx(other['micro_auroc'], abs=1e-12)
    vcr_only = FrameScores.average(runs).evaluate(dict(vcr=1.0)).metrics
    assert metrics['micro_auroc_vcronly'] == pytest.approx(vcr_only['micro_auroc'], abs=1e-12)
    assert metrics['micro_auroc_vcronly'] == pytest.approx(metrics['vcr_micro_auroc'], abs=1e-12)
    # the ensemble's own frame scores re-score to its headline
    again = FrameScores.load(work).evaluate().metrics
    assert again['micro_auroc'] == pytest.approx(metrics['micro_auroc'], abs=1e-12)


def test_resume_keeps_finished_members_and_finishes_the_others(ensemble_run, capsys):
    from vadkit.cli import main
    work = ensemble_run['work']
    with open(osp.join(work, 'metrics.json')) as f:
        before = json.load(f)
    kept = osp.join(work, 'member0', 'epoch_1.pth')
    stamp = os.stat(kept).st_mtime_ns
    # member 1 stopped after training, before its test ended
    os.remove(osp.join(work, 'member1', 'metrics.json'))
    # the kept member ran beside another job, on 1 thread: the ensemble says so
    kept_machine = osp.join(work, 'member0', 'machine.json')
    with open(kept_machine) as f:
        machine = json.load(f)
    with open(kept_machine, 'w') as f:
        json.dump(dict(machine, torch_threads=1), f)
    environ = dict(os.environ)
    try:
        assert main(ensemble_run['args'] + ['--resume']) == 0
    finally:
        os.environ.clear()
        os.environ.update(environ)
    out = capsys.readouterr().out
    assert 'member 1/2 (seed 2): done before, kept' in out
    assert 'member 2/2 (seed 3): training' in out
    assert os.stat(kept).st_mtime_ns == stamp
    with open(osp.join(work, 'metrics.json')) as f:
        after = json.load(f)
    assert after['micro_auroc'] == before['micro_auroc']
    from vadkit.utils.machine import thread_counts
    with open(osp.join(work, 'member1', 'machine.json')) as f:
        retrained = thread_counts(json.load(f))
    with open(osp.join(work, 'machine.json')) as f:
        ensemble = thread_counts(json.load(f))
    assert ensemble == sorted({1, *retrained})
    assert f"{' and '.join(map(str, ensemble))} thread" in out.split('ensemble of 2')[-1]


def test_detection_with_the_ensembles_work_dir_gives_its_test_scores(ensemble_run, tmp_path):
    """Detection given the ensemble's work dir rescales each member per video and averages,
    as the ensemble's test did: the same fused score on every frame of every test video."""
    import numpy as np

    from vadkit.apis import AnomalyDetector, InputError
    det = AnomalyDetector(TINY_SYNTHETIC_CONFIG, ensemble_run['work'], calibration=None,
                          cfg_options={'test_evaluator.compare_normalizers': None})
    assert len(det.member_checkpoints) == 2
    test = np.load(osp.join(ensemble_run['work'], 'frame_scores.npz'))
    names = [str(v) for v in test['video_names']]
    for k, name in enumerate(names):
        res = det.score_video(osp.join(ensemble_run['data'], 'testing', 'frames', name))
        rows = test['video_idx'] == k
        np.testing.assert_array_equal(np.flatnonzero(res.mask), test['frame_idx'][rows])
        # float32 rounding (the test folds BatchNorm, the thread count may differ), which a
        # video's min-max can stretch: on one thread an Intel Xeon differed by 3.7e-6
        np.testing.assert_allclose(res.scores[res.mask], test['score'][rows], rtol=1e-5,
                                   atol=1e-5)
    # calibrated like one model: the threshold of its offline scores on normal videos
    from vadkit.apis import calibrate, holdout_sources
    cal = calibrate(det, holdout_sources(det.cfg, 1), percentile=95)
    assert np.isfinite(cal.threshold('offline'))
    from vadkit.apis import ExportError, export_model
    with pytest.raises(ExportError, match='is an ensemble'):
        export_model(det, str(tmp_path / 'model.pt'))
    # one pass over the frames: each batch of windows goes to every member as soon as it
    # is full, so no more than a window and a batch of frames are read ahead of scoring
    frames = list(_source(ensemble_run, names[0]).frames())
    read, seen = [0], []

    def counted():
        for f in frames:
            read[0] += 1
            yield f

    for k, scorer in enumerate(det.member_scorers):
        score_windows = scorer.score_windows

        def recording(windows, error_maps=False, k=k, score_windows=score_windows):
            seen.append((k, read[0], len(windows)))
            return score_windows(windows, error_maps)

        scorer.score_windows = recording
    streamed = det.raw_scores(counted(), batch_size=2)
    assert [k for k, _, _ in seen[:4]] == [0, 1, 0, 1]
    assert max(r for _, r, _ in seen[:2]) == det.window_length + 1 < len(frames)
    again = det.raw_scores(frames, batch_size=2)  # the same batches: the same rounding
    np.testing.assert_array_equal(streamed.scores['prp'], again.scores['prp'])
    # one member alone scores otherwise
    one = AnomalyDetector(TINY_SYNTHETIC_CONFIG, det.member_checkpoints[0], calibration=None)
    res = one.score_video(osp.join(ensemble_run['data'], 'testing', 'frames', names[0]))
    assert not np.allclose(res.scores[res.mask], test['score'][test['video_idx'] == 0])
    with pytest.raises(ValueError, match="is an ensemble.*mode='offline'"):
        AnomalyDetector(TINY_SYNTHETIC_CONFIG, ensemble_run['work'], mode='causal')
    with pytest.raises(ValueError, match='offline\\) only'):
        det.streaming()
    # a member without its checkpoint: one clear error naming it
    broken = tmp_path / 'broken'
    os.makedirs(broken / 'member0')
    (broken / 'ensemble.json').write_text(json.dumps(dict(members=[dict(seed=0)])))
    with pytest.raises(InputError, match=r'member 0 of the ensemble .* has no checkpoint'):
        AnomalyDetector(TINY_SYNTHETIC_CONFIG, str(broken), calibration=None)


def test_an_ensemble_fuses_with_the_reliability_its_members_measure(ensemble_run, tmp_path,
                                                                   capsys):
    """``ensemble.score_weights='reliability'``: the headline fuses with each score's
    reliability across the members (no label read), the config's weights are reported
    beside it, and detection with the work dir fuses as the test did."""
    from vadkit.apis import AnomalyDetector
    from vadkit.cli import main
    from vadkit.evaluation.score_reliability import reliability_weights, score_reliability
    work = str(tmp_path / 'work')
    shutil.copytree(ensemble_run['work'], work)
    with open(osp.join(work, 'metrics.json')) as f:
        before = json.load(f)
    args = [a if a != ensemble_run['work'] else work for a in ensemble_run['args']]
    environ = dict(os.environ)
    try:  # the members' tests ended: kept, and the ensemble re-scored with its own weights
        assert main(args + ['--resume', '--cfg-options',
                            'ensemble.score_weights=reliability']) == 0
    finally:
        os.environ.clear()
        os.environ.update(environ)
    out = capsys.readouterr().out
    assert 'fusion weights measured across the members' in out
    runs = [FrameScores.load(osp.join(work, f'member{i}')) for i in range(2)]
    expected = reliability_weights(score_reliability(runs, ['vcr', 'ffp', 'prp']))
    assert expected != {'vcr': 0.1, 'ffp': 0.8, 'prp': 1.0}
    with open(osp.join(work, 'ensemble.json')) as f:
        info = json.load(f)
    assert info['score_weights'] == expected
    assert set(info['reliability']) == {'vcr', 'ffp', 'prp'}
    with open(osp.join(work, 'metrics.json')) as f:
        metrics = json.load(f)
    fused = FrameScores.average(runs).evaluate(expected).metrics['micro_auroc']
    assert metrics['micro_auroc'] == pytest.approx(fused, abs=1e-12)
    assert metrics['micro_auroc_config_weights'] == pytest.approx(before['micro_auroc'],
                                                                  abs=1e-12)
    assert metrics['micro_auroc_vcronly'] == before['micro_auroc_vcronly']
    saved = FrameScores.load(work)  # re-scoring the ensemble's file gives its headline
    assert saved.settings['score_weights'] == expected
    assert saved.evaluate().metrics['micro_auroc'] == pytest.approx(fused, abs=1e-12)
    det = AnomalyDetector(TINY_SYNTHETIC_CONFIG, work, calibration=None,
                          cfg_options={'test_evaluator.compare_normalizers': None})
    assert det.score_weights == expected
    test = np.load(osp.join(work, 'frame_scores.npz'))
    name = str(test['video_names'][0])
    res = det.score_video(osp.join(ensemble_run['data'], 'testing', 'frames', name))
    np.testing.assert_allclose(res.scores[res.mask], test['score'][test['video_idx'] == 0],
                               rtol=1e-5, atol=1e-5)


def test_a_compare_weights_label_that_clashes_is_refused_before_training(tmp_path):
    cfg = Config.fromfile(TINY_SYNTHETIC_CONFIG)
    cfg.work_dir = str(tmp_path / 'w')
    cfg.ensemble = dict(members=2, score_weights='reliability')
    cfg.test_evaluator['compare_weights'] = dict(config_weights=dict(vcr=1.0))
    with pytest.raises(EnsembleConfigError, match='another label'):
        train_ensemble(cfg, test=True)
    assert not osp.exists(cfg.work_dir)


def test_members_that_agree_on_no_score_are_refused_with_the_fix():
    from vadkit.engine.ensemble import members_reliability
    rng = np.random.default_rng(0)
    frames = [np.arange(8, 48)]

    def run(curve):
        return FrameScores(video_idx=[0], video_names=['01'], frames=frames,
                           labels=[np.zeros(40, dtype=np.int64)], raw=[dict(vcr=curve)],
                           score_names=['vcr'],
                           settings=dict(score_weights=dict(vcr=1.0),
                                         normalizer=dict(type='MinMaxNormalizer')))
    curve = rng.normal(size=40)
    weights, _ = members_reliability([run(curve), run(curve + 0.01)], ['vcr'])
    assert weights == {'vcr': 1.0}
    with pytest.raises(EnsembleConfigError, match='score_weights=None'):
        members_reliability([run(curve), run(-curve)], ['vcr'])


def _source(ensemble_run, name):
    from vadkit.apis.sources import open_source
    return open_source(osp.join(ensemble_run['data'], 'testing', 'frames', name))


def test_calibrate_and_detect_commands_with_the_ensembles_work_dir(ensemble_run, tmp_path,
                                                                  capsys):
    from vadkit.cli import main
    work = str(tmp_path / 'ensemble')  # a copy: the calibration file goes beside it
    shutil.copytree(ensemble_run['work'], work)
    assert main(['calibrate', TINY_SYNTHETIC_CONFIG, work, '--data-root',
                 ensemble_run['data'], '--percentile', '95', '--quiet']) == 0
    out = capsys.readouterr().out
    assert f'calibration written to {work}.calib.json' in out
    assert 'offline detection only' in out and 'causal ' not in out
    video = osp.join(ensemble_run['data'], 'testing', 'frames', '01')
    assert main(['detect', TINY_SYNTHETIC_CONFIG, work, video, '--out-dir',
                 str(tmp_path / 'det'), '--quiet']) == 0
    out = capsys.readouterr()
    assert f'calibration {work}.calib.json (offline mode' in out.out + out.err
    assert osp.isfile(tmp_path / 'det' / '01' / 'scores.csv')
    assert main(['detect', TINY_SYNTHETIC_CONFIG, work, video, '--mode', 'causal',
                 '--out-dir', str(tmp_path / 'det2')]) == 2
    assert "detect with mode='offline'" in capsys.readouterr().err


def test_a_calibration_made_for_other_member_checkpoints_is_warned_about(ensemble_run,
                                                                        tmp_path):
    """An ensemble's calibration is found by its work dir's path, which stays when the
    ensemble is retrained there: it records its members' checkpoint hashes, and, as for one
    checkpoint, a calibration made for other weights is used with a warning."""
    import glob
    import warnings

    from vadkit.apis import AnomalyDetector, calibrate, calibration_path, open_source
    from vadkit.apis.calibration import file_sha256
    work = str(tmp_path / 'ensemble')
    shutil.copytree(ensemble_run['work'], work)
    for pointer in glob.glob(osp.join(work, 'member*', 'last_checkpoint')):
        os.remove(pointer)  # it names the original's checkpoints: the copy's are used
    normal = [open_source(osp.join(ensemble_run['data'], 'training', 'frames', '01'))]
    det = AnomalyDetector(TINY_SYNTHETIC_CONFIG, work, calibration=None)
    assert det.member_checkpoints[0].startswith(work)
    cal = calibrate(det, normal, percentile=95)
    cal.save(calibration_path(work))
    assert cal.member_checkpoint_sha256 == [file_sha256(c) for c in det.member_checkpoints]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        AnomalyDetector(TINY_SYNTHETIC_CONFIG, work)
    assert not [w for w in caught if 'was made for other' in str(w.message)]
    # the ensemble retrained in its work dir: member 0 holds other weights now
    member0 = osp.join(work, 'member0', 'epoch_1.pth')
    shutil.copy(osp.join(work, 'member1', 'epoch_1.pth'), member0)
    with pytest.warns(UserWarning, match=r"made for other checkpoints of the ensemble's "
                      r'members .* rerun tools/calibrate.py'):
        det = AnomalyDetector(TINY_SYNTHETIC_CONFIG, work)
    assert det.threshold_source.startswith(f'calibration {work}.calib.json')
    # the same as for one checkpoint retrained in place
    one = AnomalyDetector(TINY_SYNTHETIC_CONFIG, member0, calibration=None)
    calibrate(one, normal, percentile=95).save(calibration_path(member0))
    shutil.copy(osp.join(ensemble_run['work'], 'member0', 'epoch_1.pth'), member0)
    with pytest.warns(UserWarning, match='made for another checkpoint'):
        AnomalyDetector(TINY_SYNTHETIC_CONFIG, member0)


def test_export_refuses_an_ensemble_before_loading_its_members(tmp_path, vadkit_command):
    """Export of an ensemble's work dir is refused before anything is loaded (it used to
    load every member first): members whose checkpoints cannot be read get the same
    refusal, not their read error."""
    work = tmp_path / 'ensemble'
    for i in range(2):
        (work / f'member{i}').mkdir(parents=True)
        (work / f'member{i}' / 'epoch_1.pth').write_bytes(b'never read')
    (work / 'ensemble.json').write_text(json.dumps(dict(members=[dict(seed=0), dict(seed=1)])))
    code, _, err = vadkit_command('export', TINY_SYNTHETIC_CONFIG, f'{work}/', '--out',
                                  tmp_path / 'model.pt')
    assert code == 2, err[-2000:]
    assert f'error: {work} is an ensemble: its members are rescaled per video' in err
    assert "export each member's checkpoint" in err and 'corrupt' not in err
    assert not (tmp_path / 'model.pt').exists()


def test_a_refused_ensemble_leaves_no_folder_unless_a_member_saved_checkpoints(
        ensemble_run, vadkit_command, tmp_path, monkeypatch):
    """As a single training: refused before any member saved a checkpoint (here a corrupt
    ``load_from``), nothing is left; refused at member 2 after member 1 saved checkpoints,
    member 1 stays (for --resume), member 2's folder goes, and the lock is released."""
    from vadkit.engine import runner as runner_module
    from vadkit.utils.errors import VadkitError
    from vadkit.utils.work_dir_lock import LOCK_NAME, holds_lock
    bad = tmp_path / 'bad.pth'
    bad.write_bytes(b'not a checkpoint')
    args = ['train', TINY_SYNTHETIC_CONFIG, '--data-root', ensemble_run['data'],
            '--cfg-options', 'ensemble.members=2', 'train_cfg.max_epochs=1']
    code, _, err = vadkit_command(*args[:2], '--work-dir', tmp_path / 'new' / 'work',
                                  *args[2:], f'load_from={bad}')
    assert code == 2 and 'is corrupt' in err, err[-3000:]
    assert os.listdir(tmp_path) == ['bad.pth']

    class Refused(VadkitError):
        pass

    build_runner = runner_module.build_runner

    def refuse_member1(cfg):
        if cfg.work_dir.endswith('member1'):
            runner = build_runner(cfg)  # its work dir, lock and log folder made
            raise Refused(f'refused in {runner.work_dir}')
        return build_runner(cfg)

    monkeypatch.setattr(runner_module, 'build_runner', refuse_member1)
    work = tmp_path / 'kept'
    code, _, err = vadkit_command(*args[:2], '--work-dir', work, *args[2:])
    assert code == 2 and 'refused in' in err, err[-3000:]
    assert sorted(os.listdir(work)) == sorted([LOCK_NAME, 'member0'])
    assert 'epoch_1.pth' in os.listdir(work / 'member0')
    assert not holds_lock(str(work)) and not holds_lock(str(work / 'member1'))


def test_an_ensemble_trains_on_two_processes(ensemble_run, tmp_path):
    """``tools/dist_train.sh`` (gloo on CPU): each member trains and tests on both
    processes, one after the other; the main process scores the ensemble, whose figures
    are the re-scoring of the members' files, as in one process."""
    import subprocess

    from conftest import free_port
    from tiny_detector import REPO
    if not torch.distributed.is_available():
        pytest.skip('no torch.distributed')
    work = tmp_path / 'two'
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1',
               PORT=str(free_port()))
    proc = subprocess.run(
        ['bash', 'tools/dist_train.sh', TINY_SYNTHETIC_CONFIG, '2', '--data-root',
         ensemble_run['data'], '--work-dir', str(work), '--test', '--cfg-options',
         'ensemble.members=2', 'train_cfg.max_epochs=1', 'randomness.seed=1'],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-3000:]
    assert 'Traceback' not in log, log[-3000:]
    assert log.count('ensemble of 2 members (seeds 2, 3)') == 1  # printed by rank 0 only
    with open(work / 'ensemble.json') as f:
        assert [m['seed'] for m in json.load(f)['members']] == [2, 3]
    runs = [FrameScores.load(str(work / f'member{i}')) for i in range(2)]
    one = FrameScores.load(osp.join(ensemble_run['work'], 'member0'))
    for run in runs:  # every test frame scored once
        assert run.video_names == one.video_names
        for a, b in zip(run.frames, one.frames):
            np.testing.assert_array_equal(a, b)
    with open(work / 'metrics.json') as f:
        metrics = json.load(f)
    fused = FrameScores.average(runs).evaluate().metrics
    assert metrics['micro_auroc'] == pytest.approx(fused['micro_auroc'], abs=1e-12)


def test_a_member_whose_task_did_not_learn_is_left_out_alike_everywhere(ensemble_run,
                                                                          tmp_path):
    """task_skill.json of the members: ensemble.json records what each member learned;
    re-scoring and detection with the work dir leave a member's untrained task out alike."""
    import shutil

    import numpy as np

    from vadkit.apis import AnomalyDetector
    from vadkit.evaluation.task_skill import TASK_SKILL_FILE, untrained_tasks
    work = ensemble_run['work']
    with open(osp.join(work, 'ensemble.json')) as f:
        info = json.load(f)
    assert [m['untrained_tasks'] for m in info['members']] == [
        untrained_tasks(osp.join(work, f'member{i}')) for i in range(2)]
    copy = tmp_path / 'work'
    shutil.copytree(work, copy)
    for i, learned in enumerate((True, False)):
        (copy / f'member{i}' / TASK_SKILL_FILE).write_text(json.dumps(dict(tasks=dict(
            prp=dict(loss=0.1 if learned else 0.69, chance=0.693, learned=learned)))))
    runs = [FrameScores.load(str(copy / f'member{i}')) for i in range(2)]
    averaged = FrameScores.average(runs)
    assert averaged.settings['left_out'] == {'prp': [1]}
    det = AnomalyDetector(TINY_SYNTHETIC_CONFIG, str(copy), calibration=None,
                          cfg_options={'test_evaluator.compare_normalizers': None})
    assert det.member_untrained_tasks == [[], ['prp']]
    name = averaged.video_names[0]
    res = det.score_video(osp.join(ensemble_run['data'], 'testing', 'frames', name))
    left_out = averaged.evaluate().combined[0]
    np.testing.assert_allclose(res.scores[res.mask], left_out, rtol=1e-5, atol=1e-5)
    for run in runs:
        run.untrained_tasks = []
    every_member = FrameScores.average(runs).evaluate().combined[0]
    assert not np.allclose(every_member, left_out)
