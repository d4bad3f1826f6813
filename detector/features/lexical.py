"""lexical features: being written."""
