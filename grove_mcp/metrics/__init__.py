"""Inference-engine metrics: what to scrape (engines' metric names, where pods serve them) and
the arithmetic of a window of scrapes (counter deltas, histogram quantiles, gauge averages).
Pure: no I/O here; scraping lives in ``grove_mcp.sources``. Facts:
``../shared/reference/inference-metrics.md``."""
