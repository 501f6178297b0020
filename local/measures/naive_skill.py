"""The baseline for the warm-turn and request-count figures: the SDK samples' pattern.

Every turn reads ``persistent_attributes``, increments a counter, saves with
``save_persistent_attributes()`` and answers with a short speak/ask, through the SDK's
attributes manager on the same kind of table (moto, from template.yaml) and the same
DynamoDB adapter as the skill, so the figures compare the skill's work, not the adapters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response


class CountingHandler(AbstractRequestHandler):
    """Answers every launch and intent generically, loading and saving attributes."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return not is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        manager = handler_input.attributes_manager
        attributes = manager.persistent_attributes
        attributes["turns"] = int(attributes.get("turns", 0)) + 1
        manager.persistent_attributes = attributes
        manager.save_persistent_attributes()
        return (
            handler_input.response_builder.speak(f"That is turn {attributes['turns']}.")
            .ask("What next?")
            .response
        )


class SessionEndedHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.response


def naive_lambda_handler(table_name: str) -> Callable[[dict, Any], dict]:
    """The naive skill's lambda handler on `table_name` (AWS settings from the environment)."""
    from si_coach.storage.dynamodb import progress_table_adapter  # noqa: PLC0415

    adapter = progress_table_adapter(table_name)
    builder = CustomSkillBuilder(persistence_adapter=adapter)
    builder.add_request_handler(CountingHandler())
    builder.add_request_handler(SessionEndedHandler())
    return builder.lambda_handler()
