from .frame_scores import FrameScores
from .metrics import *  # noqa: F401,F403
from .normalizers import *  # noqa: F401,F403
