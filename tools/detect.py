"""Detect anomalies in your own videos: per-frame scores, events, plots, annotated videos.

Offline (default): INPUT is a video file, a frame folder, or a folder of videos and/or
frame folders; every video gets, under OUT_DIR/<video name>/:
scores.csv and scores.json (per-frame raw, normalized and combined scores), events.json,
scores.png (score curve, threshold, events) and, with --video-out, annotated.mp4.

Streaming (--stream): INPUT is a camera index (0), an RTSP/HTTP URL, or a file read as a
stream; frames are scored as they arrive with causal normalization, and each event is
printed (one JSON line) and appended to events.jsonl as soon as it closes.

With --report, OUT_DIR/report.html (or the given path) is one self-contained page of the
run: summary, every video's curves with threshold, events and ground truth (--labels), the
frames and error heat maps around the events, sortable tables (docs/report.md).

Examples:
    python tools/detect.py CONFIG CKPT site.mp4 --out-dir outputs/detect --video-out
    python tools/detect.py CONFIG CKPT videos/ --mode causal --percentile 99.5
    python tools/detect.py CONFIG CKPT videos/ --labels gt/ --report
    python tools/detect.py CONFIG CKPT rtsp://cam/stream --stream --out-dir outputs/live
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from vadkit.utils.cli_values import (  # noqa: E402
    KeyValueOptions,
    finite_float,
    percentile,
    positive_float,
    whole_number,
)
from vadkit.utils.errors import run_cli  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Detect anomalies in videos with a trained model',
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument('config', help='config file the checkpoint was trained with')
    p.add_argument('checkpoint', help='checkpoint file, or the work dir of an ensemble '
                   '(ensemble = dict(members=K): its members\' scores averaged, offline)')
    p.add_argument('input', help='video file, frame folder, folder of videos/frame folders; '
                   'with --stream also a camera index or an RTSP/HTTP URL')
    p.add_argument('--out-dir', default='outputs/detect', help='where results go')
    thr = p.add_mutually_exclusive_group()
    thr.add_argument('--threshold', type=finite_float,
                     help='fixed threshold on the combined score')
    thr.add_argument('--percentile', type=percentile(0, 100),
                     help='threshold at this percentile of the calibration videos\' scores '
                     '(default: the calibrated percentile)')
    p.add_argument('--calibration', help='calibration file (default: '
                   '<checkpoint>.calib.json if it exists)')
    p.add_argument('--mode', choices=['offline', 'causal'], default='offline',
                   help='offline: per-video rescaling of the test evaluator (as tools/test.py); '
                   'causal: per-frame rescaling with calibration statistics (as --stream)')
    p.add_argument('--causal-norm', choices=['calibration', 'running'], default='calibration',
                   help='causal rescaling: z-score with calibration statistics, or with the '
                   'last --running-window scores')
    p.add_argument('--running-window', type=whole_number(2, 'scores'), default=500,
                   help='scores the running causal normalizer keeps')
    p.add_argument('--running-warmup', type=whole_number(2, 'scores'), default=50,
                   help='scores the running normalizer sees before it scores (<= '
                   '--running-window)')
    p.add_argument('--stream', action='store_true',
                   help='process INPUT frame by frame as a live stream (causal)')
    p.add_argument('--max-frames', type=whole_number(1, 'frames'),
                   help='stop a stream after this many frames')
    p.add_argument('--video-out', action='store_true',
                   help='also write annotated.mp4 (error heat map, score strip, events)')
    p.add_argument('--no-plot', action='store_true', help='skip scores.png')
    p.add_argument('--labels', metavar='FILE',
                   help='ground truth shaded in scores.png: per-frame 0/1 (.npy, .csv/.txt) or '
                   'start,end intervals (.csv/.txt/.json); a folder: one <video>.<ext> a video')
    p.add_argument('--report', nargs='?', const='', metavar='PATH',
                   help='also write a self-contained HTML report of the run (default path: '
                   'OUT_DIR/report.html)')
    p.add_argument('--report-max-events', type=whole_number(1, 'events'), default=60,
                   help='the report embeds the frames of at most this many events (the '
                   'highest peaks)')
    p.add_argument('--batch-size', type=whole_number(1, 'windows'),
                   help='windows per forward pass (default: the test dataloader\'s)')
    p.add_argument('--device', default='cpu', help='cpu, cuda, cuda:1, ...')
    p.add_argument('--fps', type=positive_float('frames per second'),
                   help='frame rate for times in seconds (default: the video\'s; 25 for '
                   'frame folders and sources that tell none)')
    p.add_argument('--min-event-frames', type=whole_number(1, 'frames'), default=1,
                   help='drop events shorter than this many frames')
    p.add_argument('--merge-gap', type=whole_number(0, 'frames'), default=0,
                   help='merge events separated by at most this many normal frames')
    p.add_argument('--cfg-options', nargs='+', action=KeyValueOptions,
                   help='override config entries')
    p.add_argument('--quiet', action='store_true', help='no progress bars')
    args = p.parse_args(argv)
    if args.causal_norm == 'running' and args.running_warmup > args.running_window:
        p.error(f'argument --running-warmup: must be at most --running-window '
                f'({args.running_window}), got {args.running_warmup}')
    return args


def unique_dir(root: str, name: str, used: set) -> str:
    base, k = name or 'video', 1
    while name in used:
        k += 1
        name = f'{base}_{k}'
    used.add(name)
    path = osp.join(root, name)
    os.makedirs(path, exist_ok=True)
    return path


def describe_events(result) -> str:
    if result.threshold is None:
        return 'no threshold: no events (run tools/calibrate.py or pass --threshold)'
    if not result.events:
        return f'no event above {result.threshold:.4g}'
    spans = ', '.join(f'{e.start_time:.2f}-{e.end_time:.2f}s (frames {e.start_frame}-'
                      f'{e.end_frame}, peak {e.peak_score:.3g})' for e in result.events[:5])
    more = f' (+{len(result.events) - 5} more)' if len(result.events) > 5 else ''
    return f'{len(result.events)} event(s) above {result.threshold:.4g}: {spans}{more}'


def fps_note(src) -> None:
    if not src.fps_known:
        print(f'note: {src.location} tells no frame rate: event times assume {src.fps:g} fps '
              '(pass --fps to set it)', file=sys.stderr, flush=True)


def frame_count_note(result) -> str:
    """What the per-video line says of a video that decoded short of its header."""
    from vadkit.datasets.layouts.video_files import is_truncated
    if not is_truncated(result.header_frames, result.num_frames):
        return ''
    return (f'; WARNING: its header declares {result.header_frames} frames, only '
            f'{result.num_frames} decoded (truncated or corrupt file: re-download or '
            're-encode it)')


def ground_truth(args, result):
    """The 0/1 labels of ``result``'s frames from --labels (``None`` without them)."""
    if not args.labels:
        return None
    from vadkit.apis.frame_labels import find_label_file, read_frame_labels
    path = find_label_file(args.labels, result.name)
    if path is None:
        print(f'note: no label file for {result.name} in {args.labels}', file=sys.stderr)
        return None
    return read_frame_labels(path, result.num_frames, result.name)


