"""The MemAE plugin: hard shrinkage, attention entropy and memory addressing by hand, its
backbone, losses, gradients and scores."""
import math
import os.path as osp
import sys

import pytest
import torch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO not in sys.path:  # `plugins` is imported from the repository root, as tools do
    sys.path.insert(0, REPO)

import plugins.arrow_of_time  # noqa: F401
import plugins.gradient_error  # noqa: F401
import plugins.memae  # noqa: F401
from plugins.memae import (
    MemoryModule,
    attention_entropy,
    hard_shrink_relu,
)
from vadkit.models.backbones import Conv3DAutoEncoder
from vadkit.registry import BACKBONES, MODELS
from vadkit.utils import register_all_modules

register_all_modules()

TINY_WIDTHS = (4, 8, 8, 8)
T = 8


def uint8_clip(frames, b=2, hw=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (b, 1, frames, hw, hw), dtype=torch.uint8, generator=g)


# ---------------------------------------------------------------------------------------
# MemAE
# ---------------------------------------------------------------------------------------
def test_hard_shrink_relu_by_hand():
    w = torch.tensor([0.001, 0.0025, 0.003, 0.5])
    out = hard_shrink_relu(w, 0.0025)
    # relu(w - l) * w / (|w - l| + eps): 0 below or at the threshold, ~w above it
    assert out[0] == 0 and out[1] == 0
    assert torch.allclose(out[2:], w[2:], rtol=1e-6)


def test_attention_entropy_by_hand():
    w = torch.tensor([[0.25, 0.25, 0.25, 0.25], [1.0, 0.0, 0.0, 0.0], [0.5, 0.5, 0.0, 0.0]])
    assert torch.allclose(attention_entropy(w), torch.tensor([math.log(4), 0.0, math.log(2)]),
                          atol=1e-6)


def test_memory_addressing_is_sparse_and_normalised():
    torch.manual_seed(0)
    mem = MemoryModule(num_items=200, channels=16, shrink_thres=0.0025)
    code = torch.randn(2, 16, 1, 3, 3)
    read, att = mem(code)
    assert read.shape == code.shape and att.shape == (2, 9, 200)
    assert torch.allclose(att.sum(-1), torch.ones(2, 9), atol=1e-5)
    assert (att == 0).any(), 'hard shrinkage should zero the small weights'
    # the read code is the attention-weighted sum of the items
    expected = (att @ mem.items).transpose(1, 2).reshape_as(code)
    assert torch.allclose(read, expected, atol=1e-6)


def test_memory_cosine_attention_by_hand():
    mem = MemoryModule(num_items=2, channels=2, shrink_thres=0.0, temperature=1.0)
    with torch.no_grad():
        mem.items.copy_(torch.tensor([[2.0, 0.0], [0.0, 3.0]]))
    # query (1, 1): cosine 1/sqrt(2) to both items -> equal weights, whatever the norms
    w = mem.address(torch.tensor([[1.0, 1.0]]))
    assert torch.allclose(w, torch.tensor([[0.5, 0.5]]))
    # query (1, 0): cosine 1 and 0 -> softmax(1, 0)
    w = mem.address(torch.tensor([[5.0, 0.0]]))
    assert torch.allclose(w, torch.tensor([[1.0, 0.0]]).softmax(1))


def test_memory_at_temperature_one_shrinks_everything():
    """Why the default temperature is not 1 (see MemoryModule's docstring)."""
    torch.manual_seed(0)
    mem = MemoryModule(num_items=2000, channels=32, temperature=1.0)
    assert (mem.address(torch.randn(8, 32)) == 0).all()
    mem = MemoryModule(num_items=2000, channels=32)  # default temperature
    assert (mem.address(torch.randn(8, 32)) > 0).any(1).all()


def test_memory_backbone_extends_the_3d_autoencoder():
    cfg = dict(type='MemoryConv3DAutoEncoder', widths=TINY_WIDTHS, num_items=50)
    mem_ae = BACKBONES.build(cfg)
    plain = Conv3DAutoEncoder(widths=TINY_WIDTHS)
    n = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert n(mem_ae) == n(plain) + 50 * TINY_WIDTHS[-1]
    x = torch.randn(2, 1, T, 32, 32)
    code = mem_ae.encode(x)
    assert code.shape == plain.encode(x).shape == (2, 8, 1, 2, 2)
    att = mem_ae.pop_attention()
    assert att.shape == (2, 1 * 2 * 2, 50) and mem_ae.pop_attention() is None
    assert mem_ae.decode(code).shape == x.shape


