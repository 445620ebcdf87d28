"""Recompute every test metric from a run's saved frame scores, without the model.

    python tools/analysis/rescore.py work_dirs/x/test/frame_scores.npz
    python tools/analysis/rescore.py FILE --weights vcr=0.1 ffp=0.8 prp=1 \
        --normalizer RobustNormalizer --normalizer-for prp=MinMaxNormalizer --smooth 3
    python tools/analysis/rescore.py FILE --weights vcr.pse=1          # one measure alone
    python tools/analysis/rescore.py FILE --score-names vcr.mse vcr.pse vcr.bpe
    python tools/analysis/rescore.py RUN1/frame_scores.npz RUN2/frame_scores.npz  # ensemble
    python tools/analysis/rescore.py FILE --fusion RankFusion        # another fusion

Without options it uses the settings the run saved and reproduces its metrics exactly.
Several files (test runs of the same test set, e.g. models trained with other seeds) are
scored as an ensemble: each score normalised per video in each run, averaged over the runs,
then fused (``FrameScores.average``).
"""
import argparse
import json
import math
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from vadkit.evaluation import FrameScores
from vadkit.evaluation.task_skill import describe_left_out
from vadkit.utils import register_all_modules
from vadkit.utils.errors import VadkitError, run_cli
from vadkit.utils.scoring_options import (
    add_scoring_args,
    describe_normalizers,
    parse_normalizer,
    resolve_settings,
)


class RescoreError(VadkitError, ValueError):
    """Saved frame scores that cannot be scored as asked."""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Re-score saved frame scores (frame_scores.npz of tools/test.py) with '
        'other weights, normalizers or smoothing, in seconds and without the model.')
    parser.add_argument('frame_scores', nargs='+',
                        help='frame_scores.npz (or the folder holding it); several: an '
                        'ensemble of those runs')
    add_scoring_args(parser)
    parser.add_argument('--fusion', metavar='TYPE',
                        help='how the rescaled scores are fused (default: the saved one, else '
                        "the weighted sum): WeightedSum, RankFusion, MedianFusion, "
                        "'CappedWeightedSum(max_share=0.4)', "
                        "'StabilityWeightedSum(stats_file=\"normal_stats.json\")'")
    parser.add_argument('--score-names', nargs='+', metavar='NAME',
                        help="scores to evaluate each alone (default: all; 'none' for none), "
                        'e.g. vcr.mse vcr.pse vcr.bpe ffp.mse ffp.pse ffp.bpe for Table 4')
    parser.add_argument('--per-video', action='store_true',
                        help="print each video's AUROC of the fused score")
    parser.add_argument('--out-dir', help='also write metrics.json, frame_scores.{npz,csv} '
                        'and per_video_auroc.csv of this scoring there')
    return parser.parse_args(argv)


def pct(x: float) -> str:
    return 'n/a' if x is None or (isinstance(x, float) and math.isnan(x)) else f'{100 * x:.2f}'


def _same(a, b) -> bool:
    both_nan = isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)
    return both_nan or a == b


