"""Builds the Alexa skill: request handlers, interceptors and storage wired to the SDK."""

from __future__ import annotations

import os

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response
from ask_sdk_model.services import ApiClient

from si_coach.storage import adapter_from_environment


class LaunchHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return (
            handler_input.response_builder.speak("Welcome to SI joint coach.")
            .ask("Say start my routine.")
            .response
        )


def create_skill_builder(
    persistence_adapter: AbstractPersistenceAdapter | None,
    *,
    skill_id: str | None = None,
    api_client: ApiClient | None = None,
) -> CustomSkillBuilder:
    builder = CustomSkillBuilder(persistence_adapter=persistence_adapter, api_client=api_client)
    builder.skill_id = skill_id
    builder.add_request_handler(LaunchHandler())
    return builder


def skill_builder_from_environment() -> CustomSkillBuilder:
    return create_skill_builder(
        adapter_from_environment(os.environ), skill_id=os.environ.get("SKILL_ID") or None
    )
