"""TextCachedConfig: the runner's config formats its text once for each content, and the
text is mmengine's own."""
from mmengine.config import Config

from vadkit.utils.config_text import TextCachedConfig


def test_text_is_mmengines_and_follows_changes(monkeypatch):
    cfg = Config(dict(model=dict(type='M', widths=(8, 16)), seed=0))
    assert TextCachedConfig.of(cfg).pretty_text == cfg.pretty_text
    cached = TextCachedConfig.of(cfg)
    calls = []
    text = Config.pretty_text.fget
    monkeypatch.setattr(Config, 'pretty_text',
                        property(lambda self: calls.append(1) or text(self)))
    first = cached.pretty_text
    assert cached.pretty_text == first and len(calls) == 1  # formatted once
    cached.model.widths = (4, 8)
    assert cached.pretty_text != first and len(calls) == 2  # a new content: new text
    assert 'text_of_content' not in cached.pretty_text  # the cache is not a config key
    assert TextCachedConfig.of(cached) is cached


def test_runner_saves_the_same_config_text_in_checkpoints(tiny_trained_run):
    import torch
    meta = torch.load(tiny_trained_run.epoch_2, weights_only=True)['meta']
    assert meta['cfg'] == Config.fromfile(
        f'{tiny_trained_run.work}/tiny_synthetic.py').pretty_text