def main(argv=None) -> dict:
    args = parse_args(argv)
    register_all_modules(init_default_scope=False)
    runs = [FrameScores.load(p) for p in args.frame_scores]
    scores = runs[0]
    if not scores.settings:
        print('note: this file carries no saved settings (an older test run): the weights '
              'must be given, and the normalizer defaults to MinMaxNormalizer unless '
              '--normalizer is given')
    weights, default, overrides = resolve_settings(scores, args)
    member_normalizers = None
    if len(runs) > 1:
        try:
            scores = FrameScores.average(runs, default, overrides)
        except (KeyError, ValueError) as e:
            raise RescoreError(str(e).strip('"')) from None
        member_normalizers = default, overrides
        default, overrides = scores.normalizer_settings()
    if not weights:
        raise RescoreError(f'{args.frame_scores[0]} carries no saved weights: pass --weights, '
                           'e.g. vcr=0.1 ffp=0.8 prp=1')
    fusion = scores.settings.get('fusion')
    if args.fusion:
        fusion = parse_normalizer(args.fusion)
        from vadkit.evaluation.fusions import build_score_fusion
        try:
            build_score_fusion(fusion)
        except (KeyError, ValueError, FileNotFoundError) as e:
            raise RescoreError(f'--fusion {args.fusion!r}: {str(e).strip(chr(34))}') from None
    if args.score_names == ['none']:
        alone = []
    elif not args.score_names or args.score_names == ['all']:
        alone = list(scores.score_names)
    else:
        alone = args.score_names
    try:
        ev = scores.evaluate(weights, default, overrides, score_names=alone, fusion=fusion)
    except (KeyError, ValueError) as e:
        raise RescoreError(str(e).strip('"')) from None

    if member_normalizers:
        print(f'ensemble of {len(runs)} runs: each score normalised per video in each run, '
              'averaged over the runs, then rescaled again and fused as below')
        for line in describe_left_out(scores.settings.get('left_out', {}), args.frame_scores):
            print(line)
    print(f'frame scores: {" ".join(args.frame_scores)} ({len(scores.video_names)} videos; scores '
          f'{", ".join(scores.score_names)})')
    print('weights (alphas): ' + ', '.join(f'{k}={v:g}' for k, v in weights.items()))
    if fusion is not None:
        print(f'fusion: {fusion}')
    shown = list(dict.fromkeys(list(weights) + alone))
    if member_normalizers:
        print('normalizers of each run (per video, before averaging):')
        print('\n'.join(describe_normalizers(shown, *member_normalizers)))
        print('applied to the averages (their per-video rescalings only):')
    else:
        print('normalizers (per video, before fusion):')
    print('\n'.join(describe_normalizers(shown, default, overrides)))
    print(scores.summary(ev))
    m = ev.metrics
    print(f"fused score A: micro AUROC {pct(m['micro_auroc'])} % (all frames pooled) | "
          f"macro AUROC {pct(m['macro_auroc'])} % (mean over {m['macro_videos']} videos) | "
          f"AUPRC {pct(m['auprc'])} % | EER {pct(m['eer'])} %")

    table = {}
    if alone:
        print('\neach score alone (its own normalizer, weight 1):')
        print(f'  {"score":<12} {"micro AUROC":>12} {"macro AUROC":>12} {"AUPRC":>8} '
              f'{"EER":>8}')
        for n in alone:
            one = scores.evaluate({n: 1.0}, default, overrides, score_names=[n]).metrics
            table[n] = {k: one[k] for k in ('micro_auroc', 'macro_auroc', 'auprc', 'eer')}
            print(f'  {n:<12} {pct(one["micro_auroc"]):>12} {pct(one["macro_auroc"]):>12} '
                  f'{pct(one["auprc"]):>8} {pct(one["eer"]):>8}')
    if args.per_video:
        print('\nper video (AUROC of A):')
        for i, name in enumerate(scores.video_names):
            auc = ev.per_video_auroc[i]
            note = ''
            if i in ev.excluded:
                note = f'excluded: {ev.excluded_reasons[ev.excluded.index(i)]}'
            print(f'  {name:<16} {scores.frames[i].size:>6} frames '
                  f'{int(scores.labels[i].sum()):>6} anomalous  AUROC {pct(auc):>6}  {note}')

    no_options = not any([args.weights, args.normalizer, args.normalizer_for,
                          args.smooth is not None, args.stats_file, args.fusion])
    first = args.frame_scores[0]
    folder = first if osp.isdir(first) else osp.dirname(osp.abspath(first))
    saved_metrics = osp.join(folder, 'metrics.json')
    if no_options and len(runs) == 1 and osp.isfile(saved_metrics):
        with open(saved_metrics) as f:
            run = json.load(f)
        same = all(_same(run[k], v) for k, v in m.items() if k in run)
        print(f'\nthe run\'s {saved_metrics}: {"reproduced exactly" if same else "DIFFERS"}')

    if args.out_dir:
        scores.settings = dict(score_weights=weights, normalizer=default, normalizers=overrides)
        if fusion is not None:
            scores.settings['fusion'] = fusion
        files = scores.save(args.out_dir, scores.evaluate(weights, default, overrides))
        with open(osp.join(args.out_dir, 'metrics.json'), 'w') as f:
            json.dump(dict(m, each_score_alone=table, settings=scores.settings,
                           source=[osp.abspath(p) for p in args.frame_scores]), f,
                      indent=2)
        print(f'\nwritten: {", ".join(files + [osp.join(args.out_dir, "metrics.json")])}')
    return dict(metrics=m, alone=table, evaluation=ev)


if __name__ == '__main__':
    run_cli(main)
