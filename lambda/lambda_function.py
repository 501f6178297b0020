"""AWS Lambda entry point: hands every Alexa request to the SI joint coach skill."""

import os

from si_coach.skill import guarded_lambda_handler, skill_builder_from_environment
from si_coach.snapstart import register_runtime_hooks

SKILL_ID = os.environ.get("SKILL_ID") or None
# The entry checks the skill id itself, so the SDK's builder is made without it.
_answer = guarded_lambda_handler(skill_builder_from_environment(check_skill_id=False), SKILL_ID)


def lambda_handler(event: dict, context: object) -> dict:
    return _answer(event, context)


register_runtime_hooks(lambda_handler)
