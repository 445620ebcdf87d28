"""The built-in default data: synthetic videos generated on first use."""
import json
import os
import os.path as osp

from mmengine.dist import barrier, get_rank, is_distributed
from mmengine.logging import print_log

from vadkit.registry import DATASET_LAYOUTS
from vadkit.utils.file_lock import exclusive_file_lock
from vadkit.utils.folder_replace import write_folder_atomically

from ..dataset_errors import DatasetError
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
        try:
            with open(meta) as f:
                return json.load(f) == self.args
        except (OSError, ValueError):  # unreadable: generate anew
            return False

    def ensure(self) -> None:
        """Generate the videos if they are missing or outdated. Concurrent jobs on the same
        root generate them once: one holds a lock beside the root while the others wait,
        and the new tree is renamed into place whole (an outdated one is renamed aside
        first), so no job ever reads a half-written or half-deleted root. In a distributed
        run every process must call it (it ends at a barrier): never set up a dataset from
        code that only the main process runs."""
        if get_rank() == 0 and not self._up_to_date():
            root = osp.abspath(self.root)
            parent, name = osp.split(root)
            lock = osp.join(parent, f'.{name}.lock')
            with exclusive_file_lock(lock, f'the synthetic videos in {self.root}'):
                if not self._up_to_date():  # another job may have made them meanwhile
                    self._generate()
        if is_distributed():
            barrier()

    def _generate(self) -> None:
        if osp.isdir(self.root) and os.listdir(self.root) and not osp.exists(
                osp.join(self.root, 'synthetic.json')):
            # an outdated synthetic root is replaced whole: never one it did not make
            raise DatasetError(
                f'{self.root} holds files but no synthetic videos (no synthetic.json), and '
                f'{type(self).__name__} generates its videos by replacing its root: '
                'vadkit never replaces a folder it did not make. Give --data-root an empty '
                'folder for new synthetic videos, or use a config of the dataset in it')
        print_log(f'generating synthetic videos in {self.root} ...', logger='current')
        write_folder_atomically(self.root, lambda tmp: generate_synthetic_dataset(
            tmp, **self.args), prefix='.synthetic-')

    def load(self, split: str):
        self.ensure()
        return super().load(split)
