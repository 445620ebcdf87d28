"""The report's static HTML parts: summary, metrics, and the video and event tables.

They are written as plain HTML (readable with scripts off, and by a search of the file);
the page's script only makes the tables sortable and draws the curves.
"""
import json
from html import escape
from typing import Iterable, List, Optional, Sequence

METRIC_LABELS = {
    'micro_auroc': 'micro AUROC (frames of all videos pooled)',
    'macro_auroc': 'macro AUROC (mean over videos with both classes)',
    'auprc': 'average precision (area under the precision-recall curve)',
    'average_precision': 'average precision',
    'eer': 'equal error rate',
    'macro_videos': 'videos in the macro AUROC',
    'macro_excluded_videos': 'videos left out of the macro AUROC (one class only)',
    'scored_frames': 'scored frames',
    'anomalous_frames': 'anomalous frames',
}
PERCENT_KEYS = ('auprc', 'average_precision', 'eer')


def _fmt(value, digits: int = 4) -> str:
    if value is None:
        return '–'
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return 'nan' if value != value else f'{value:.{digits}f}'
    return str(value)


def _pct(value) -> str:
    return '–' if value is None or value != value else f'{100 * value:.2f} %'


def definition_list(rows: Iterable[tuple]) -> str:
    items = ''.join(f'<dt>{escape(str(k))}</dt><dd>{v}</dd>' for k, v in rows)
    return f'<dl>{items}</dl>'


def variant_label(label: str, settings: Optional[dict] = None) -> str:
    """What ``micro_auroc_<label>`` measured: other weights (``compare_weights``) or
    another rescaling (``compare_normalizers``), with its values where the run saved
    them."""
    settings = settings or {}
    weights = (settings.get('compare_weights') or {}).get(label)
    if weights is not None:
        shown = ', '.join(f'{n} {_fmt(float(w), 2)}' for n, w in weights.items())
        return f'micro AUROC with the {label!r} weights ({shown})'
    normalizer = (settings.get('compare_normalizers') or {}).get(label)
    if normalizer is not None:
        return f'micro AUROC with the {label!r} rescaling ({normalizer.get("type", "?")})'
    return f'micro AUROC, {label!r} variant (other weights or rescaling)'


