"""docs/reliability.md names, for every bad input and fault, the test that holds it: each
named test must exist, and the table must keep at least 30 cases."""
import ast
import os.path as osp
import re

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_every_test_named_in_the_reliability_doc_exists():
    with open(osp.join(ROOT, 'docs', 'reliability.md')) as f:
        text = f.read()
    named = set(re.findall(r'`(tests/[\w/]+\.py)::(\w+)`', text))
    assert len(named) >= 25
    missing = []
    for path, name in sorted(named):
        full = osp.join(ROOT, path)
        if not osp.isfile(full):
            missing.append(f'{path} (no such file)')
            continue
        with open(full) as f:
            tree = ast.parse(f.read())
        functions = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        if name not in functions:
            missing.append(f'{path}::{name}')
    assert not missing, f'docs/reliability.md names tests that do not exist: {missing}'
    cases = re.findall(r'^\| (\d+) \|', text, re.M)
    assert len(cases) >= 30 and len(set(cases)) == len(cases)
