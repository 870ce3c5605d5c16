"""TTI costs from opt-22: module yardstick and synthetic vector-op prices."""

from .cache import DiskCache, cache_path
from .kinds import COST_KINDS, check_kind
from .module_costs import (INVALID_COST, BlockCost, block_costs, function_costs, module_report,
                           text_block_costs)
from .printout import parse_cost_printout
from .table import CostTable, SynthQuery

__all__ = ["DiskCache", "cache_path", "COST_KINDS", "check_kind", "INVALID_COST", "BlockCost",
           "block_costs", "text_block_costs", "function_costs", "module_report",
           "parse_cost_printout", "CostTable", "SynthQuery"]
