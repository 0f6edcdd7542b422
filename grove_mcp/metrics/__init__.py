"""Inference-engine metrics: what to scrape, and the arithmetic of a window."""
