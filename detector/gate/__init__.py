"""``detect gate``: stream JSON lines through the detector and keep or reject each record.

:mod:`.runner` drives a run (batches, checkpoints, resume), :mod:`.records` parses and routes one line
(by :mod:`detector.policy`), :mod:`.jsonl` reads and writes compressed JSON lines, :mod:`.workers`
scores batches in worker processes."""
from .runner import GateOptions, GateReport, model_info, run_gate  # noqa: F401
