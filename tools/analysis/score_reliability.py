"""How much of each score the training seeds reproduce, and fusion weights from it, without
any label.

    python tools/analysis/score_reliability.py SEED0/test SEED1/test [SEED2/test ...]
    python tools/analysis/score_reliability.py S0 S1 S2 S3 --score-names vcr ffp prp motion
    python tools/analysis/score_reliability.py S0 S1 S2 S3 --out reliability.json

Give the test runs (frame_scores.npz, or the folders holding them) of one config trained
with other seeds and tested on the same videos, or their detection runs on the same
unlabelled videos (the --out-dir of each tools/detect.py run):

    python tools/analysis/score_reliability.py outputs/seed0 outputs/seed1 outputs/seed2

For each score, the Pearson correlation of its per-video rescaled scores between every two
runs, averaged over videos: 1 when every seed scores the frames alike, 0 when each seed's
curve is its own noise. The suggested weights are those reliabilities (of the first run's
weighted scores, or --score-names), printed as a config line and as rescore.py options.
Labels are never read: the runs may be of unlabelled footage. A test run and a detection
run are not compared (their labels differ): give runs of one kind.
"""
import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from vadkit.evaluation import FrameScores
from vadkit.evaluation.score_reliability import reliability_weights, score_reliability
from vadkit.utils import register_all_modules
from vadkit.utils.errors import VadkitError, run_cli
from vadkit.utils.scoring_options import add_scoring_args, resolve_settings


class ReliabilityError(VadkitError, ValueError):
    """Test runs whose scores' reliability cannot be measured."""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Each score's reliability across training seeds (test runs of one "
        'config on the same videos), and fusion weights from it; no label is read.')
    parser.add_argument('frame_scores', nargs='+',
                        help='2 or more test runs (frame_scores.npz or their folders) or '
                        'detection runs (the --out-dir of tools/detect.py)')
    parser.add_argument('--score-names', nargs='+', metavar='NAME',
                        help="scores to measure (default: the first run's weighted scores)")
    add_scoring_args(parser, weights=False)
    parser.add_argument('--out', help='write the reliabilities and weights as JSON here')
    return parser.parse_args(argv)


def load_run(path: str) -> FrameScores:
    """A test run (``frame_scores.npz`` or its folder) or a detection run (the --out-dir
    of ``tools/detect.py``, holding ``summary.json``)."""
    if osp.isdir(path) and not osp.isfile(osp.join(path, 'frame_scores.npz')) and \
            osp.isfile(osp.join(path, 'summary.json')):
        try:
            return FrameScores.from_detection(path)
        except ValueError as e:
            raise ReliabilityError(str(e)) from None
    return FrameScores.load(path)


def main(argv=None) -> dict:
    args = parse_args(argv)
    register_all_modules(init_default_scope=False)
    runs = [load_run(p) for p in args.frame_scores]
    names = args.score_names or list(runs[0].settings.get('score_weights') or {})
    if not names:
        raise ReliabilityError(f'{args.frame_scores[0]} carries no saved weights: name the '
                               'scores with --score-names, e.g. vcr ffp prp')
    _, default, overrides = resolve_settings(runs[0], args, names)
    try:
        table = score_reliability(runs, names, default, overrides)
    except (KeyError, ValueError) as e:
        raise ReliabilityError(str(e).strip('"')) from None
    weights = reliability_weights(table, names)

    print(f'{len(runs)} runs of {len(runs[0].video_names)} videos, '
          f'{len(runs) * (len(runs) - 1) // 2} pairs; no label read')
    print(f'  {"score":<12} {"reliability":>11} {"worst pair":>11} {"videos":>7}  weight')
    for n in names:
        r = table[n]
        print(f'  {n:<12} {r["mean"]:>11.3f} {r["min"]:>11.3f} {r["videos"]:>7}  '
              f'{weights[n]:g}')
    print('(Pearson correlation of the per-video rescaled scores between two runs, mean '
          'over videos, then over pairs; a deterministic score such as the frame difference '
          'scores 1 whatever it detects)')
    print('\nin a config:  test_evaluator = dict(score_weights={' +
          ', '.join(f'{n!r}: {w:g}' for n, w in weights.items()) + '})')
    print('re-scoring:   python tools/analysis/rescore.py RUN --weights ' +
          ' '.join(f'{n}={w:g}' for n, w in weights.items()))
    result = dict(reliability=table, weights=weights,
                  runs=[osp.abspath(p) for p in args.frame_scores])
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)
        print(f'\nwritten: {args.out}')
    return result


if __name__ == '__main__':
    run_cli(main)
