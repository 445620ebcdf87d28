from .clip_data_preprocessor import ClipDataPreprocessor

__all__ = ['ClipDataPreprocessor']
