"""Grid search of the fusion weights (alphas) on saved frame scores, as the paper did.

    python tools/analysis/search_alphas.py work_dirs/x/test/frame_scores.npz
    python tools/analysis/search_alphas.py FILE --grid 0,0.1,...,1 --top-k 10
    python tools/analysis/search_alphas.py FILE --holdout-fraction 0.5 --seed 0 --splits 5

A search scored on the test labels is optimistic (the test set picks the weights it is
scored with); --holdout-fraction chooses on some test videos and reports on the others.
"""
import argparse
import json
import os.path as osp
import sys

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from vadkit.evaluation import FrameScores
from vadkit.evaluation.alpha_search import find_weights, grid_search, holdout_search, parse_grid
from vadkit.utils import register_all_modules
from vadkit.utils.errors import run_cli
from vadkit.utils.scoring_options import add_scoring_args, describe_normalizers, resolve_settings


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Grid search of the fusion weights (alphas, '
                                     'Eq. 15) on saved frame scores')
    parser.add_argument('frame_scores', help='frame_scores.npz (or the folder holding it)')
    parser.add_argument('--names', nargs='+', metavar='NAME',
                        help='scores to weight (default: the weighted scores of the run, '
                        'e.g. vcr ffp prp; Table 4 style: vcr.pse ffp.pse prp)')
    parser.add_argument('--grid', default='0,0.1,...,1',
                        help='weight values, A,B,...,END or a list (default 0,0.1,...,1)')
    parser.add_argument('--top-k', type=int, default=10, help='rows of the table')
    parser.add_argument('--holdout-fraction', type=float,
                        help='fraction of test videos held out: alphas are chosen on the '
                        'others and reported on these (an honest estimate)')
    parser.add_argument('--seed', type=int, default=0, help='seed of the video split')
    parser.add_argument('--splits', type=int, default=1,
                        help='number of random splits (seeds seed, seed+1, ...)')
    parser.add_argument('--out', help='write the results as JSON here')
    add_scoring_args(parser, weights=False)
    return parser.parse_args(argv)


def fmt(weights: dict) -> str:
    return ', '.join(f'{k}={v:g}' for k, v in weights.items())


def main(argv=None) -> dict:
    args = parse_args(argv)
    register_all_modules(init_default_scope=False)
    scores = FrameScores.load(args.frame_scores)
    saved_weights, default, overrides = resolve_settings(scores, args)
    names = args.names or list(saved_weights or scores.score_names)
    unknown = [n for n in names if n not in scores.score_names]
    if unknown:
        sys.exit(f'error: unknown score(s) {unknown}; the file has {scores.score_names}')
    grid = parse_grid(args.grid)
    # rescaling is per video (or uses training statistics): independent of the weights and
    # of which videos are evaluated, so it is done once
    ev = scores.evaluate(dict.fromkeys(names, 1.0), default, overrides, score_names=names)
    normalized = ev.normalized
    results = grid_search(normalized, scores.labels, names, grid)
    n_points = len(grid)**len(names) - 1

    print(f'frame scores: {args.frame_scores}: {len(scores.labels)} videos, '
          f'{ev.metrics["scored_frames"]} scored frames')
    print('normalizers (per video, before fusion):')
    print('\n'.join(describe_normalizers(names, default, overrides)))
    print(f'grid {grid} over ({", ".join(names)}): {n_points} non-zero points, '
          f'{len(results)} distinct up to scale (multiples of the same weights give the same '
          'AUROC)')
    print('\n' + '!' * 78)
    print('ALPHAS CHOSEN ON THE TEST LABELS: optimistic. The test set picks the weights it is')
    print('then scored with (as the paper did); use --holdout-fraction for an honest number.')
    print('!' * 78)
    best = results[0]
    print(f'best (chosen on the test labels): {fmt(best.weights)}  micro AUROC '
          f'{100 * best.auroc:.2f} %')
    if saved_weights:
        found, rank = find_weights(results, saved_weights)
        if found is not None:
            print(f'the run\'s weights ({fmt(saved_weights)}): micro AUROC '
                  f'{100 * found.auroc:.2f} % (rank {rank + 1} of {len(results)})')
        else:
            print(f'the run\'s weights ({fmt(saved_weights)}) are not on this grid')
    print(f'\ntop {args.top_k} (chosen on the test labels: optimistic):')
    print(f'  {"rank":>4}  ' + '  '.join(f'{n:>8}' for n in names) + '  micro AUROC')
    for i, r in enumerate(results[:args.top_k]):
        print(f'  {i + 1:>4}  ' + '  '.join(f'{r.weights[n]:>8g}' for n in names)
              + f'  {100 * r.auroc:>10.2f} %')
    out = dict(names=names, grid=grid, optimistic_best=dict(weights=best.weights,
                                                            micro_auroc=best.auroc),
               top=[dict(weights=r.weights, micro_auroc=r.auroc) for r in
                    results[:args.top_k]])

    if args.holdout_fraction:
        print(f'\nHELD-OUT VIDEOS: alphas chosen on {100 * (1 - args.holdout_fraction):.0f} % '
              f'of the test videos, reported on the other {100 * args.holdout_fraction:.0f} % '
              '(honest: the reported videos played no part in the choice)')
        splits = []
        for k in range(args.splits):
            try:
                h = holdout_search(normalized, scores.labels, names, grid,
                                   args.holdout_fraction, args.seed + k)
            except ValueError as e:
                sys.exit(f'error: {e}')
            vn = lambda idx: ' '.join(scores.video_names[i] for i in idx)  # noqa: E731
            print(f'  split seed {h.seed}: choose on [{vn(h.choose)}], report on '
                  f'[{vn(h.report)}]')
            print(f'    chosen: {fmt(h.chosen.weights)} (micro AUROC {100 * h.chosen.auroc:.2f} % '
                  'on the choosing videos)')
            print(f'    held-out micro AUROC: {100 * h.heldout_auroc:.2f} %   (optimistic best '
                  f'on the same held-out videos: {100 * h.oracle.auroc:.2f} % with '
                  f'{fmt(h.oracle.weights)})')
            splits.append(dict(seed=h.seed, choose=[scores.video_names[i] for i in h.choose],
                               report=[scores.video_names[i] for i in h.report],
                               chosen_weights=h.chosen.weights, heldout_auroc=h.heldout_auroc,
                               oracle_heldout_auroc=h.oracle.auroc))
        vals = np.array([s['heldout_auroc'] for s in splits])
        print(f'  held-out micro AUROC over {len(vals)} split(s): {100 * vals.mean():.2f} %'
              + (f' +- {100 * vals.std(ddof=1):.2f}' if len(vals) > 1 else ''))
        out['holdout'] = dict(fraction=args.holdout_fraction, splits=splits,
                              mean_heldout_auroc=float(vals.mean()))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(out, f, indent=2)
        print(f'\nwritten: {args.out}')
    return out


if __name__ == '__main__':
    run_cli(main)
