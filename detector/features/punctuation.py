"""punctuation features: being written."""