def memae_model(tasks=None, **backbone):
    torch.manual_seed(0)
    return MODELS.build(dict(
        type='MemoryAutoEncoder', clip_len=T,
        backbone=dict(type='MemoryConv3DAutoEncoder', widths=TINY_WIDTHS, num_items=50,
                      **backbone),
        tasks=tasks or [dict(type='ClipReconstructionHead', name='vcr'),
                        dict(type='MemoryEntropyHead', name='mem_entropy')]))


def test_memae_losses_and_gradients():
    model = memae_model()
    data = model.data_preprocessor(dict(inputs=dict(window=uint8_clip(T + 1)),
                                        data_samples={}), True)
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_vcr', 'loss_mem_entropy'}
    # the entropy loss is 0.0002 x the mean attention entropy of the window's clip
    feats = model.extract_features(data['inputs']['window'])
    expected = 0.0002 * attention_entropy(feats.attention).mean()
    assert torch.allclose(losses['loss_mem_entropy'], expected, rtol=1e-5)
    sum(losses.values()).backward()
    enc = model.backbone.encoder[0][0].weight.grad
    assert enc is not None and enc.abs().sum() > 0, 'no gradient reaches the encoder'
    assert model.backbone.memory.items.grad.abs().sum() > 0


def test_memae_attention_follows_each_input_clip():
    tasks = [dict(type='ClipReconstructionHead', name='vcr'),
             dict(type='MemoryEntropyHead', name='ent_prp', input_key='prp_clip'),
             dict(type='MemoryEntropyHead', name='ent_win', input_key='window')]
    model = memae_model(tasks).eval()
    window, prp = uint8_clip(T + 1, seed=1), uint8_clip(T, seed=2)
    data = model.data_preprocessor(dict(inputs=dict(window=window, prp_clip=prp),
                                        data_samples={}))
    losses = model(**data, mode='loss')
    for key, name in (('window', 'ent_win'), ('prp_clip', 'ent_prp')):
        att = model.extract_features(data['inputs'][key]).attention
        assert torch.allclose(losses[f'loss_{name}'],
                              0.0002 * attention_entropy(att).mean(), rtol=1e-5)


def test_memae_predict_scores_reconstruction_only():
    model = memae_model().eval()
    data = model.data_preprocessor(dict(
        inputs=dict(window=uint8_clip(T + 1)),
        data_samples=dict(video_idx=torch.tensor([0, 0]), frame_idx=torch.tensor([8, 9]),
                          label=torch.tensor([0, 1]))))
    with torch.no_grad():
        out = model(**data, mode='predict')
    assert [sorted(r['scores']) for r in out] == [['vcr'], ['vcr']]
    with_score = memae_model([dict(type='ClipReconstructionHead', name='vcr'),
                              dict(type='MemoryEntropyHead', as_score=True)]).eval()
    with torch.no_grad():
        scores = with_score.predict_scores(data['inputs']['window'])
    assert set(scores) == {'vcr', 'mem_entropy'} and scores['mem_entropy'].shape == (2, )


def test_memae_parts_explain_a_wrong_assembly():
    with pytest.raises(TypeError, match='MemoryAutoEncoder'):
        model = MODELS.build(dict(
            type='MultiTaskAutoEncoder', clip_len=T,
            backbone=dict(type='MemoryConv3DAutoEncoder', widths=TINY_WIDTHS, num_items=50),
            tasks=[dict(type='MemoryEntropyHead')]))
        model(dict(window=torch.zeros(1, 1, T, 32, 32)), mode='tensor')
    with pytest.raises(TypeError, match='memory backbone'):
        MODELS.build(dict(type='MemoryAutoEncoder', clip_len=T,
                          backbone=dict(type='Conv3DAutoEncoder', widths=TINY_WIDTHS),
                          tasks=[dict(type='ClipReconstructionHead')]))
