"""Wiring of core, store and sources; usable headless (the CLI) and by the UI."""
