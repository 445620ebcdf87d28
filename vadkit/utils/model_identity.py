"""A checkpoint knows the model it holds.

Checkpoints carry, in ``meta['model_identity']``, a fingerprint (sha256) of the model config
that built their weights, that config itself (plain dicts/lists, and as text) and the
model's task and score names. Loading compares it with the model config of the current run:
a checkpoint of another model is refused with :class:`CheckpointMismatchError` naming both
configs and the entries that differ, before any weight is touched. Entries that only change
how a trained model is scored or trained (:data:`SCORING_ONLY_KEYS`) may differ: testing one
checkpoint with several error measures is the point of the measure ablations. So may tasks
appended after the checkpoint's own whose heads hold no weights (a baseline score). Checkpoints
without the fingerprint (older ones) get the strict key/shape check only.
"""
import hashlib
import json
import re
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from .errors import VadkitError

IDENTITY_KEY = 'model_identity'
#: Model config entries (at any depth) that change scoring or the loss, not the weights.
SCORING_ONLY_KEYS = frozenset({'measure', 'extra_measures', 'loss_weight', 'test_cfg',
                               'init_cfg'})


class CheckpointMismatchError(VadkitError, ValueError):
    """A checkpoint whose weights do not fit the model its config builds."""


def plain_config(value: Any) -> Any:
    """A config as JSON-like plain values (tuples become lists)."""
    if isinstance(value, Mapping):
        return {str(k): plain_config(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_config(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def fingerprint(model_cfg: Mapping) -> str:
    text = json.dumps(plain_config(model_cfg), sort_keys=True, separators=(',', ':'))
    return hashlib.sha256(text.encode()).hexdigest()


def _score_names(model: Any) -> Optional[List[str]]:
    tasks = getattr(model, 'tasks', None)
    if tasks is None:
        return None
    names = []
    for head in tasks:
        names += list(getattr(head, 'measures', {}) or {}) or [head.name]
    return names


def model_identity(model_cfg: Mapping, model: Any = None, config_file: str = '') -> dict:
    """What ``meta['model_identity']`` of a checkpoint holds (plain values only)."""
    plain = plain_config(model_cfg)
    tasks = getattr(model, 'task_names', None)
    return dict(fingerprint=fingerprint(model_cfg), model_cfg=plain,
                model_cfg_text=json.dumps(plain, sort_keys=True, indent=1),
                config_file=str(config_file or ''),
                task_names=list(tasks) if tasks is not None else None,
                score_names=_score_names(model))


def _flatten(value: Any, prefix: str, out: Dict[str, Any]) -> Dict[str, Any]:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(v, f'{prefix}.{k}', out)
    elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
        for i, v in enumerate(value):
            _flatten(v, f'{prefix}.{i}', out)
        out[f'{prefix}.<length>'] = len(value)
    else:
        out[prefix] = value
    return out


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return '(' + ', '.join(_shown(v) for v in value) + ')'
    return '<absent>' if value is _ABSENT else repr(value)


_ABSENT = object()


def config_differences(stored: Mapping, current: Mapping) -> List[str]:
    """Dotted keys whose values differ, as ``key: stored vs current`` lines."""
    old = _flatten(plain_config(stored), 'model', {})
    new = _flatten(plain_config(current), 'model', {})
    keys = sorted(set(old) | set(new))
    return [f'{k}: {_shown(old.get(k, _ABSENT))} vs {_shown(new.get(k, _ABSENT))}'
            for k in keys if old.get(k, _ABSENT) != new.get(k, _ABSENT)]


def _scoring_only(line: str) -> bool:
    return any(part in SCORING_ONLY_KEYS for part in line.split(':')[0].split('.'))


def _added_weightless_tasks(stored: Mapping, model: Any) -> List[int]:
    """Positions of the tasks ``model`` has after the stored config's last task whose
    heads hold no weights (e.g. a model-free baseline score): they change what is scored,
    not the weights. Empty unless every added task is weightless."""
    tasks = getattr(model, 'tasks', None)
    stored_tasks = stored.get('tasks') if isinstance(stored, Mapping) else None
    if tasks is None or not isinstance(stored_tasks, list) or len(tasks) <= len(stored_tasks):
        return []
    added = list(range(len(stored_tasks), len(tasks)))
    return added if all(not tasks[i].state_dict() for i in added) else []


def identity_differences(identity: Mapping, model_cfg: Mapping,
                         model: Any = None) -> Tuple[List[str], List[str]]:
    """The config entries that differ between a checkpoint's identity and ``model_cfg``:
    (those that change the weights, those that only change scoring/the loss). With the
    built ``model``, tasks appended to the checkpoint's without weights of their own are
    scoring-only too."""
    if identity['fingerprint'] == fingerprint(model_cfg):
        return [], []
    stored = identity.get('model_cfg', {})
    diffs = config_differences(stored, model_cfg)
    added = _added_weightless_tasks(stored, model)
    extra = tuple(f'model.tasks.{i}.' for i in added) + (
        ('model.tasks.<length>:', ) if added else ())

    def allowed(line: str) -> bool:
        return _scoring_only(line) or line.startswith(extra)

    return [d for d in diffs if not allowed(d)], [d for d in diffs if allowed(d)]


def _listing(keys: Iterable[str], limit: int = 6) -> str:
    keys = sorted(keys)
    more = f' (+{len(keys) - limit} more)' if len(keys) > limit else ''
    return ', '.join(keys[:limit]) + more


def state_dict_mismatch(own: Mapping, state: Mapping, model: Any = None) -> List[str]:
    """What keeps ``state`` from loading strictly into a model whose state dict is
    ``own``: missing and unexpected keys, shape mismatches (empty when it fits)."""
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    shapes = [f'{k}: checkpoint {tuple(state[k].shape)} vs model {tuple(own[k].shape)}'
              for k in own if k in state and tuple(state[k].shape) != tuple(own[k].shape)]
    parts = []
    if missing:
        parts.append(f'{len(missing)} missing key(s) (in the model, not in the '
                     f'checkpoint): {_listing(missing)}')
    if unexpected:
        parts.append(f'{len(unexpected)} unexpected key(s) (in the checkpoint, not in the '
                     f'model): {_listing(unexpected)}')
    if shapes:
        parts.append(f'{len(shapes)} shape mismatch(es): {"; ".join(shapes[:4])}'
                     + (f' (+{len(shapes) - 4} more)' if len(shapes) > 4 else ''))
    tasks = getattr(model, 'tasks', None)
    if tasks is not None and any(k.startswith('tasks.') for k in missing + unexpected):
        parts.append('the config\'s tasks are ' + ', '.join(
            f'tasks.{i}={h.name} ({type(h).__name__})' for i, h in enumerate(tasks)))
    return parts


_FIX = ('. Use the config the checkpoint was trained with (a copy is saved in its work dir '
        'beside the checkpoint), or a checkpoint of this config')


def check_checkpoint_fits(checkpoint: Mapping, model: Any, model_cfg: Optional[Mapping],
                          path: str, config_name: str,
                          revise_keys: Sequence = ((r'^module\.', ''), )) -> List[str]:
    """Refuse, before any weight is loaded, a checkpoint (its content) that is not of the
    model ``model_cfg`` built: other config entries (by its identity) or weights that do not
    load strictly. Returns notes to log: allowed differences, or a missing identity."""
    meta = checkpoint.get('meta')
    identity = meta.get(IDENTITY_KEY) if isinstance(meta, Mapping) else None
    state = checkpoint.get('state_dict', checkpoint)
    if not isinstance(state, Mapping) or not all(hasattr(v, 'shape') for v in state.values()):
        raise CheckpointMismatchError(
            f'{path} holds no state dict (expected a dict of tensors, or a dict with '
            "'state_dict'): is it a vadkit/mmengine checkpoint?")
    for pattern, repl in revise_keys:
        state = {re.sub(pattern, repl, k): v for k, v in state.items()}
    weights = state_dict_mismatch(model.state_dict(), state, model)
    notes = []
    if identity and 'fingerprint' in identity and model_cfg is not None:
        blocking, allowed = identity_differences(identity, model_cfg, model)
        if blocking:
            trained_with = identity.get('config_file') or 'an unnamed config'
            more = f' (+{len(blocking) - 8} more)' if len(blocking) > 8 else ''
            raise CheckpointMismatchError(
                f'checkpoint {path} holds a model of config {trained_with}, not of config '
                f'{config_name}: ' + '; '.join(blocking[:8]) + more + ' (checkpoint vs config)'
                + ''.join(f'; {p}' for p in weights) + _FIX)
        if allowed:
            notes.append(f'{path} was trained with other scoring settings, used as '
                         f'configured: {"; ".join(allowed)}')
    else:
        notes.append(f'{path} does not record its model config (saved by an older vadkit '
                     'or another tool): checked its weights\' names and shapes only')
    if weights:
        raise CheckpointMismatchError(
            f'checkpoint {path} does not match the model of config {config_name}: '
            + '; '.join(weights) + _FIX)
    return notes
