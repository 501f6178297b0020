"""Touch: the screen's buttons send UserEvents that the skill handles as the spoken intents.

A button press arrives as an `Alexa.Presentation.APL.UserEvent` request whose `arguments`
are `[action]` (see the ActionButton layout in `exercise.json`). `intent_for_user_event`
names the built-in intent the same words would have reached, so the handler can take the
same code path as the voice instead of a second copy of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from si_coach.screen.documents import TOKEN_PREFIX
from si_coach.screen.model import ButtonAction

USER_EVENT = "Alexa.Presentation.APL.UserEvent"

INTENT_FOR_ACTION: dict[ButtonAction, str] = {
    ButtonAction.NEXT: "AMAZON.NextIntent",
    ButtonAction.PAUSE: "AMAZON.PauseIntent",
    ButtonAction.RESUME: "AMAZON.ResumeIntent",
    ButtonAction.REPEAT: "AMAZON.RepeatIntent",
}


def intent_for_user_event(arguments: Sequence[Any] | None) -> str | None:
    """The intent a button's UserEvent arguments stand for; None for anything else."""
    if not arguments or not isinstance(arguments[0], str):
        return None
    try:
        return INTENT_FOR_ACTION[ButtonAction(arguments[0])]
    except ValueError:
        return None


def intent_for_request(request: Any) -> str | None:
    """The intent for a request object (ask-sdk-model or plain dict) if it is a button press.

    Only UserEvents from this skill's own screens count (their token starts with the
    screens' prefix); anything else gives None.
    """

    def field(name: str) -> Any:
        return request.get(name) if isinstance(request, dict) else getattr(request, name, None)

    request_type = field("type") if isinstance(request, dict) else field("object_type")
    token = field("token")
    if request_type != USER_EVENT or not (
        isinstance(token, str) and token.startswith(TOKEN_PREFIX)
    ):
        return None
    return intent_for_user_event(field("arguments"))
