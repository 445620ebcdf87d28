"""MemAE (Gong et al., ICCV 2019) as a vadkit plugin.

Registers:
    * backbone ``MemoryConv3DAutoEncoder``: Conv3DAutoEncoder with a memory of N items
      between encoder and decoder (cosine attention, softmax, hard shrinkage);
    * model ``MemoryAutoEncoder``: MultiTaskAutoEncoder that passes each clip's memory
      attention to the tasks with the features;
    * task head ``MemoryEntropyHead``: the entropy loss on the attention (weight 0.0002).

Load it with ``custom_imports = dict(imports=['plugins.memae'], allow_failed_imports=False)``.
"""
from .entropy_head import MemoryEntropyHead
from .memory import MemoryModule, attention_entropy, hard_shrink_relu
from .memory_autoencoder import MemoryConv3DAutoEncoder
from .memory_model import MemoryAutoEncoder, MemoryClipFeatures

__all__ = ['MemoryModule', 'MemoryConv3DAutoEncoder', 'MemoryAutoEncoder',
           'MemoryClipFeatures', 'MemoryEntropyHead', 'attention_entropy', 'hard_shrink_relu']
