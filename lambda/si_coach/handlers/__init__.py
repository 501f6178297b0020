"""Thin request handlers, by topic: each maps a request onto the dialogue and says the result."""