def run_offline(args, det, inputs, reported=None) -> list:
    """Score every input; with ``reported`` (a list), add each scored video to it."""
    from vadkit.apis import InputError, open_source, plot_scores, write_annotated_video
    from vadkit.datasets import FrameDecodeError
    used, summary = set(), []
    for inp in inputs:
        try:
            src = open_source(inp, fps=args.fps)
            fps_note(src)
            result = det.score_video(src, progress=not args.quiet, heatmaps=args.video_out,
                                     batch_size=args.batch_size)
        except (InputError, FrameDecodeError) as e:
            print(f'error: {e}', file=sys.stderr, flush=True)
            summary.append(dict(input=str(inp), error=str(e)))
            continue
        out = unique_dir(args.out_dir, result.name, used)
        labels = ground_truth(args, result)
        files = dict(csv=result.save_csv(osp.join(out, 'scores.csv')),
                     json=result.save_json(osp.join(out, 'scores.json')),
                     events=result.save_events(osp.join(out, 'events.json')))
        if not args.no_plot:
            files['plot'] = plot_scores(result, osp.join(out, 'scores.png'), labels=labels)
        if args.video_out:
            files['video'] = write_annotated_video(result, src, osp.join(out, 'annotated.mp4'))
            result.heatmaps = None  # written: a report keeps only the frames it shows
        if reported is not None:
            from vadkit.visualization.report.detect_run import DetectedVideo
            reported.append(DetectedVideo(osp.basename(out), src.location, result, labels))
        print(f'{result.name}: {result.num_frames} frames ({int(result.mask.sum())} scored), '
              f'{describe_events(result)}{frame_count_note(result)} -> {out}', flush=True)
        summary.append(dict(input=str(inp), **result.summary(), outputs=files,
                            events=[e.to_dict() for e in result.events]))
    return summary


