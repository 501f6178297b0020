"""Screens for devices with one (Echo Show, Echo Spot, Fire TV): APL built from plain data.

The skill describes a screen with the dataclasses in `model` (all words already written)
and asks `render_directives(screen, apl_max_version(handler_input.request_envelope))` for
the response's directives: an empty list for a device without APL 1.1, so it gets exactly
what a speaker gets. Button presses come back as UserEvents; `intent_for_request` names the
spoken intent to handle them as. `preview_frames` reads the directives back as text for the
console.
"""

from si_coach.screen.device import apl_max_version
from si_coach.screen.documents import render_directives, supports_screen
from si_coach.screen.events import intent_for_request, intent_for_user_event
from si_coach.screen.model import (
    ButtonAction,
    DetailScreen,
    ExerciseScreen,
    ListItem,
    ListScreen,
    Screen,
    ScreenButton,
    ScreenSpan,
    SpanKind,
)
from si_coach.screen.text_preview import PreviewFrame, preview_frames

__all__ = [
    "ButtonAction",
    "DetailScreen",
    "ExerciseScreen",
    "ListItem",
    "ListScreen",
    "PreviewFrame",
    "Screen",
    "ScreenButton",
    "ScreenSpan",
    "SpanKind",
    "apl_max_version",
    "intent_for_request",
    "intent_for_user_event",
    "preview_frames",
    "render_directives",
    "supports_screen",
]
