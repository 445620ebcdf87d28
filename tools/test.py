"""Test a checkpoint: metrics plus every frame's raw and final score in the work dir."""
import argparse
import os
import os.path as osp
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmengine.config import DictAction  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from vadkit.utils import register_all_modules  # noqa: E402
from vadkit.utils.dist import shutdown_distributed  # noqa: E402
from vadkit.utils.reporting import report_metrics  # noqa: E402
from vadkit.utils.run_config import load_config, set_score_output_dir  # noqa: E402
from vadkit.utils.errors import run_cli  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description='Test a vadkit model')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='where results go (default: work_dirs/<config>)')
    parser.add_argument('--out-dir', help='where metrics.json and frame_scores.{csv,npz} go '
                        '(default: <work dir>/test_<time>)')
    parser.add_argument('--data-root', help='dataset root, overriding the config')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm'], default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main():
    args = parse_args()
    if not osp.isfile(args.checkpoint):
        sys.exit(f'checkpoint {args.checkpoint!r} does not exist')
    register_all_modules(init_default_scope=False)
    cfg = load_config(args.config, args.cfg_options, args.work_dir, args.data_root,
                      args.launcher)
    cfg.load_from = args.checkpoint
    out_dir = args.out_dir or osp.join(cfg.work_dir, time.strftime('test_%Y%m%d_%H%M%S'))
    set_score_output_dir(cfg, out_dir)
    runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    os.makedirs(out_dir, exist_ok=True)
    report_metrics(metrics, out_dir)


def run() -> None:
    try:
        main()
    finally:
        shutdown_distributed()


if __name__ == '__main__':
    run_cli(run)
