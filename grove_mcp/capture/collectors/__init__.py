"""One module per collector; the registry (``..registry``) orders them."""
