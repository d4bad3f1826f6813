"""Studies that inform choices: runnable (``python -m training.experiments.<name>``), never shipped."""
