"""lm_stats features: being written."""
