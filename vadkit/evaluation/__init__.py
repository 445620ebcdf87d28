from .frame_scores import FrameScores  # noqa: F401
from .fusions import *  # noqa: F401,F403
from .metrics import *  # noqa: F401,F403
from .normalizers import *  # noqa: F401,F403
