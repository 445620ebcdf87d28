"""Figures: per-frame score curves (:mod:`.score_plots`, the paper's Figures 3-4) and error
maps (:mod:`.error_maps`, Figure 5). Imported on demand, so that registering vadkit's
modules does not load matplotlib."""
