"""Keep mmengine checkpoints loadable with ``weights_only=True``."""
from collections import OrderedDict

import numpy as np
from mmengine.hooks import Hook
from mmengine.logging import HistoryBuffer

from vadkit.registry import HOOKS
from vadkit.utils.checkpoint import to_plain

_BUFFER_TAG = '__history_buffer__'


@HOOKS.register_module()
class PlainCheckpointHook(Hook):
    """Store the message hub's ``HistoryBuffer`` objects as plain dicts on save and rebuild
    them on load, so that no class but tensors and plain numpy ever enters a checkpoint."""

    priority = 'VERY_LOW'  # run last before saving, after other hooks added their entries

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        hub = checkpoint.get('message_hub')
        if hub is None:
            return
        scalars = OrderedDict()
        for key, buf in hub.get('log_scalars', {}).items():
            if isinstance(buf, HistoryBuffer):
                log, count = buf.data
                scalars[key] = {_BUFFER_TAG: True, 'log': np.asarray(log).tolist(),
                                'count': np.asarray(count).tolist(),
                                'max_length': buf.max_length}
        hub['log_scalars'] = scalars
        hub['runtime_info'] = to_plain(dict(hub.get('runtime_info', {})))
        checkpoint['meta'] = to_plain(checkpoint.get('meta', {}))

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        hub = checkpoint.get('message_hub')
        if hub is None:
            return
        for key, value in list(hub.get('log_scalars', {}).items()):
            if isinstance(value, dict) and value.get(_BUFFER_TAG):
                hub['log_scalars'][key] = HistoryBuffer(
                    value['log'], value['count'], max_length=value['max_length'])
