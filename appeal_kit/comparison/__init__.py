"""Comparison: takes a matched pair, gives the side-by-side and proof pictures with their plain-language captions."""
