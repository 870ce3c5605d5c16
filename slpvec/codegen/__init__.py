"""Vector code generation: PackPlan -> vector IR text, verified."""

from .block import BlockCode, BlockEmitter, NameGen, check_plan
from .module import ModuleCode, assemble, splice
from .schedule import ScheduleError, schedule
from .vector_ops import UnsupportedPack

__all__ = ["BlockCode", "BlockEmitter", "NameGen", "check_plan", "ModuleCode", "assemble",
           "splice", "ScheduleError", "schedule", "UnsupportedPack"]