def run_stream(args, det, inp, reported=None) -> list:
    """Score one stream; with ``reported`` (a list), add it and its kept frames."""
    from vadkit.apis import InputError, StreamingVideoWriter, open_source, plot_scores
    from vadkit.apis.results import ScoreCsvWriter
    from vadkit.apis.streaming import StreamRecorder
    src = open_source(inp, fps=args.fps)
    fps_note(src)
    out = unique_dir(args.out_dir, src.name, set())
    events_log = open(osp.join(out, 'events.jsonl'), 'w')

    def on_event(e):
        record = dict(video=src.name, **e.to_dict(),
                      wall_time=time.strftime('%Y-%m-%dT%H:%M:%S'))
        line = json.dumps(record)
        print(line, flush=True)
        events_log.write(line + '\n')
        events_log.flush()

    sd = det.streaming(on_event=on_event, heatmaps=args.video_out or reported is not None)
    recorder = StreamRecorder(sd)
    keeper = None
    if reported is not None:
        from vadkit.visualization.report.detect_frames import StreamFrameKeeper
        keeper = StreamFrameKeeper(osp.basename(out), det.merge_gap, args.report_max_events)
    video = (StreamingVideoWriter(osp.join(out, 'annotated.mp4'), src.fps, sd.threshold,
                                  name=src.name) if args.video_out else None)
    csv_path = osp.join(out, 'scores.csv')
    bar = None
    if not args.quiet:
        from tqdm import tqdm
        bar = tqdm(total=src.num_frames if not src.live else None, desc=src.name,
                   unit='frame', dynamic_ncols=True, mininterval=0.5)
    print(f'streaming {src.location} (threshold {sd.threshold:.4g}, {sd.threshold_source}); '
          'events print as they close; Ctrl-C stops', file=sys.stderr, flush=True)
    frames = sd.iter_frames(src, args.max_frames, src.fps)
    with open(csv_path, 'w', newline='') as f:
        rows = None  # scored frames only, written as they come
        try:
            for raw, fs in frames:
                recorder.add(fs)
                if keeper is not None:
                    keeper.add(raw, fs)
                if fs.raw:
                    rows = rows or ScoreCsvWriter(f, list(fs.raw))
                    rows.row(fs.frame, fs.time, True, fs.raw, fs.normalized, fs.score,
                             fs.anomalous)
                if video is not None:
                    video.write(raw, fs)
                if bar is not None:
                    bar.update(1)
        except KeyboardInterrupt:
            print('stopped', file=sys.stderr)
        finally:
            frames.close()  # closes the open event
            events_log.close()
            if bar is not None:
                bar.close()
            if video is not None:
                video.close()
    n = sd.frame_count
    if n < det.window_length:
        raise InputError(f'{src.location} gave {n} frame(s), fewer than the '
                         f'{det.window_length} of one window: nothing was scored')
    result = recorder.result(src, sd.final_events)
    result.save_events(osp.join(out, 'events.json'))
    files = dict(csv=csv_path, events=osp.join(out, 'events.json'),
                 events_log=osp.join(out, 'events.jsonl'))
    labels = ground_truth(args, result)
    if not args.no_plot:
        files['plot'] = plot_scores(result, osp.join(out, 'scores.png'), labels=labels)
    if keeper is not None:
        from vadkit.visualization.report.detect_run import DetectedVideo
        reported.append(DetectedVideo(osp.basename(out), src.location, result, labels))
        reported.thumbnails = keeper.finish(sd.final_events)
    if video is not None:
        files['video'] = video.path
    print(f'{src.name}: {n} frames, {describe_events(result)}{frame_count_note(result)} '
          f'-> {out}', flush=True)
    return [dict(input=str(inp), **result.summary(), outputs=files,
                 events=[e.to_dict() for e in result.events])]


class ReportedVideos(list):
    """The videos a report shows (:class:`DetectedVideo`), and a stream's kept frames."""
    thumbnails = None


