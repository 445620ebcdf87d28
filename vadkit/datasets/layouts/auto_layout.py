"""Which layout a dataset root is in: cheap checks, no decoding."""
import os.path as osp
from typing import List, Type

from mmengine.logging import print_log

from vadkit.registry import DATASET_LAYOUTS

from ..dataset_errors import DatasetError
from .base_layout import BaseLayout


def detectable_layouts() -> List[Type[BaseLayout]]:
    """Registered layouts that take part in detection, in the order they are tried: native
    layouts (UCSD, Avenue, ShanghaiTech) before the generic frames and video-folder ones, so
    that a root is read the most specific way it fits. Plugins join by registering a layout
    with ``detectable = True`` and a ``detect_priority``."""
    classes = {cls for cls in DATASET_LAYOUTS.module_dict.values()
               if isinstance(cls, type) and issubclass(cls, BaseLayout) and cls.detectable}
    return sorted(classes, key=lambda c: (c.detect_priority, c.__name__))


def detect_layout(root: str) -> Type[BaseLayout]:
    """The first layout (see :func:`detectable_layouts`) whose ``matches(root)`` is true.

    Raises:
        DatasetError: ``root`` does not exist, or matches no known layout (the message
            lists the layouts checked and what each expects).
    """
    root = osp.expanduser(str(root))
    if not osp.isdir(root):
        raise DatasetError(f'dataset root {root!r} does not exist')
    candidates = detectable_layouts()
    for cls in candidates:
        if cls.matches(root):
            return cls
    expected = '\n'.join(f'  - {cls.__name__}: {_expects(cls)}' for cls in candidates)
    raise DatasetError(
        f'{root} matches no known dataset layout. Layouts checked:\n{expected}\n'
        'Rearrange the data into one of these (VideoFolderLayout takes any folder of videos '
        'or frame folders under train/ and test/), or name the layout in the config.')


def _expects(cls: Type[BaseLayout]) -> str:
    if getattr(cls, 'expects', None):
        return cls.expects
    doc = (cls.__doc__ or '').strip().splitlines()
    return doc[0].rstrip('.') if doc else ''


@DATASET_LAYOUTS.register_module()
class AutoLayout(BaseLayout):
    """Whichever layout ``root`` is in (:func:`detect_layout`), chosen when built.

    Args:
        root: Dataset root.
        **kwargs: Passed to the detected layout (e.g. ``label_set='mnad'`` for Avenue,
            ``scene=1`` for ShanghaiTech).
    """

    def __init__(self, root: str, **kwargs) -> None:
        super().__init__(root)
        self.check_root()
        cls = detect_layout(self.root)
        try:
            self.layout = cls(self.root, **kwargs)
        except TypeError as e:
            raise DatasetError(f'{self.root} was detected as {cls.__name__}, which does not '
                               f'take the layout arguments {sorted(kwargs)}: {e}') from e
        print_log(f'{self.root}: detected {cls.__name__}', logger='current')

    def load(self, split: str):
        return self.layout.load(split)

    def describe(self) -> str:
        return self.layout.describe()
