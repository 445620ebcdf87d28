"""Open a report (of a test run, or of tools/detect.py --report) in headless Chromium and
check that its script drew every curve.

    python tools/analysis/check_report_in_browser.py RUN_DIR/report.html
    python tools/analysis/check_report_in_browser.py DETECT_OUT_DIR
    python tools/analysis/check_report_in_browser.py report.html --screenshots docs/images

The DOM after the page's script has run must hold one fused-score ``<path>`` per video with
one point per scored frame, one threshold line per video when the report has a threshold,
and one shaded ground-truth band per run of labelled anomalous frames. With ``--screenshots`` it
also saves ``report_summary.png`` (the top of the page) and ``report_video.png`` (one video's
curves, with the frames of its first event shown as a click on that event shows them).
Needs a Chromium binary (``apt-get install chromium``); nothing else in vadkit does.
"""
import argparse
import json
import os
import os.path as osp
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from vadkit.utils.errors import VadkitError, run_cli

BROWSERS = ('chromium', 'chromium-browser', 'google-chrome', 'chrome')
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars',
         '--virtual-time-budget=5000', '--run-all-compositor-stages-before-draw']


class BrowserCheckError(VadkitError):
    """No browser to run, or no report to open."""


def find_browser(given=None) -> str:
    """A Chromium binary: ``given``, ``$CHROMIUM``, or the first of :data:`BROWSERS`."""
    for name in ([given] if given else []) + [os.environ.get('CHROMIUM')] + list(BROWSERS):
        path = name and shutil.which(name)
        if path:
            return path
    raise BrowserCheckError('no Chromium found (tried ' + ', '.join(BROWSERS) + '): install '
                            'it (apt-get install chromium) or pass --browser /path/to/chrome')


def run_browser(browser: str, args, timeout: float = 120) -> str:
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run([browser] + FLAGS + [f'--user-data-dir={profile}'] + args,
                              capture_output=True, text=True, timeout=timeout, cwd=profile)
    return done.stdout


def dump_dom(browser: str, html: str) -> str:
    """The page's DOM after its script ran."""
    return run_browser(browser, ['--dump-dom', 'file://' + osp.abspath(html)])


def page_data(page: str) -> dict:
    """The data the page's script draws from."""
    m = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page,
                  re.S)
    return json.loads(m.group(1)) if m else {}


def truth_runs(video: dict) -> int:
    """Runs of consecutive labelled anomalous frames (one shaded band each)."""
    runs, prev = 0, None
    for f, y in zip(video['frames'], video['labels']):
        if y and not (prev is not None and prev == f - 1):
            runs += 1
        prev = f if y else None
    return runs


def check_points(dom: str, data: dict) -> list:
    """Problems found: a fused curve with another number of points than scored frames."""
    problems = []
    for tag in re.findall(r'<path[^>]*class="curve fused"[^>]*>', dom):
        video = re.search(r'data-video="(\d+)"', tag)
        d = re.search(r' d="([^"]*)"', tag)
        if not video or not d or not data.get('videos'):
            continue
        v = data['videos'][int(video.group(1))]
        want = sum(1 for s in v['fused'] if s is not None)
        points = len(re.findall(r'[ML]', d.group(1)))
        if points != want:
            problems.append(f'video section {video.group(1)}: its fused curve has {points} '
                            f'points for {want} scored frames')
    want = sum(truth_runs(v) for v in data.get('videos', []))
    bands = len(re.findall(r'<rect[^>]*class="truth"', dom))
    if bands != want:
        problems.append(f'{bands} ground-truth bands drawn for {want} labelled runs')
    return problems


def check_curves(dom: str, page: str) -> list:
    """Problems found: a video section without its drawn fused curve (or threshold), a curve
    without a point a scored frame, ground truth not shaded."""
    videos = sorted(set(re.findall(r'<section class="video" id="video-(\d+)"', page)), key=int)
    drawn = re.findall(r'<path[^>]*class="curve fused"[^>]*data-video="(\d+)"', dom)
    drawn += re.findall(r'<path[^>]*data-video="(\d+)"[^>]*class="curve fused"', dom)
    problems = check_points(dom, page_data(page))
    if not videos:
        problems.append('the report has no video section')
    for v in videos:
        n = drawn.count(v)
        if n != 1:
            problems.append(f'video section {v}: {n} fused curves drawn (expected 1)')
    has_threshold = '"threshold":{"value":null' not in page
    lines = len(re.findall(r'<line[^>]*class="threshold"', dom))
    if has_threshold and lines != len(videos):
        problems.append(f'{lines} threshold lines drawn for {len(videos)} videos')
    return problems


def screenshot(browser: str, html: str, png: str, width: int, height: int) -> None:
    run_browser(browser, [f'--window-size={width},{height}', f'--screenshot={osp.abspath(png)}',
                          'file://' + osp.abspath(html)])
    if not osp.isfile(png):
        raise BrowserCheckError(f'Chromium wrote no screenshot {png}')


def one_video_page(page: str, video: int) -> str:
    """The report showing only video ``video``, with its first event clicked."""
    style = ('<style>body > *:not(#curves) {display:none !important}'
             f'#curves > *:not(#video-{video}):not(#legend) {{display:none !important}}</style>')
    click = ('<script>(function(){var r=document.querySelector('
             f'\'tr.event-row[data-video="{video}"]\');if(r)r.click();window.scrollTo(0,0);'
             '})();</script>')
    return page.replace('</head>', style + '</head>').replace('</body>', click + '</body>')


def main() -> int:
    parser = argparse.ArgumentParser(description='Check a report in headless Chromium')
    parser.add_argument('report', help='report.html (or a run folder holding one)')
    parser.add_argument('--screenshots', metavar='DIR', help='save report_summary.png and '
                        'report_video.png here')
    parser.add_argument('--video', type=int, help='video section of report_video.png '
                        '(default: the first with an event)')
    parser.add_argument('--browser', help='Chromium binary')
    args = parser.parse_args()
    html = osp.join(args.report, 'report.html') if osp.isdir(args.report) else args.report
    if not osp.isfile(html):
        raise BrowserCheckError(f'{html} does not exist: make it with vadkit report RUN_DIR')
    browser = find_browser(args.browser)
    with open(html, encoding='utf-8') as f:
        page = f.read()
    problems = check_curves(dump_dom(browser, html), page)
    for p in problems:
        print(f'FAIL: {p}')
    if not problems:
        n = len(set(re.findall(r'<section class="video" id="video-(\d+)"', page)))
        print(f'OK: {n} videos, each with its fused curve drawn, one point a scored frame, '
              f'ground truth shaded ({osp.basename(browser)})')
    if args.screenshots:
        os.makedirs(args.screenshots, exist_ok=True)
        summary = osp.join(args.screenshots, 'report_summary.png')
        screenshot(browser, html, summary, 1000, 820)
        events = re.findall(r'class="event-row" data-video="(\d+)"', page)
        video = args.video if args.video is not None else int(events[0]) if events else 0
        with tempfile.TemporaryDirectory() as tmp:
            single = osp.join(tmp, 'video.html')
            with open(single, 'w', encoding='utf-8') as f:
                f.write(one_video_page(page, video))
            shot = osp.join(args.screenshots, 'report_video.png')
            screenshot(browser, single, shot, 1000, 560)
        print(f'screenshots: {summary}, {shot}')
    return 1 if problems else 0


if __name__ == '__main__':
    run_cli(main)
