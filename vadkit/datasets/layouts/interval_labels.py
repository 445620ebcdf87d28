"""Per-video interval label files of users' own data, and the convention their numbers follow.

An interval ``[start, end]`` is ambiguous twice over: the first frame may be numbered 0 or 1
(``index_base``), and ``end`` may be the last anomalous frame (``'inclusive'``, MATLAB's and
UCSD's way) or the first normal one after it (``'exclusive'``, Python's ``range``). Both
readings load without complaint until an interval reaches the last frame, so the convention
is an explicit setting of the layout that a file can also state for itself:

- CSV/TXT: ``start,end`` rows; comment lines ``# interval_end: exclusive`` and
  ``# index_base: 1`` set the convention of that file.
- JSON: ``[[start, end], ...]``, or ``{"interval_end": "exclusive", "index_base": 0,
  "anomalies": [[start, end], ...]}`` (``"intervals"`` is accepted for ``"anomalies"``).

What a file states overrides the layout's setting. An interval outside its video is an error
that names the file, the video, the interval, the frame count and the readings that would fit.
"""
import difflib
import json
import os.path as osp
import re
from typing import List, NamedTuple, Optional, Tuple

import numpy as np

from ..dataset_errors import DatasetError

Ranges = List[Tuple[int, int]]

INTERVAL_ENDS = ('inclusive', 'exclusive')
INDEX_BASES = (0, 1)
_INTERVAL_KEYS = ('anomalies', 'intervals')
_CONVENTION_KEYS = ('interval_end', 'index_base')
_DIRECTIVE = re.compile(r'^\s*#\s*(interval_end|index_base)\s*[:=]\s*(\S+)', re.IGNORECASE)
_FORMAT_HINT = ('write one "start,end" row an interval (CSV) or [[start, end], ...] or '
                '{"anomalies": [[start, end], ...]} (JSON)')


class IntervalFile(NamedTuple):
    """What an interval file holds: its intervals as written, and the convention it states
    for itself (``None`` where it states none)."""
    intervals: Ranges
    interval_end: Optional[str] = None
    index_base: Optional[int] = None


def check_interval_end(value, where: str) -> str:
    """``value`` as one of :data:`INTERVAL_ENDS`; ``where`` names the setting in the error."""
    v = value.lower() if isinstance(value, str) else value
    if v not in INTERVAL_ENDS:
        raise DatasetError(f"{where}: interval_end must be 'inclusive' (the last anomalous "
                           "frame) or 'exclusive' (the first frame after it), got "
                           f'{value!r}')
    return v


def check_index_base(value, where: str) -> int:
    """``value`` (an int, or its text in a CSV comment) as one of :data:`INDEX_BASES`."""
    v = value if isinstance(value, int) and not isinstance(value, bool) else str(value)
    if v not in INDEX_BASES and v not in ('0', '1'):
        raise DatasetError(f'{where}: index_base must be 0 (the first frame is frame 0) or 1 '
                           f'(frames count from 1), got {value!r}')
    return int(v)


def _convention(raw: dict, path: str) -> Tuple[Optional[str], Optional[int]]:
    end = raw.get('interval_end')
    base = raw.get('index_base')
    return (None if end is None else check_interval_end(end, path),
            None if base is None else check_index_base(base, path))


def _json_intervals(data, path: str) -> IntervalFile:
    if not isinstance(data, dict):
        return IntervalFile(_pairs(data))
    known = _INTERVAL_KEYS + _CONVENTION_KEYS
    for key in data:  # a misspelt convention key would silently read the file another way
        close = difflib.get_close_matches(str(key).lower(), known, n=1, cutoff=0.75)
        if key not in known and close:
            raise DatasetError(f'{path}: unknown key {key!r}; did you mean {close[0]!r}? '
                               f'(keys read: {", ".join(known)})')
    present = [k for k in _INTERVAL_KEYS if k in data]
    if not present:
        raise DatasetError(f'{path}: no "anomalies" list (keys found: {sorted(data)}); '
                           + _FORMAT_HINT)
    return IntervalFile(_pairs(data[present[0]]), *_convention(data, path))


def _csv_intervals(lines, path: str) -> IntervalFile:
    rows, seen_line, stated = [], False, {}
    for line in lines:
        directive = _DIRECTIVE.match(line)
        if directive:
            stated[directive.group(1).lower()] = directive.group(2)
        cells = [c for c in re.split(r'[,;\s]+', line.split('#', 1)[0]) if c]
        if not cells:
            continue
        if not all(re.fullmatch(r'[+-]?\d+', c) for c in cells):
            if seen_line:
                raise ValueError(f'non-numeric row {line.strip()!r}')
            seen_line = True
            continue  # a header row such as "start,end"
        seen_line = True
        rows.append(tuple(cells))
    return IntervalFile(_pairs(rows), *_convention(stated, path))


def _pairs(rows) -> Ranges:
    out = []
    for r in rows:
        r = list(r)
        if len(r) != 2:
            raise ValueError(f'row {r} is not a [start, end] pair')
        if any(isinstance(x, (bool, float)) and x != int(x) for x in r):
            raise ValueError(f'row {r} holds a non-integer frame number')
        out.append((int(r[0]), int(r[1])))
    return out


