"""Choose scoring settings on half of the test videos and report them on the other half.

    python tools/analysis/heldout_selection.py RUN/frame_scores.npz
    python tools/analysis/heldout_selection.py RUN_A/frame_scores.npz RUN_B/frame_scores.npz \
        --normalizers saved MinMaxNormalizer RobustNormalizer --smooth 0 3 \
        --score-sets vcr,ffp,prp vcr.top,ffp.top,prp --grid 0,0.25,...,1 --splits 5 --seed 0

Every setting of the grid (run x weighted scores x normalizer x smoothing x alphas) is
chosen by micro AUROC on half of the test videos and reported on the other half; both
halves swapped; --splits random splits. The held-out mean is printed beside the paper
protocol (chosen and reported on all test videos, what search_alphas.py gives) and the
fixed config (the first run's saved settings, no choice).

With --pseudo (the same runs tested on a pseudo-anomaly set made from the training videos
by tools/data/make_pseudo_anomalies.py), the setting with the best micro AUROC on the
pseudo-anomalies is reported on the test videos too: a choice without any test label.

    python tools/analysis/heldout_selection.py W/test --pseudo W/pseudo \
        --score-sets vcr,ffp,prp vcr,ffp,prp,motion --normalizers MinMaxNormalizer
"""
import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from vadkit.evaluation import FrameScores
from vadkit.evaluation.alpha_search import parse_grid
from vadkit.evaluation.heldout_selection import (
    SelectionError,
    build_setting_table,
    select_on_heldout_videos,
    select_on_pseudo_anomalies,
)
from vadkit.utils import register_all_modules
from vadkit.utils.errors import run_cli
from vadkit.utils.scoring_options import parse_normalizer


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Choose scoring settings on half of the test '
                                     'videos, report them on the other half')
    parser.add_argument('frame_scores', nargs='+', help='frame_scores.npz of one or more test '
                        'runs of the same test set (or folders holding them)')
    parser.add_argument('--run-names', nargs='+', help='a name for each run (default: its '
                        'folder name)')
    parser.add_argument('--score-sets', nargs='+', metavar='A,B,C',
                        help='comma-separated scores to weight, one set a setting (default: '
                        "the first run's weighted scores, e.g. vcr,ffp,prp)")
    parser.add_argument('--grid', default='0,0.1,...,1',
                        help='alpha values, as search_alphas.py (default 0,0.1,...,1)')
    parser.add_argument('--normalizers', nargs='+', default=['saved'], metavar='TYPE',
                        help="normalizers to choose from: 'saved' (each run's own) or a type "
                        "as rescore.py --normalizer takes (default: saved)")
    parser.add_argument('--smooth', nargs='+', type=float, default=[0.0], metavar='SIGMA',
                        help='temporal smoothing sigmas to choose from, 0 for none (default 0)')
    parser.add_argument('--splits', type=int, default=5, help='random splits (default 5)')
    parser.add_argument('--seed', type=int, default=0, help='seed of the first split')
    parser.add_argument('--pseudo', nargs='+', metavar='FRAME_SCORES',
                        help='the same runs, in the same order, tested on a pseudo-anomaly '
                        'set (tools/data/make_pseudo_anomalies.py): also choose the setting '
                        'there, without any test label')
    parser.add_argument('--out', help='write every figure as JSON here')
    return parser.parse_args(argv)


def pct(x: float) -> str:
    return f'{100 * x:6.2f}'


def run_label(path: str) -> str:
    folder = path if osp.isdir(path) else osp.dirname(osp.abspath(path))
    return osp.basename(folder.rstrip('/')) or path


def load_runs(paths, names):
    if names and len(names) != len(paths):
        raise SelectionError(f'--run-names gives {len(names)} names for {len(paths)} files')
    runs = {}
    for i, path in enumerate(paths):
        try:
            scores = FrameScores.load(path)
        except (FileNotFoundError, ValueError) as e:
            raise SelectionError(str(e)) from None
        label = names[i] if names else run_label(path)
        if label in runs:
            label = f'{label}#{i}'
        runs[label] = scores
    return runs


