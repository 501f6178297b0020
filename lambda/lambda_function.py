"""AWS Lambda entry point: hands every Alexa request to the SI joint coach skill."""

import os

from si_coach.skill import guarded_lambda_handler, skill_builder_from_environment

SKILL_ID = os.environ.get("SKILL_ID") or None
# The entry checks the skill id itself, so the SDK's builder is made without it.
_answer = guarded_lambda_handler(skill_builder_from_environment(check_skill_id=False), SKILL_ID)


def lambda_handler(event: dict, context: object) -> dict:
    return _answer(event, context)


if os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") == "snap-start":
    # Only an environment initialised for a SnapStart snapshot loads the hooks' module.
    from si_coach.alexa.snapstart import register_runtime_hooks

    register_runtime_hooks(lambda_handler)
