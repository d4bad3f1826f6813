"""``detect gate``: stream JSON lines through the detector and keep or reject each record.

:mod:`.runner` drives a run (batches, checkpoints, resume), :mod:`.records` parses and routes one line
(by :mod:`detector.policy`), :mod:`.jsonl` reads and writes compressed JSON lines, :mod:`.workers`
scores batches in worker processes, :mod:`.paths` checks and locks the files a run touches."""
from .runner import GateInterrupted, GateOptions, GateReport, model_info, run_gate  # noqa: F401
from .workers import WorkerDied  # noqa: F401
