"""The ``vadkit`` command: ``vadkit train|test|detect|calibrate|export|report ...``.

Each sub-command runs vadkit's script of the same name (``tools/<name>.py``) with the
remaining arguments, exactly as ``python tools/<name>.py ...`` would: the checkout's script in
a source checkout or an editable install, the copy shipped in the package after a plain
``pip install .``. A config may be given by name (``vadkit train
luss-ae_3dcae-w8_8x64x64_synthetic``): see :mod:`vadkit.utils.config_paths`.
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
    'report': ('report.py', 'an HTML report of a test run: curves, events, frames'),
}


def tools_dir() -> str:
    """vadkit's ``tools/`` folder (``$VADKIT_TOOLS_DIR`` overrides it)."""
    from vadkit.utils.config_paths import shipped_dir
    return os.environ.get('VADKIT_TOOLS_DIR') or shipped_dir('tools')


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
        print(f'vadkit: {script} not found. The vadkit command runs the scripts of vadkit\'s '
              'tools/ folder, which a wheel built by setup.py ships in the package: reinstall '
              'vadkit (`pip install .` or `pip install -e .` from a checkout), or set '
              'VADKIT_TOOLS_DIR to a tools/ folder.', file=sys.stderr)
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
