"""Building the labelled corpus in data/corpus/ from the raw material in data/raw/ (``make data``)."""
