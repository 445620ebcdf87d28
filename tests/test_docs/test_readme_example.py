"""The README's Python example runs as written, from a bare ``import vadkit``."""
import os.path as osp
import re
import subprocess
import sys

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def readme_example() -> str:
    with open(osp.join(ROOT, 'README.md')) as f:
        text = f.read()
    match = re.search(r'<!-- python-api-example[^>]*-->\n```python\n(.*?)```', text, re.S)
    assert match, 'the README lost its Python API example'
    return match.group(1)


def test_readme_python_example_runs_in_a_fresh_process(tmp_path):
    # a fresh interpreter: nothing registered, no default scope, as for a new user
    out = subprocess.run([sys.executable, '-c', readme_example()], cwd=tmp_path,
                         capture_output=True, text=True,
                         env={'PYTHONPATH': ROOT, 'PATH': '/usr/bin:/bin',
                              'XDG_CACHE_HOME': str(tmp_path / 'cache')})
    assert out.returncode == 0, out.stderr[-3000:]
    windows, frames = re.search(r'(\d+) training windows of (\d+) frames', out.stdout).groups()
    assert int(frames) == 9 and int(windows) == 2 * (40 - 9 + 1)
