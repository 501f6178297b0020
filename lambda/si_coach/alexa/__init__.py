"""Alexa's side of the wire: request fields, the settings API, touch buttons, skill events,
SnapStart hooks."""
