"""From notifications to analysis streams, without a radio: sequence accounting
(:mod:`.sequence`), device clock to host time (:mod:`.clock`) and the assemblers
(:mod:`.assembler`). Live data and replayed recordings take the same path."""

from firmware_bridge.stream.assembler import (
    InsoleAssembler,
    InsoleSamples,
    LinkStats,
    PairAssembler,
    PairBatch,
    characteristic_name,
    concat_pressure,
    concat_temperature,
)
from firmware_bridge.stream.latest import LatestFoot, LatestFrames

__all__ = ["InsoleAssembler", "InsoleSamples", "LatestFoot", "LatestFrames",
           "LinkStats", "PairAssembler", "PairBatch",
           "characteristic_name", "concat_pressure", "concat_temperature"]
