"""The built-in default data: synthetic videos generated on first use."""
import json
import os.path as osp
import shutil
import tempfile

from mmengine.dist import barrier, get_rank, is_distributed
from mmengine.logging import print_log

from vadkit.registry import DATASET_LAYOUTS

from ..synthetic import generate_synthetic_dataset
from .frames_layout import FramesLayout


@DATASET_LAYOUTS.register_module()
class SyntheticLayout(FramesLayout):
    """A frames layout that generates its synthetic videos under ``root`` when they are
    missing or were made with other arguments (see :mod:`vadkit.datasets.synthetic`)."""

    detectable = False  # it writes data: never chosen by detect_layout

    def __init__(self, root: str = 'data/synthetic', num_train: int = 8, num_test: int = 6,
                 num_frames: int = 120, size: int = 64, num_walkers: int = 3,
                 seed: int = 0) -> None:
        super().__init__(root, label_file='ground_truth/frame_labels_synthetic.npy')
        self.args = dict(num_train=num_train, num_test=num_test, num_frames=num_frames,
                         size=size, num_walkers=num_walkers, seed=seed)

    def _up_to_date(self) -> bool:
        meta = osp.join(self.root, 'synthetic.json')
        if not osp.isfile(meta):
            return False
        with open(meta) as f:
            return json.load(f) == self.args

    def ensure(self) -> None:
        if get_rank() == 0 and not self._up_to_date():
            print_log(f'generating synthetic videos in {self.root} ...', logger='current')
            parent = osp.dirname(osp.abspath(self.root))
            import os
            os.makedirs(parent, exist_ok=True)
            tmp = tempfile.mkdtemp(dir=parent, prefix='.synthetic-')
            generate_synthetic_dataset(tmp, **self.args)
            if osp.exists(self.root):
                shutil.rmtree(self.root)
            os.replace(tmp, self.root)
        if is_distributed():
            barrier()

    def load(self, split: str):
        self.ensure()
        return super().load(split)
