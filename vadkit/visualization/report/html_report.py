"""Write a report: one self-contained HTML file (inline script and style, no network, opens
from ``file://``). One renderer for every kind of run: a test run's saved files
(:func:`write_report`) and a detection run (:mod:`.detect_run`) are both adapted to the dict
of :func:`~.report_data.build_report_data`, which the page draws."""
import json
import math
import os
import os.path as osp
import re
from html import escape
from importlib import resources
from typing import Dict, List, Optional

from .frame_thumbnails import Thumbnails, make_thumbnails
from .html_sections import event_table, summary_section, video_sections, video_table
from .report_data import build_report_data
from .run_files import ReportInputError, TestRun, load_test_run
from .threshold_events import ScoreEvent, choose_threshold, find_events

REPORT_NAME = 'report.html'


def _json_safe(value):
    """NaN and infinities as ``null`` (JSON has neither)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def script_json(data: dict) -> str:
    """``data`` as JSON that cannot end the ``<script>`` element it is embedded in."""
    text = json.dumps(_json_safe(data), separators=(',', ':'), default=str, allow_nan=False)
    return text.replace('</', '<\\/').replace('<!--', '<\\!--')


def render_html(data: dict) -> str:
    """The page: the template with the summary, tables, figures and data filled in."""
    template = resources.files(__package__).joinpath('template.html').read_text('utf-8')
    index = {v['name']: i for i, v in enumerate(data['videos'])}
    parts = {
        '__TITLE__': escape(data['title']),
        '__INTRO__': escape(data.get('intro', '')),
        '__SUMMARY__': summary_section(data),
        '__VIDEO_TABLE__': video_table(data['videos'], data['score_names']),
        '__EVENT_TABLE__': event_table(data['events'], index),
        '__VIDEO_SECTIONS__': video_sections(data['videos']),
        '__DATA__': script_json(data),
    }
    # one pass: text filled in (a config copy, a video name) is never searched again
    return re.sub(r'__[A-Z_]+?__', lambda m: parts.get(m.group(0), m.group(0)), template)


def run_events(run: TestRun, threshold: float, min_event_frames: int,
               merge_gap: int) -> Dict[str, List[ScoreEvent]]:
    return {v.name: find_events(v.frames, v.fused, threshold, v.labels, min_event_frames,
                                merge_gap) for v in run.videos}


def write_report(run_dir: str, out: Optional[str] = None, threshold: Optional[float] = None,
                 config: Optional[str] = None, data_root: Optional[str] = None,
                 with_frames: bool = True, min_event_frames: int = 1, merge_gap: int = 0,
                 max_events_with_frames: int = 60) -> str:
    """Build the report of the test run in ``run_dir``; returns the written file's path
    (``run_dir/report.html`` by default).

    Args:
        threshold: The fused-score threshold of the events (default: picked from the
            scores, see :func:`choose_threshold`).
        config: The config whose test layout finds the frames (default: the run's copy).
        data_root: The dataset root, overriding the config's.
        with_frames: Embed thumbnails of the frames around event peaks.
    """
    if min_event_frames < 1 or merge_gap < 0:
        raise ReportInputError(f'--min-event-frames must be >= 1 and --merge-gap >= 0, got '
                               f'{min_event_frames} and {merge_gap}')
    if threshold is not None and not math.isfinite(threshold):
        raise ReportInputError(f'--threshold must be a finite number, got {threshold}')
    if config is not None and not osp.isfile(config):
        raise ReportInputError(f'config {config} does not exist: give the config of the run '
                               '(or leave --config out to use the copy in the run folder)')
    run = load_test_run(run_dir)
    if config:
        run.config_path = config
    choice = choose_threshold([v.fused for v in run.videos], [v.labels for v in run.videos],
                              threshold)
    events = run_events(run, choice.value, min_event_frames, merge_gap)
    peaks = [(name, e.peak_frame, e.peak_score) for name, es in events.items() for e in es]
    thumbnails = (make_thumbnails(run.config_path, peaks, data_root, max_events_with_frames)
                  if with_frames else Thumbnails(note='frames are not embedded (--no-frames)'))
    data = build_report_data(run, choice, events, thumbnails,
                             {'min_event_frames': min_event_frames, 'merge_gap': merge_gap})
    return save_page(data, out or osp.join(run_dir, REPORT_NAME))


def save_page(data: dict, out: str) -> str:
    """Render ``data`` and write it to ``out`` (a folder: ``out/report.html``) at once (a
    reader never sees half a page); returns the file's path."""
    if osp.isdir(out):
        out = osp.join(out, REPORT_NAME)
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    tmp = f'{out}.tmp{os.getpid()}'
    with open(tmp, 'w', encoding='utf-8') as f:
        f.write(render_html(data))
    os.replace(tmp, out)
    return out
