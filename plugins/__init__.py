"""vadkit plugins: backbones, tasks, measures and models that extend vadkit from outside.

Each ``plugins/<name>/`` is a package that registers its classes into vadkit's registries
when imported; a config loads it with
``custom_imports = dict(imports=['plugins.<name>'], allow_failed_imports=False)``.
This file only makes ``plugins`` a package importable from the repository root (which
``tools/train.py`` and ``tools/test.py`` put on ``sys.path``). See ``plugins/README.md``.
"""
