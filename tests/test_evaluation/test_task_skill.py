"""A classifier task that ended training at its chance loss: judged from the training loss
alone, written beside the run, and left out of an ensemble's average of that score (its
test, rescore.py of its members, detection with its work dir), all members kept where none
learned."""
import json
import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmengine.logging import MessageHub, MMLogger
from tiny_detector import build_tiny_model as tiny_model

from vadkit.apis.ensemble_members import average_rescaled
from vadkit.engine.hooks import TaskSkillHook
from vadkit.evaluation import FrameScores
from vadkit.evaluation.task_skill import (
    TASK_SKILL_FILE,
    judge_task_skill,
    learned_members,
    untrained_tasks,
)
from vadkit.utils import register_all_modules

register_all_modules()
CHANCE = math.log(2)
MINMAX = dict(type='MinMaxNormalizer')


def test_the_rule_reads_the_last_iterations_of_the_training_loss():
    learned_late = [CHANCE] * 500 + [0.0] * 20
    stuck = [CHANCE] * 600
    skill = judge_task_skill(dict(prp=learned_late, other=stuck, vcr=[0.01]),
                             dict(prp=CHANCE, other=CHANCE, vcr=None))
    assert skill['prp']['learned'] and skill['prp']['loss'] == pytest.approx(0.8 * CHANCE)
    assert not skill['other']['learned'] and skill['other']['iterations'] == 100
    assert 'vcr' not in skill  # no chance loss: not judged
    # the window and the ratio are the rule's only numbers
    assert not judge_task_skill(dict(prp=learned_late), dict(prp=CHANCE), window=300)[
        'prp']['learned']
    assert judge_task_skill(dict(prp=[0.95 * CHANCE] * 10), dict(prp=CHANCE),
                            max_ratio=1.0)['prp']['learned']
    with pytest.raises(ValueError, match='max_ratio'):
        judge_task_skill({}, {}, max_ratio=0)


def test_chance_loss_of_the_heads():
    model = tiny_model()
    chance = {h.name: h.chance_loss() for h in model.tasks}
    assert chance == dict(vcr=None, ffp=None, prp=pytest.approx(CHANCE))


@pytest.mark.parametrize('stuck', [True, False])
def test_hook_warns_and_writes_the_file(tmp_path, stuck):
    hub = MessageHub.get_instance(f'task-skill-{stuck}')
    for i in range(150):
        hub.update_scalar('train/loss_prp', CHANCE + 0.001 if stuck else 0.6 / (i + 1))
        hub.update_scalar('train/loss_vcr', 0.01)
    logger = MMLogger.get_instance(f'task-skill-log-{stuck}', log_file=str(tmp_path / 'log'))
    runner = SimpleNamespace(model=tiny_model(), message_hub=hub, work_dir=str(tmp_path),
                             logger=logger)
    TaskSkillHook().after_train(runner)
    written = json.loads((tmp_path / TASK_SKILL_FILE).read_text())
    assert set(written['tasks']) == {'prp'}
    assert written['tasks']['prp']['learned'] is (not stuck)
    assert untrained_tasks(str(tmp_path)) == (['prp'] if stuck else [])
    log = (tmp_path / 'log').read_text()
    assert ("task 'prp' did not learn" in log) is stuck
    if stuck:
        assert 'randomness.seed' in log and 'score_weights' in log


def scores(seed, videos=4, frames=60):
    rng = np.random.default_rng(seed)
    labels = [(np.arange(frames) >= 40).astype(np.int64) for _ in range(videos)]
    raw = [dict(vcr=y + rng.normal(size=frames), prp=y + rng.normal(size=frames),
                **{'prp.rate': rng.normal(size=frames)}) for y in labels]
    settings = dict(score_weights=dict(vcr=0.5, prp=1.0), normalizer=MINMAX, normalizers={})
    return FrameScores(list(range(videos)), [f'v{v}' for v in range(videos)],
                       [np.arange(8, 8 + frames)] * videos, labels, raw,
                       ['vcr', 'prp', 'prp.rate'], settings, [frames + 8] * videos)


def minmax(x):
    return (x - x.min()) / (x.max() - x.min())