def read_interval_spec(path: str) -> IntervalFile:
    """The intervals of one video's file (CSV/TXT or JSON, see the module docstring) and the
    convention it states, numbers as written. An empty file (or ``[]``) means no anomaly."""
    try:
        with open(path) as f:
            if osp.splitext(path)[1].lower() == '.json':
                return _json_intervals(json.load(f), path)
            return _csv_intervals(f, path)
    except (ValueError, TypeError, json.JSONDecodeError) as e:
        if isinstance(e, DatasetError):
            raise
        raise DatasetError(f'{path}: cannot read anomalous intervals ({e}); '
                           + _FORMAT_HINT) from e


def read_interval_file(path: str) -> Ranges:
    """The intervals of one video's file, numbers as written (see :func:`read_interval_spec`
    for the convention the file states)."""
    return read_interval_spec(path).intervals


def frame_slice(start: int, end: int, index_base: int, interval_end: str) -> Tuple[int, int]:
    """The 0-based ``[lo, hi)`` frames an interval marks under a convention."""
    return start - index_base, end - index_base + (interval_end == 'inclusive')


def _fits(intervals: Ranges, n: int, index_base: int, interval_end: str) -> bool:
    spans = [frame_slice(a, b, index_base, interval_end) for a, b in intervals]
    return all(0 <= lo < hi <= n for lo, hi in spans)


def describe_convention(index_base: int, interval_end: str) -> str:
    return f'{index_base}-based, end {interval_end}'


def _fixes(intervals: Ranges, n: int, index_base: int, interval_end: str, json_file: bool,
           stated: bool, count_note: str) -> str:
    """The readings closest to the one used under which every interval fits the video."""
    fitting = [(base, end) for base in INDEX_BASES for end in INTERVAL_ENDS
               if (base, end) != (index_base, interval_end) and _fits(intervals, n, base, end)]
    if not fitting:
        return ('no reading of the numbers fits this video: check that the file belongs to '
                f'these frames (not another video, frame rate or extraction){count_note}')
    changes = [(base != index_base) + (end != interval_end) for base, end in fitting]
    if json_file:
        key = {'end': '"interval_end": "{}"', 'base': '"index_base": {}'}
    else:
        key = {'end': '"# interval_end: {}"', 'base': '"# index_base: {}"'}
    hints = []
    for (base, end), k in zip(fitting, changes):
        if k > min(changes):
            continue
        what = ([f'end-{end}'] if end != interval_end else []) + (
            [f'{base}-based'] if base != index_base else [])
        layout = ([f"interval_end='{end}'"] if end != interval_end else []) + (
            [f'label_index_base={base}'] if base != index_base else [])
        in_file = ([key['end'].format(end)] if end != interval_end else []) + (
            [key['base'].format(base)] if base != index_base else [])
        where = (f'write {" and ".join(in_file)} in the file' if stated else
                 f'set {", ".join(layout)} in the layout (or write {" and ".join(in_file)} '
                 'in the file)')
        hints.append(f'written {" and ".join(what)}? {where}')
    return '; '.join(hints)


def labels_from_intervals(path: str, num_frames: int, name: str, index_base: int = 0,
                          interval_end: str = 'inclusive',
                          count_note: str = '') -> Tuple[np.ndarray, str]:
    """0/1 labels of one video from its interval file, and the convention they were read
    with: the file's own if it states one, else ``index_base`` and ``interval_end``.
    ``count_note`` says how ``num_frames`` may be wrong, for the error."""
    spec = read_interval_spec(path)
    base = index_base if spec.index_base is None else spec.index_base
    end = interval_end if spec.interval_end is None else spec.interval_end
    y = np.zeros(num_frames, dtype=np.uint8)
    stated = spec.interval_end is not None or spec.index_base is not None
    conv = f'read as {describe_convention(base, end)} ' + (
        '(as the file states)' if stated
        else f"(label_index_base={base}, interval_end='{end}')")
    for a, b in spec.intervals:
        lo, hi = frame_slice(a, b, base, end)
        if hi <= lo:
            why = 'the end is before the start'
            if end == 'exclusive':
                fix = ('make the file\'s interval_end "inclusive"' if stated
                       else "set interval_end='inclusive' in the layout")
                why = f'an end-exclusive interval must end after its start (written ' \
                      f'end-inclusive? {fix})'
            raise DatasetError(f'{path}: interval [{a}, {b}] of test video {name} marks no '
                               f'frame ({conv}): {why}')
        if 0 <= lo and hi <= num_frames:
            y[lo:hi] = 1
            continue
        last = num_frames - 1 + base
        valid = (f'valid: {base}-{last}' if end == 'inclusive'
                 else f'valid: start {base}-{last}, end up to {last + 1}')
        fix = _fixes(spec.intervals, num_frames, base, end, path.lower().endswith('.json'),
                     stated, count_note)
        raise DatasetError(f'{path} marks frames {a}-{b} of test video {name}, {conv}, but '
                           f'the video has {num_frames} frames ({valid}): {fix}')
    return y, describe_convention(base, end)
