"""Builds the Alexa skill: the handlers, the per-request turn, and the progress store, wired
into ask-sdk-core; and the Lambda entry that refuses other skills and unreadable envelopes.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model.services import ApiClient

from si_coach.alexa.buttons import ButtonPressInterceptor
from si_coach.alexa.settings_api import AlexaApiClient
from si_coach.dialogue.screen_step import ScreenInterceptor
from si_coach.dialogue.turn import (
    BlankIntentInterceptor,
    LoadTurnInterceptor,
    OwnedSessionKeysOnly,
    RequestLogger,
    SaveTurnInterceptor,
)
from si_coach.handlers.registry import HANDLERS
from si_coach.handlers.routine import ApologyHandler
from si_coach.routine.catalogue import Catalogue, default_catalogue
from si_coach.storage import adapter_from_environment
from si_coach.storage.progress_store import ProgressStore
from si_coach.voice.speaker import voice_for
from si_coach.voice.wording import check_wordings

log = logging.getLogger(__name__)

LambdaHandler = Callable[[object, object], dict]


def create_skill_builder(
    persistence_adapter: AbstractPersistenceAdapter | None,
    *,
    skill_id: str | None = None,
    api_client: ApiClient | None = None,
    catalogue: Catalogue | None = None,
) -> CustomSkillBuilder:
    """The skill's builder. `skill_id` makes the SDK refuse other skills (the web service);
    the Lambda entry checks the id itself, before the SDK, and passes none."""
    catalogue = catalogue or default_catalogue()
    check_wordings()  # a broken wording file stops start-up here, not mid-conversation
    store = ProgressStore(persistence_adapter, catalogue) if persistence_adapter else None
    # The turn uses the storage port directly, so the SDK's attributes manager gets none.
    builder = CustomSkillBuilder(api_client=api_client)
    builder.skill_id = skill_id
    for handler in HANDLERS:
        builder.add_request_handler(handler())
    # First: what the session carries is the skill's own, whatever else the request brings.
    builder.add_global_request_interceptor(OwnedSessionKeysOnly())
    # Then a touch button becomes its spoken intent before anything reads the request.
    builder.add_global_request_interceptor(ButtonPressInterceptor())
    builder.add_global_request_interceptor(BlankIntentInterceptor())
    builder.add_global_request_interceptor(RequestLogger())
    builder.add_global_request_interceptor(LoadTurnInterceptor(catalogue, store))
    # What a screen shows is added to the answer before the progress is saved.
    builder.add_global_response_interceptor(ScreenInterceptor())
    builder.add_global_response_interceptor(SaveTurnInterceptor(store))
    builder.add_exception_handler(ApologyHandler())
    return builder


class SkillIdMismatchError(PermissionError):
    """A request for another skill: refused without being handled."""


def unreadable_request_response() -> dict:
    words = voice_for(None).wording
    return {
        "version": "1.0",
        "response": {
            "outputSpeech": {
                "type": "SSML",
                "ssml": f"<speak>{words.line('answers.unreadable_request')}</speak>",
            },
            "shouldEndSession": True,
        },
    }


def guarded_lambda_handler(builder: CustomSkillBuilder, skill_id: str | None) -> LambdaHandler:
    """The SDK's lambda handler, refusing other skills and answering any request it can't read.

    The SDK raises on envelopes it cannot deserialise (an unknown request type, a malformed
    timestamp); Alexa would then play its generic error. Here they get a short spoken answer.
    """
    sdk_handler = builder.lambda_handler()

    def lambda_handler(event: object, context: object) -> dict:
        if skill_id is not None and _application_id(event) != skill_id:
            raise SkillIdMismatchError("request is for another skill")
        try:
            return sdk_handler(event, context)
        except Exception:
            log.exception("request could not be handled")
            return unreadable_request_response()

    return lambda_handler


def _application_id(event: object) -> object:
    try:
        return event["context"]["System"]["application"]["applicationId"]  # type: ignore[index]
    except (KeyError, TypeError):
        return None


def skill_builder_from_environment(*, check_skill_id: bool = True) -> CustomSkillBuilder:
    """The builder as deployed: storage from TABLE_NAME, the Alexa API client, SKILL_ID."""
    return create_skill_builder(
        adapter_from_environment(os.environ),
        skill_id=(os.environ.get("SKILL_ID") or None) if check_skill_id else None,
        api_client=AlexaApiClient(),
    )
