"""Maintenance tools run from the repository root; importable so tests can reuse their rules."""
