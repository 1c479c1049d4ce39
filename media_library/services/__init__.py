"""Writes for the media library, one module per concern."""