def main(argv=None) -> dict:
    args = parse_args(argv)
    register_all_modules(init_default_scope=False)
    runs = load_runs(args.frame_scores, args.run_names)
    first = next(iter(runs.values()))
    if args.score_sets:
        score_sets = [[n.strip() for n in s.split(',') if n.strip()] for s in args.score_sets]
    else:
        score_sets = [list(first.settings.get('score_weights') or first.score_names)]
    try:
        grid = parse_grid(args.grid)
        normalizers = {n: None if n == 'saved' else parse_normalizer(n)
                       for n in args.normalizers}
    except ValueError as e:
        raise SelectionError(str(e)) from None
    table = build_setting_table(runs, score_sets, normalizers, args.smooth, grid)
    pseudo = None
    if args.pseudo:
        if len(args.pseudo) != len(runs):
            raise SelectionError(f'--pseudo gives {len(args.pseudo)} run(s) for {len(runs)} '
                                 'test run(s): one pseudo-anomaly run per test run, same order')
        pseudo_runs = load_runs(args.pseudo, list(runs))
        pseudo = select_on_pseudo_anomalies(
            build_setting_table(pseudo_runs, score_sets, normalizers, args.smooth, grid), table)
    report = select_on_heldout_videos(table, args.splits, args.seed)
    settings = table.settings
    print(f'{len(runs)} run(s), {len(table.video_names)} test videos, {table.labels.size} '
          f'scored frames; {len(settings)} settings (runs x score sets x normalizers x '
          f'smoothing x distinct alphas of grid {grid})')
    print('\nchosen on half of the test videos (micro AUROC there), reported on the other half:')
    print(f'{"split":>5} {"way":>4} {"chosen setting":<58} {"select":>7} {"held-out":>8} '
          f'{"fixed":>7} {"best":>7}')
    for r in report.rows:
        print(f'{r.split:>5} {r.direction:>4} {settings[r.chosen].describe():<58} '
              f'{pct(r.select_auroc):>7} {pct(r.heldout_auroc):>8} '
              f'{pct(r.fixed_heldout_auroc):>7} {pct(r.best_heldout_auroc):>7}')
    n = len(report.rows)
    print('  (select: the chosen setting on the videos that chose it; fixed: the fixed config '
          'on the held-out half; best: the best setting of the held-out half itself, '
          'optimistic)')
    print(f'\nmean over {n} held-out halves (micro AUROC %):')
    print(f'  HELD-OUT (honest):           {pct(report.mean("heldout_auroc"))} '
          f'+- {100 * report.std("heldout_auroc"):.2f}')
    print(f'  fixed config, same halves:   {pct(report.mean("fixed_heldout_auroc"))} '
          f'+- {100 * report.std("fixed_heldout_auroc"):.2f}')
    print(f'  best of each half (optimistic): {pct(report.mean("best_heldout_auroc"))}')
    print('on all test videos:')
    print(f'  PAPER PROTOCOL (chosen on the test labels, optimistic): '
          f'{pct(report.paper_auroc)}  {settings[report.paper_setting].describe()}')
    print(f'  FIXED CONFIG (no selection):  {pct(report.fixed_auroc)}  (the saved settings '
          f'of {next(iter(runs))})')
    if pseudo is not None:
        print(f'  LABEL-FREE (chosen on the pseudo-anomalies, no test label): '
              f'{pct(pseudo.chosen_test_auroc)}  {settings[pseudo.chosen].describe()}')
        print(f'    on the pseudo-anomalies: the chosen setting {pct(pseudo.chosen_pseudo_auroc)}'
              f', the fixed config {pct(pseudo.fixed_pseudo_auroc)}; agreement of the '
              f'{len(settings)} settings\' pseudo and test AUROCs: Spearman '
              f'{pseudo.agreement:.2f}')
    out = dict(
        settings=len(settings), grid=grid, splits=args.splits, seed=args.seed,
        mean_heldout_auroc=report.mean('heldout_auroc'),
        std_heldout_auroc=report.std('heldout_auroc'),
        mean_fixed_heldout_auroc=report.mean('fixed_heldout_auroc'),
        mean_best_heldout_auroc=report.mean('best_heldout_auroc'),
        paper_protocol=dict(setting=settings[report.paper_setting].describe(),
                            micro_auroc=report.paper_auroc),
        fixed_config_auroc=report.fixed_auroc,
        label_free=None if pseudo is None else dict(
            setting=settings[pseudo.chosen].describe(), micro_auroc=pseudo.chosen_test_auroc,
            pseudo_auroc=pseudo.chosen_pseudo_auroc,
            fixed_pseudo_auroc=pseudo.fixed_pseudo_auroc, agreement=pseudo.agreement),
        rows=[dict(split=r.split, seed=r.seed, way=r.direction,
                   select=[table.video_names[i] for i in r.select],
                   report=[table.video_names[i] for i in r.report],
                   chosen=settings[r.chosen].describe(), select_auroc=r.select_auroc,
                   heldout_auroc=r.heldout_auroc, fixed_heldout_auroc=r.fixed_heldout_auroc,
                   best_heldout=settings[r.best_heldout].describe(),
                   best_heldout_auroc=r.best_heldout_auroc) for r in report.rows])
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(out, f, indent=2)
        print(f'\nwritten: {args.out}')
    return out


if __name__ == '__main__':
    run_cli(main)
