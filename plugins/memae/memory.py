"""The memory of MemAE (Gong et al., ICCV 2019): a code is rebuilt from learned prototypes.

Every position of the encoder code (a ``C``-vector at each ``t, h, w``) is a query ``z``.
It attends over ``N`` memory items ``m_i`` (Eq. 4-5)::

    w_i = softmax_i(d(z, m_i) / temperature),      d = cosine similarity

sparsified by hard shrinkage (Eq. 7) and re-normalised to sum to one::

    w_i <- relu(w_i - lambda) * w_i / (|w_i - lambda| + eps),     w <- w / ||w||_1

and the decoder sees ``z_hat = w M`` instead of ``z`` (Eq. 3). Because normal training
codes are all the decoder ever gets to see through the memory, anomalies are reconstructed
as (the nearest mix of) normal patterns and their error stays large. The entropy of ``w``
(Eq. 10) is added to the loss to push each query towards few items.
"""
import math
from typing import Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

EPS = 1e-12  # as in the MemAE reference code


def hard_shrink_relu(weights: Tensor, threshold: float, eps: float = EPS) -> Tensor:
    """MemAE's differentiable hard shrinkage (Eq. 7): ``relu(w - l) * w / (|w - l| + eps)``.

    Weights below ``threshold`` become 0; the others keep (almost exactly) their value.
    """
    return F.relu(weights - threshold) * weights / ((weights - threshold).abs() + eps)


def attention_entropy(weights: Tensor, eps: float = EPS) -> Tensor:
    """Entropy ``-sum_i w_i log w_i`` of each attention row (Eq. 10), over the last dim."""
    return -(weights * torch.log(weights + eps)).sum(-1)


class MemoryModule(nn.Module):
    """``N`` memory items of ``channels`` dims, read by attention (see the module docstring).

    Args:
        num_items: N, the number of memory items (MemAE: 2000 for video).
        channels: Dimension of an item, the code's channel count.
        shrink_thres: The shrinkage threshold lambda (MemAE: 0.0025); 0 disables
            shrinkage. MemAE advises lambda in ``[1/N, 3/N]``.
        similarity: ``'cosine'`` (the paper's d) or ``'dot'`` (the plain dot product that
            the MemAE reference code actually uses).
        temperature: Softmax temperature of the similarities. With cosine similarity the
            logits lie in ``[-1/temperature, 1/temperature]``: at ``temperature=1`` no
            weight can exceed ``e^2 / (e^2 + N - 1)`` (0.0037 for N = 2000) and a fresh
            memory gives every item about ``1/N = 0.0005``, under lambda = 0.0025, so
            shrinkage zeroes every weight, ``z_hat = 0`` and nothing before the memory
            gets a gradient. A temperature of 0.05 (logits in [-20, 20]) lets the weights
            be as peaked as the reference's dot products.
    """

    def __init__(self,
                 num_items: int = 2000,
                 channels: int = 256,
                 shrink_thres: float = 0.0025,
                 similarity: str = 'cosine',
                 temperature: float = 0.05) -> None:
        super().__init__()
        if similarity not in ('cosine', 'dot'):
            raise ValueError(f"MemoryModule: similarity must be 'cosine' or 'dot', got "
                             f'{similarity!r}')
        if num_items < 1 or temperature <= 0 or shrink_thres < 0:
            raise ValueError('MemoryModule: needs num_items >= 1, temperature > 0 and '
                             f'shrink_thres >= 0, got {num_items}, {temperature}, '
                             f'{shrink_thres}')
        self.num_items, self.channels = num_items, channels
        self.shrink_thres, self.similarity = float(shrink_thres), similarity
        self.temperature = float(temperature)
        self.items = nn.Parameter(torch.empty(num_items, channels))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # the reference code's init: uniform(-1/sqrt(C), 1/sqrt(C))
        bound = 1.0 / math.sqrt(self.channels)
        nn.init.uniform_(self.items, -bound, bound)

    def address(self, queries: Tensor) -> Tensor:
        """Attention weights ``(Q, N)`` of ``(Q, C)`` queries, shrunk and re-normalised."""
        if self.similarity == 'cosine':
            logits = F.normalize(queries, dim=1) @ F.normalize(self.items, dim=1).t()
        else:
            logits = queries @ self.items.t()
        weights = (logits / self.temperature).softmax(dim=1)
        if self.shrink_thres > 0:
            weights = F.normalize(hard_shrink_relu(weights, self.shrink_thres), p=1, dim=1)
        return weights

    def forward(self, code: Tensor) -> Tuple[Tensor, Tensor]:
        """``(B, C, *S)`` code -> (memory-read code of the same shape, attention
        ``(B, prod(S), N)``: one row per code position)."""
        if code.shape[1] != self.channels:
            raise ValueError(f'MemoryModule holds {self.channels}-channel items but the code '
                             f'has {code.shape[1]} channels')
        b, c = code.shape[:2]
        spatial = code.shape[2:]
        queries = code.flatten(2).transpose(1, 2).reshape(-1, c)  # (B * prod(S), C)
        weights = self.address(queries)
        read = (weights @ self.items).view(b, -1, c).transpose(1, 2).reshape(b, c, *spatial)
        return read, weights.view(b, -1, self.num_items)

    def extra_repr(self) -> str:
        return (f'num_items={self.num_items}, channels={self.channels}, '
                f'shrink_thres={self.shrink_thres}, similarity={self.similarity!r}, '
                f'temperature={self.temperature}')
