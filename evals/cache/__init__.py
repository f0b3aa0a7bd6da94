"""Semantic cache: labelled paraphrase pairs, threshold calibration, lookup latency."""
