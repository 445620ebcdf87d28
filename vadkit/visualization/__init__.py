"""Figures: per-frame score curves (:mod:`.score_plots`, the paper's Figures 3-4) and error
maps (:mod:`.error_maps`, Figure 5), imported on demand; and :class:`VADVisualizer`, which
sends a test run's score curves to the vis backends (it loads matplotlib only to draw)."""
from .vad_visualizer import VADVisualizer, add_score_curves

__all__ = ['VADVisualizer', 'add_score_curves']
