"""Test a checkpoint: metrics plus every frame's raw and final score in the work dir.

Everything a test writes (log, config copy, metrics, frame scores) goes to its own out dir,
by default a new ``test_<time>`` folder inside the work dir, and the test locks that out dir:
tests of a work dir's checkpoints may run while it trains and beside each other, but never
two runs into one out dir (the second is refused naming the first). The checkpoint must be
of the config's model (else refused, naming the differing config entries). A test refused
before it has results (a bad checkpoint, a dataset error) removes what it made.
"""
import argparse
import os.path as osp
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmengine.dist import is_main_process

from vadkit.engine.runner import build_runner
from vadkit.utils import register_all_modules
from vadkit.utils.checkpoint_files import UnreadableCheckpointError
from vadkit.utils.cpu_share import join_cpu_share
from vadkit.utils.dist import shutdown_distributed
from vadkit.utils.errors import run_cli
from vadkit.utils.refused_run import nothing_left_if_refused
from vadkit.utils.reporting import report_metrics
from vadkit.utils.run_config import compare_weight_labels, load_config, set_score_output_dir
from vadkit.utils.runner_cli import add_runner_options, apply_runner_options


def parse_args():
    parser = argparse.ArgumentParser(description='Test a vadkit model')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='where results go (default: work_dirs/<config>)')
    parser.add_argument('--out-dir', help='where metrics.json and frame_scores.{csv,npz} go '
                        '(default: <work dir>/test_<time>)')
    parser.add_argument('--data-root', help='dataset root, overriding the config')
    parser.add_argument('--report', action='store_true',
                        help='also write report.html to the out dir: a self-contained page '
                        'of the metrics, score curves, events and frames (docs/report.md)')
    add_runner_options(parser)
    return apply_runner_options(parser.parse_args())


def main():
    args = parse_args()
    if not osp.isfile(args.checkpoint):
        raise UnreadableCheckpointError(f'checkpoint {args.checkpoint} does not exist')
    register_all_modules(init_default_scope=False)
    join_cpu_share()  # threads = this job's share while other vadkit jobs run
    cfg = load_config(args.config, args.cfg_options, args.work_dir, args.data_root,
                      args.launcher)
    cfg.load_from = args.checkpoint
    out_dir = args.out_dir or osp.join(cfg.work_dir, time.strftime('test_%Y%m%d_%H%M%S'))
    set_score_output_dir(cfg, out_dir)
    cfg.work_dir = out_dir  # the runner's log, config copy and lock: nothing in the work dir
    with nothing_left_if_refused(out_dir):  # a refused test leaves no empty log folder
        runner = build_runner(cfg)
        metrics = runner.test()
    report_metrics(metrics, out_dir, weight_labels=compare_weight_labels(cfg))
    if args.report and metrics is not None and is_main_process():
        from vadkit.visualization.report import write_report
        print(f'report: {write_report(out_dir, data_root=args.data_root)}', flush=True)


def run() -> None:
    try:
        main()
    finally:
        shutdown_distributed()


if __name__ == '__main__':
    run_cli(run)