def check_report_path(path: str) -> None:
    """Refuse, before any scoring, a --report PATH that cannot be written."""
    from vadkit.apis import InputError
    folder = path if osp.isdir(path) else osp.dirname(osp.abspath(path))
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as e:
        raise InputError(f'--report {path}: cannot make its folder {folder} ({e.strerror}); '
                         'give a writable file path or folder') from None
    if not os.access(folder, os.W_OK):
        raise InputError(f'--report {path}: the folder {folder} is not writable; give a '
                         'writable file path or folder')


def write_report(args, det, reported) -> str:
    """The run's HTML report (--report), with the frames around its events."""
    from vadkit.visualization.report.detect_frames import offline_thumbnails
    from vadkit.visualization.report.detect_run import write_detect_report
    thumbs = reported.thumbnails
    if thumbs is None:
        thumbs = offline_thumbnails(det, [(v.name, v.location, v.result) for v in reported],
                                    args.report_max_events)
    threshold = reported[0].result.threshold if args.stream and reported else det.threshold
    source = (reported[0].result.threshold_source if args.stream and reported
              else det.threshold_source)
    path = write_detect_report(
        args.report or args.out_dir, reported, thumbs, threshold=threshold,
        threshold_source=source, min_event_frames=det.min_event_frames,
        merge_gap=det.merge_gap, mode='stream' if args.stream else det.mode,
        inputs=str(args.input), config=args.config, checkpoint=args.checkpoint,
        labels=args.labels)
    print(f'report: {path} ({osp.getsize(path) / 1e6:.2f} MB); open it in a browser',
          flush=True)
    return path


def main(argv=None):
    args = parse_args(argv)
    from vadkit.apis import AnomalyDetector, InputError, discover_inputs
    from vadkit.utils.errors import VadkitError
    mode = 'causal' if args.stream else args.mode
    if args.labels and not osp.exists(args.labels):
        raise InputError(f'--labels {args.labels}: no such file or folder')
    if args.report:
        check_report_path(args.report)
    try:
        det = AnomalyDetector(args.config, args.checkpoint, args.device, mode=mode,
                              threshold=args.threshold, percentile=args.percentile,
                              calibration=args.calibration or 'auto',
                              causal_norm=args.causal_norm,
                              running_window=args.running_window,
                              running_warmup=args.running_warmup, batch_size=args.batch_size,
                              min_event_frames=args.min_event_frames, merge_gap=args.merge_gap,
                              cfg_options=args.cfg_options)
        if mode == 'causal':
            det.causal_fusion()  # fails early, with the fix, if statistics are missing
        inputs = discover_inputs(args.input)
        if args.stream and len(inputs) != 1:
            raise InputError(f'--stream takes one source; {args.input} holds {len(inputs)} '
                             'videos (score them offline, or stream them one at a time)')
    except (FileNotFoundError, ValueError, KeyError) as e:
        if isinstance(e, VadkitError):
            raise
        raise InputError(str(e.args[0]) if isinstance(e, KeyError) and e.args else str(e)) \
            from e
    os.makedirs(args.out_dir, exist_ok=True)
    print(f'{det}', file=sys.stderr, flush=True)
    if det.threshold is None and not args.stream:
        print('note: no calibration file and no --threshold: scores only, no events. Run '
              f'tools/calibrate.py {args.config} {args.checkpoint}', file=sys.stderr)
    from vadkit.datasets.layouts.video_files import plain_video_warnings
    reported = ReportedVideos() if args.report is not None else None
    try:
        with plain_video_warnings():
            summary = run_stream(args, det, inputs[0], reported) if args.stream else \
                run_offline(args, det, inputs, reported)
    except ValueError as e:
        if isinstance(e, VadkitError):
            raise
        raise InputError(str(e)) from e
    with open(osp.join(args.out_dir, 'summary.json'), 'w') as f:
        json.dump(dict(config=args.config, checkpoint=args.checkpoint,
                       mode='stream' if args.stream else det.mode, threshold=det.threshold,
                       threshold_source=det.threshold_source, videos=summary), f, indent=1)
    if reported:
        write_report(args, det, reported)
    failed = [s for s in summary if 'error' in s]
    if failed:
        raise InputError(f'{len(failed)} of {len(summary)} input(s) could not be '
                         f'scored: ' + '; '.join(f'{s["input"]}: {s["error"]}' for s in failed))
    return 0


if __name__ == '__main__':
    run_cli(main)
