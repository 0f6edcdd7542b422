"""Slack front-end tests: they need the [slack] extra (slack-sdk, pillow), which the dev venv has.

Nothing here is skipped: a missing extra is an import error, not a silent pass.
"""