def test_an_ensemble_averages_each_score_over_the_members_whose_task_learned(tmp_path):
    folders = []
    for seed in range(3):
        folder = tmp_path / f'member{seed}'
        run = scores(seed)
        run.save(str(folder), run.evaluate())
        folders.append(str(folder))
    (tmp_path / 'member1' / TASK_SKILL_FILE).write_text(json.dumps(dict(tasks=dict(
        prp=dict(loss=0.69, chance=CHANCE, learned=False)))))
    runs = [FrameScores.load(f) for f in folders]
    assert [r.untrained_tasks for r in runs] == [[], ['prp'], []]
    averaged = FrameScores.average(runs)
    assert averaged.settings['left_out'] == {'prp': [1], 'prp.rate': [1]}
    for v in range(4):
        for name, members in (('vcr', (0, 1, 2)), ('prp', (0, 2)), ('prp.rate', (0, 2))):
            expected = np.mean([minmax(runs[k].raw[v][name]) for k in members], axis=0)
            np.testing.assert_allclose(averaged.raw[v][name], expected, rtol=0, atol=1e-12)
    # detection with the ensemble's work dir averages alike
    detected = average_rescaled([r.raw[0] for r in runs], lambda name: minmax,
                                [r.untrained_tasks for r in runs])
    for name in ('vcr', 'prp'):
        np.testing.assert_allclose(detected[name], averaged.raw[0][name], rtol=0, atol=1e-12)
    # rescore.py of the members reads the same files: the same ensemble
    plain = FrameScores.average([scores(s) for s in range(3)])
    assert 'left_out' not in plain.settings
    assert averaged.evaluate().metrics['micro_auroc'] != plain.evaluate().metrics['micro_auroc']


def test_all_members_are_kept_where_none_learned():
    assert learned_members('prp', [['prp'], ['prp']]) == [0, 1]
    assert learned_members('prp.rate', [['prp'], []]) == [1]
    assert learned_members('prpx', [['prp'], []]) == [0, 1]  # another task's score
    runs = [scores(0), scores(1)]
    for r in runs:
        r.untrained_tasks = ['prp']
    averaged = FrameScores.average(runs)
    assert 'left_out' not in averaged.settings
    np.testing.assert_allclose(averaged.raw[0]['prp'], np.mean(
        [minmax(r.raw[0]['prp']) for r in runs], axis=0), rtol=0, atol=1e-12)


def test_an_unreadable_file_names_itself_and_the_fix(tmp_path):
    (tmp_path / TASK_SKILL_FILE).write_text('{not json')
    with pytest.raises(ValueError, match=f'{TASK_SKILL_FILE}.*delete it'):
        untrained_tasks(str(tmp_path))


def test_the_tool_judges_checkpoints_from_their_training_losses(tmp_path, capsys):
    from pathlib import Path

    from tool_modules import load_tool
    repo = Path(__file__).resolve().parents[2]
    tool = load_tool('analysis/task_skill')
    config = str(repo / 'configs' / 'demo' / 'luss-ae_3dcae-w8_8x64x64_synthetic.py')
    for name, losses in (('stuck', [CHANCE] * 120), ('fine', [0.02] * 120)):
        (tmp_path / name).mkdir()
        torch.save(dict(state_dict={}, message_hub=dict(log_scalars={
            'train/loss_prp': dict(log=losses, count=[1] * 120, max_length=1000000)})),
            tmp_path / name / 'epoch_1.pth')
    judged = tool.main([config, str(tmp_path / 'stuck' / 'epoch_1.pth'),
                        str(tmp_path / 'fine' / 'epoch_1.pth')])
    assert [s['prp']['learned'] for s in judged.values()] == [False, True]
    assert untrained_tasks(str(tmp_path / 'stuck')) == ['prp']
    assert untrained_tasks(str(tmp_path / 'fine')) == []
    assert 'did NOT learn' in capsys.readouterr().out
    torch.save(dict(state_dict={}), tmp_path / 'bare.pth')
    with pytest.raises(tool.TaskSkillError, match='no training losses'):
        tool.main([config, str(tmp_path / 'bare.pth')])
