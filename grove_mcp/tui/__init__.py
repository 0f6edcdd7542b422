"""The terminal UI (``kubectl grove tui``, the ``[tui]`` extra): Textual screens over the core.

``feed`` gets the data off the event loop (watch API, metrics windows), ``hierarchy`` and
``panes`` turn a frame into what each view shows (pure), ``screens`` are the pop-ups and ``app``
puts them together. Only the CLI starts it."""
