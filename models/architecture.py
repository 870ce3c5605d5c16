"""The GGNN's shape, torch-free: hyper-parameters, input vocabularies and the
names and shapes of its weights.

Both implementations read this: :mod:`models.ggnn` (torch, for training) and
:mod:`models.numpy_ggnn` (numpy, for inference without importing torch).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from slpvec.graph import EDGE_TYPES, MAX_MEM_ROOTS, NODE_KINDS, OFFSET_CLASSES, OPCODES, TYPES

from .features import CANDIDATE_FEATURES, FOCUS_FEATURES

MAX_LANES = 8
# vocabulary size of each static node feature column, in NODE_FEATURES order
FEATURE_VOCAB = (len(NODE_KINDS), len(OPCODES), len(TYPES), MAX_MEM_ROOTS + 1,
                 OFFSET_CLASSES + 1, 2, 2, 2)
# message-passing relations: every edge type, in both directions
NUM_RELATIONS = 2 * len(EDGE_TYPES)


@dataclass(frozen=True)
class ModelConfig:
    """Hyper-parameters of the GGNN policy (stored in ``config.json``; the
    ``help`` metadata is the training command line's, see models.settings)."""

    hidden: int = field(default=64, metadata={"help": "node state size"})
    steps: int = field(default=8, metadata={"help": "propagation rounds"})
    head: int = field(default=128, metadata={"help": "width of the policy head's layers"})

    def to_dict(self) -> dict:
        return asdict(self)

    def weight_shapes(self) -> dict[str, tuple[int, ...]]:
        """Parameter name -> shape, as in the torch model's ``state_dict``."""
        h, d = self.hidden, self.head
        shapes = {f"embed.{k}.weight": (v, h) for k, v in enumerate(FEATURE_VOCAB)}
        shapes.update({
            "conv.message_weight.weight": (h * NUM_RELATIONS, h),
            "conv.gru.weight_ih": (3 * h, h), "conv.gru.weight_hh": (3 * h, h),
            "conv.gru.bias_ih": (3 * h,), "conv.gru.bias_hh": (3 * h,),
            "lanes.weight": (d, MAX_LANES * h), "lanes.bias": (d,),
            "cand_state.weight": (d, len(CANDIDATE_FEATURES)),
            "focus.weight": (d, h),
            "score.1.weight": (d, d), "score.1.bias": (d,),
            "score.3.weight": (1, d), "score.3.bias": (1,),
            "no_pack.0.weight": (d, h + len(FOCUS_FEATURES)), "no_pack.0.bias": (d,),
            "no_pack.2.weight": (1, d), "no_pack.2.bias": (1,),
        })
        return shapes
