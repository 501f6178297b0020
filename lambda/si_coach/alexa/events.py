"""Skill events: recognising `AlexaSkillEvent.SkillDisabled`, sent when a user disables the skill.

The event arrives out of session, with no session object and no speech to answer: only
`context.System.user.userId` says whose data it concerns. Its body's
`userInformationPersistenceStatus` tells whether Alexa keeps that user id for a later
re-enable (PERSISTED) or not (NOT_PERSISTED). ask-sdk-model's SkillDisabledRequest drops
the body, so `skill_disabled` also reads the raw Lambda event. The manifest subscribes to
the event (interaction_model/skill.json, `events.subscriptions`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ask_sdk_model import RequestEnvelope

SKILL_DISABLED = "AlexaSkillEvent.SkillDisabled"


@dataclass(frozen=True)
class SkillDisabled:
    user_id: str
    # True: Alexa keeps the user id for a re-enable; False: it does not; None: not said.
    user_id_kept: bool | None = None


def skill_disabled(event: Mapping[str, Any] | RequestEnvelope) -> SkillDisabled | None:
    """The SkillDisabled event in `event` (a raw Lambda event or the SDK's envelope), or
    None when it is another request or names no user."""
    if isinstance(event, RequestEnvelope):
        # By type name: importing the SDK's event model would cost every cold start.
        if getattr(event.request, "object_type", None) != SKILL_DISABLED:
            return None
        user = getattr(getattr(event.context, "system", None), "user", None)
        user_id = getattr(user, "user_id", None)
        return SkillDisabled(user_id) if isinstance(user_id, str) and user_id else None
    request = event.get("request")
    if not isinstance(request, Mapping) or request.get("type") != SKILL_DISABLED:
        return None
    user_id = _dig(event, "context", "System", "user", "userId")
    if not isinstance(user_id, str) or not user_id:
        return None
    persistence = _dig(request, "body", "userInformationPersistenceStatus")
    kept = {"PERSISTED": True, "NOT_PERSISTED": False}.get(str(persistence))
    return SkillDisabled(user_id, kept)


def _dig(value: object, *keys: str) -> object:
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value
