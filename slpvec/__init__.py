"""slpvec package."""