def metrics_table(metrics: dict, score_names: Sequence[str],
                  settings: Optional[dict] = None) -> str:
    """Every metric of ``metrics.json``, fused first, then each task's AUROC; ``settings``
    (of the saved scores) tell what each ``micro_auroc_<label>`` is."""
    rows = []
    for key, value in metrics.items():
        if not isinstance(value, (int, float)):
            continue
        label = METRIC_LABELS.get(key, key)
        for name in score_names:
            if key == f'{name}_micro_auroc':
                label = f'task {name} alone: micro AUROC'
        if key.startswith('micro_auroc_'):
            label = variant_label(key[12:], settings)
        shown = _pct(value) if ('auroc' in key and key != 'macro_videos'
                               and not key.endswith('_videos')) or key in PERCENT_KEYS \
            else _fmt(value)
        rows.append(f'<tr><td>{escape(label)}</td><td><code>{escape(key)}</code></td>'
                    f'<td class="num">{shown}</td></tr>')
    if not rows:
        return '<p class="note">No metrics.json in the run folder.</p>'
    return ('<table id="metrics" class="plain"><thead><tr><th>metric</th><th>key</th>'
            f'<th>value</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def summary_section(data: dict) -> str:
    """Run, config, checkpoint, data, scores, normaliser settings and machine (a detection
    run brings its own first rows: ``summary_rows``, ``(label, HTML)`` pairs)."""
    cfg, t, thr = data['config'], data['totals'], data['threshold']
    settings = data['settings']
    run_rows = [tuple(r) for r in data['summary_rows']] if data.get('summary_rows') else [
        ('run folder', f'<code>{escape(data["run_dir"])}</code>'),
        ('config', f'<code>{escape(str(cfg.get("config") or "not found"))}</code>'),
        ('checkpoint', f'<code>{escape(str(cfg.get("checkpoint") or "not recorded"))}</code>'),
        ('data root', f'<code>{escape(str(cfg.get("data_root") or "not recorded"))}</code>'),
        ('test set', f'{t["videos"]} videos, {t["scored_frames"]} scored frames, '
                     f'{t["anomalous_frames"]} labelled anomalous'),
        ('scores', escape(', '.join(data['score_names']) or 'none')),
        ('score weights', f'<code>{escape(json.dumps(settings.get("score_weights")))}</code>'),
        ('normalizer', f'<code>{escape(json.dumps(settings.get("normalizer")))}</code>'),
    ]
    if settings.get('normalizers') and not data.get('summary_rows'):
        run_rows.append(('per-score normalizers',
                         f'<code>{escape(json.dumps(settings["normalizers"]))}</code>'))
    value = thr['value']
    run_rows += [
        ('threshold', f'<b>{_fmt(value)}</b> on the fused score: {escape(thr["rule"])}'),
        ('events', f'{t["events"]} runs of frames above the threshold '
                   f'(at least {thr["min_event_frames"]} frame(s) long; runs at most '
                   f'{thr["merge_gap"]} frame(s) apart merged); '
                   f'{t["events_with_anomalous_frames"]} hold labelled anomalous frames'),
        ('frames', escape(data['thumbnail_note'])),
        ('report made', escape(data['generated'])),
    ]
    machine = data['machine']
    machine_html = definition_list((k, escape(_fmt(v))) for k, v in machine.items()) \
        if machine else '<p class="note">No machine.json in the run folder.</p>'
    table = metrics_table(data['metrics'], data['score_names'], data.get('settings'))
    metrics_html = (f'<h3>Metrics</h3>{table}'
                    if data.get('kind', 'test') == 'test' or data['metrics'] else '')
    config_text = cfg.get('config_text')
    config_html = (f'<details><summary>config copy ({escape(str(cfg.get("config")))})'
                   f'</summary><pre>{escape(config_text)}</pre></details>'
                   if config_text else '')
    return (f'<section id="summary"><h2>Summary</h2>{definition_list(run_rows)}'
            f'{metrics_html}'
            f'<h3>Machine</h3>{machine_html}{config_html}</section>')


def sortable_table(table_id: str, headers: List[tuple], rows: List[List[tuple]]) -> str:
    """A table the page sorts by clicking a header; cells are ``(text, sort key)``."""
    head = ''.join(f'<th data-type="{kind}">{escape(h)}</th>' for h, kind in headers)
    body = []
    for row in rows:
        attrs = row[0][2] if len(row[0]) > 2 else ''
        cells = ''.join(f'<td data-sort="{escape(str(key))}">{text}</td>'
                        for text, key, *_ in row)
        body.append(f'<tr{attrs}>{cells}</tr>')
    return (f'<table id="{table_id}" class="sortable"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def _num(value: Optional[float]) -> tuple:
    return (_fmt(value), '' if value is None else value)


def video_table(videos: List[dict], score_names: Sequence[str]) -> str:
    headers = [('video', 'text'), ('AUROC', 'num')] + [
        (f'AUROC {n}', 'num') for n in score_names] + [
        ('scored frames', 'num'), ('anomalous frames', 'num'), ('events', 'num')]
    rows = []
    for i, v in enumerate(videos):
        link = f'<a href="#video-{i}">{escape(v["name"])}</a>'
        rows.append([(link, v['name'], f' data-video="{i}"'), _num(v['auroc'])]
                    + [_num(v['task_auroc'].get(n)) for n in score_names]
                    + [(str(v['scored_frames']), v['scored_frames']),
                       (str(v['anomalous_frames']), v['anomalous_frames']),
                       (str(v['events']), v['events'])])
    return sortable_table('video-table', headers, rows)


def event_table(events: List[dict], video_index: dict) -> str:
    if not events:
        return '<p class="note" id="event-table">No event: no frame is above the threshold.</p>'
    headers = [('video', 'text'), ('event', 'num'), ('start', 'num'), ('end', 'num'),
               ('frames', 'num'), ('peak frame', 'num'), ('peak score', 'num'),
               ('mean score', 'num'), ('anomalous frames inside', 'num')]
    rows = []
    for e in events:
        i = video_index[e['video']]
        attrs = f' class="event-row" data-video="{i}" data-frame="{e["peak"]}"'
        rows.append([(escape(e['video']), e['video'], attrs), (str(e['id']), e['id']),
                     (str(e['start']), e['start']), (str(e['end']), e['end']),
                     (str(e['frames']), e['frames']), (str(e['peak']), e['peak']),
                     _num(e['peak_score']), _num(e['mean_score']),
                     (str(e['anomalous_frames']), e['anomalous_frames'])])
    return sortable_table('event-table', headers, rows)


def video_sections(videos: List[dict]) -> str:
    """One empty figure a video; the script draws its curves into it."""
    parts = []
    for i, v in enumerate(videos):
        auroc = f'AUROC {_fmt(v["auroc"])}' if v['auroc'] is not None else 'AUROC undefined'
        parts.append(f'<section class="video" id="video-{i}" data-video="{i}">'
                     f'<h3>{escape(v["name"])} <small>{auroc}, {v["scored_frames"]} frames, '
                     f'{v["anomalous_frames"]} anomalous, {v["events"]} events</small></h3>'
                     f'<div class="plot" data-video="{i}"></div>'
                     f'<div class="frame-view" data-video="{i}"></div></section>')
    return ''.join(parts)
