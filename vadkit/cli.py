"""The ``vadkit`` command: ``vadkit train|test|detect|calibrate|export ...``.

Each sub-command runs the repository's script of the same name (``tools/<name>.py``) with
the remaining arguments, exactly as ``python tools/<name>.py ...`` would. The scripts are
found beside the package (``vadkit/../tools``), which is where an editable install
(``pip install -e .``) or a source checkout has them.
"""
import difflib
import os
import os.path as osp
import runpy
import sys
from typing import List, Optional

COMMANDS = {
    'train': ('train.py', 'train a model from a config'),
    'test': ('test.py', 'test a checkpoint: metrics and per-frame scores'),
    'detect': ('detect.py', 'detect anomalies in your own videos (offline or --stream)'),
    'calibrate': ('calibrate.py', 'calibrate thresholds on normal videos'),
    'export': ('export.py', 'export the scoring network (TorchScript / ONNX)'),
}


def tools_dir() -> str:
    """The repository's ``tools/`` folder (``$VADKIT_TOOLS_DIR`` overrides it)."""
    return os.environ.get('VADKIT_TOOLS_DIR') or osp.join(
        osp.dirname(osp.dirname(osp.abspath(__file__))), 'tools')


def usage() -> str:
    from vadkit import __version__
    width = max(map(len, COMMANDS))
    lines = [f'vadkit {__version__}: video anomaly detection', '',
             'usage: vadkit <command> [args ...]   (vadkit <command> -h for its options)', '',
             'commands:']
    lines += [f'  {name:{width}s}  {desc}' for name, (_, desc) in COMMANDS.items()]
    return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    """Run a sub-command; returns its exit status (the console script exits with it)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ('-h', '--help', 'help'):
        print(usage())
        return 0
    if argv[0] in ('-V', '--version'):
        from vadkit import __version__
        print(f'vadkit {__version__}')
        return 0
    command, rest = argv[0], argv[1:]
    if command not in COMMANDS:
        close = difflib.get_close_matches(command, COMMANDS, n=2)
        hint = f' Did you mean: {", ".join(close)}?' if close else ''
        print(f"vadkit: unknown command '{command}'.{hint}\n\n{usage()}", file=sys.stderr)
        return 2
    script = osp.join(tools_dir(), COMMANDS[command][0])
    if not osp.isfile(script):
        print(f'vadkit: {script} not found. The vadkit command runs the scripts in the '
              "repository's tools/ folder: install vadkit from a checkout with "
              '`pip install -e .`, or set VADKIT_TOOLS_DIR to that folder.', file=sys.stderr)
        return 1
    saved = sys.argv
    sys.argv = [script] + rest
    try:
        runpy.run_path(script, run_name='__main__')
    except SystemExit as e:
        code = e.code
        if code is None or isinstance(code, int):
            return code or 0
        print(code, file=sys.stderr)
        return 1
    finally:
        sys.argv = saved
    return 0


if __name__ == '__main__':
    sys.exit(main())
