"""names features: being written."""
