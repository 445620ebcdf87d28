"""``default_hooks.<name>=None`` turns a default hook off, vadkit's own as mmengine's."""
from conftest import run_tool_in_process
from tiny_detector import TINY_SYNTHETIC_CONFIG


def train_and_test(tmp_path, work, *options):
    (tmp_path / 'data').mkdir(exist_ok=True)  # the synthetic videos are generated in it
    proc = run_tool_in_process(
        ['tools/train.py', TINY_SYNTHETIC_CONFIG, '--data-root', tmp_path / 'data',
         '--work-dir', tmp_path / work, '--test', '--cfg-options', 'train_cfg.max_epochs=1',
         *options], threads=1)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]  # mmengine asserted on vadkit's hooks before
    return out


def test_vadkits_default_hooks_turn_off_with_none(tmp_path):
    assert 'score curves of 2 video(s) sent' in train_and_test(tmp_path, 'on')
    out = train_and_test(tmp_path, 'off', 'default_hooks.score_curves=None',
                         'default_hooks.cpu_allocator=None')
    assert 'score curves' not in out and 'micro AUROC' in out
