"""An ablation table from saved test scores: each setting's runs (one per seed) scored alike.

    python tools/analysis/compare_runs.py \
        --setting 'one run' work_dirs/base_s0 work_dirs/base_s1 \
        --setting 'BPE loss' work_dirs/bpe_s0 work_dirs/bpe_s1 \
        --normalizer MinMaxNormalizer --heldout

Each run is a ``frame_scores.npz`` (or the folder holding it) of the same test set: a test
run, a ``--test`` training run, an ensemble's work dir or a ``rescore.py --out-dir``. Every
run is scored with its saved alphas and fusion; ``--normalizer`` replaces the saved
rescaling of every score (the paper's plain per-video min-max: MinMaxNormalizer). With
``--heldout`` each run also gets its honest figure: alphas chosen on half of the test videos,
micro AUROC on the other half, both halves of 5 random splits, beside the run's own alphas
on the same halves (tools/analysis/heldout_selection.py has the details of one run).
"""
import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from vadkit.evaluation.run_comparison import (
    ComparisonError,
    compare_settings,
    markdown_table,
)
from vadkit.utils import register_all_modules
from vadkit.utils.errors import run_cli
from vadkit.utils.scoring_options import parse_normalizer


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Compare settings over seeds from saved '
                                     'test scores (an ablation table)')
    parser.add_argument('--setting', nargs='+', action='append', required=True,
                        metavar=('NAME', 'RUN'),
                        help='a setting\'s name, then its runs (frame_scores.npz or folders)')
    parser.add_argument('--normalizer', help='rescaling of every score instead of the saved '
                        'one, e.g. MinMaxNormalizer (the paper\'s plain per-video min-max)')
    parser.add_argument('--heldout', action='store_true',
                        help='also the held-out figure of each run (alphas chosen on half of '
                        'the test videos, reported on the other half)')
    parser.add_argument('--out', help='also write the figures as JSON here')
    return parser.parse_args(argv)


def main(argv=None) -> list:
    args = parse_args(argv)
    register_all_modules(init_default_scope=False)
    groups = {}
    for item in args.setting:
        if len(item) < 2:
            raise ComparisonError(f'--setting {item[0]!r} names no run: give --setting NAME RUN '
                             '[RUN ...]')
        if item[0] in groups:
            raise ComparisonError(f'--setting {item[0]!r} is given twice; give each setting once '
                             'with all its runs')
        groups[item[0]] = item[1:]
    normalizer = parse_normalizer(args.normalizer) if args.normalizer else None
    rows = compare_settings(groups, normalizer, args.heldout)
    how = (f'every score rescaled by {normalizer}' if normalizer else 'the saved rescaling')
    print(f'micro AUROC (%), saved alphas and fusion, {how}:')
    print(markdown_table(rows))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump([dict(name=r.name, runs=r.runs, micro_auroc=r.micro_auroc,
                            mean=r.mean, worst=r.worst, heldout_auroc=r.heldout_auroc,
                            heldout_mean=r.heldout_mean,
                            fixed_heldout_auroc=r.fixed_heldout_auroc,
                            fixed_heldout_mean=r.fixed_heldout_mean) for r in rows], f, indent=2)
    return rows


if __name__ == '__main__':
    run_cli(main)
