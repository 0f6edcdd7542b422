"""Inference-server metrics: parsing Prometheus text expositions and the math over a window of
scrapes (counter deltas, histogram quantiles, gauge averages). Pure: no I/O here; scraping
lives in ``grove_mcp.sources``. Facts: ``../shared/reference/inference-metrics.md``."""
