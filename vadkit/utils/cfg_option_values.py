"""``dict(...)`` in ``--cfg-options`` values, which mmengine's parser leaves as text.

``--cfg-options "visualizer.vis_backends=[dict(type='LocalVisBackend'),dict(type=
'TensorboardVisBackend')]"`` reaches the tools as a list of two strings; :func:`config_literals`
turns each ``dict(key=literal, ...)`` into the dict it spells (literals only: nothing runs).
"""
import ast
from typing import Any, Dict

from .config_validation import ConfigError, ConfigProblem


def _value(node: ast.AST) -> Any:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id == 'dict' and not node.args:
        if any(kw.arg is None for kw in node.keywords):
            raise ValueError('**kwargs')
        return {kw.arg: _value(kw.value) for kw in node.keywords}
    if isinstance(node, ast.List):
        return [_value(e) for e in node.elts]
    if isinstance(node, ast.Tuple):
        return tuple(_value(e) for e in node.elts)
    return ast.literal_eval(node)


def config_literal(value: Any, key: str = '') -> Any:
    """``value`` with every ``'dict(...)'`` string in it (in lists too) made a dict."""
    if isinstance(value, (list, tuple)):
        return type(value)(config_literal(v, key) for v in value)
    if isinstance(value, str) and value.startswith('dict(') and value.endswith(')'):
        try:
            return _value(ast.parse(value, mode='eval').body)
        except (SyntaxError, ValueError):
            raise ConfigError([ConfigProblem(key, (
                f'cannot read {value!r}: write dict(key=value, ...) with quoted strings, '
                "numbers, lists and dict(...) only, e.g. dict(type='TensorboardVisBackend')"))],
                source='--cfg-options') from None
    return value


def config_literals(options: Dict[str, Any]) -> Dict[str, Any]:
    """``--cfg-options`` with their ``dict(...)`` values read (see :func:`config_literal`)."""
    return {k: config_literal(v, k) for k, v in options.items()}
