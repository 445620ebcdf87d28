"""Train a model from a config (one process, or one of many under torchrun / slurm)."""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from vadkit.engine.ensemble import ensemble_members, train_ensemble
from vadkit.engine.runner import build_runner
from vadkit.utils import register_all_modules
from vadkit.utils.cpu_share import join_cpu_share
from vadkit.utils.dist import shutdown_distributed
from vadkit.utils.errors import run_cli
from vadkit.utils.refused_run import nothing_left_if_refused, wrote_checkpoints
from vadkit.utils.run_config import enable_amp, load_config, set_score_output_dir
from vadkit.utils.runner_cli import add_runner_options, apply_runner_options


def parse_args():
    parser = argparse.ArgumentParser(description='Train a vadkit model')
    parser.add_argument('config', help='config file')
    parser.add_argument('--work-dir', help='where logs and checkpoints go '
                        '(default: work_dirs/<config name>)')
    parser.add_argument('--data-root', help='dataset root, overriding the config')
    parser.add_argument('--resume', nargs='?', type=str, const='auto',
                        help='resume from a checkpoint; without a path, from the newest '
                        'readable checkpoint in the work dir (none: training starts from '
                        'scratch, with a warning)')
    parser.add_argument('--amp', action='store_true', help='automatic mixed precision (GPU)')
    parser.add_argument('--test', action='store_true',
                        help='test the final model on the test set after training; the '
                        'metrics and every frame\'s scores go to the work dir')
    add_runner_options(parser, 'override config entries, e.g. train_cfg.max_epochs=5')
    return apply_runner_options(parser.parse_args())


def main():
    args = parse_args()
    register_all_modules(init_default_scope=False)
    join_cpu_share()  # threads = this job's share while other vadkit jobs run
    cfg = load_config(args.config, args.cfg_options, args.work_dir, args.data_root,
                      args.launcher)
    if args.amp:
        enable_amp(cfg)
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    if ensemble_members(cfg) is not None:  # ensemble = dict(members=K): K seeded runs
        train_ensemble(cfg, args.resume, args.test)
        return
    if args.test:
        set_score_output_dir(cfg, cfg.work_dir)
    # refused before it wrote a checkpoint (a bad dataset, load_from or option): no folder
    with nothing_left_if_refused(cfg.work_dir, keep=wrote_checkpoints):
        runner = build_runner(cfg)
        runner.train()
    if args.test:
        from vadkit.utils.reporting import report_metrics
        from vadkit.utils.run_config import compare_weight_labels
        report_metrics(runner.test(), runner.work_dir, weight_labels=compare_weight_labels(cfg))


def run() -> None:
    try:
        main()
    finally:
        shutdown_distributed()


if __name__ == '__main__':
    run_cli(run)
