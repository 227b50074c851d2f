"""Persistence: SQLAlchemy 2 over SQLite in WAL mode. The only package that speaks SQL."""
