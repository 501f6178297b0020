"""AWS Lambda entry point: hands every Alexa request to the SI joint coach skill."""

import gc
import os

# A cold start builds a few hundred thousand objects that live as long as the process (the
# modules, botocore's models, the wording); the cyclic collector would scan them over and
# over while they are made, about a tenth of a cold start's work (callgrind). So it pauses
# while the skill is built, and what was built is then frozen: later collections skip it.
gc.disable()
try:
    from si_coach.skill import guarded_lambda_handler, skill_builder_from_environment

    SKILL_ID = os.environ.get("SKILL_ID") or None
    # The entry checks the skill id itself, so the SDK's builder is made without it.
    _answer = guarded_lambda_handler(skill_builder_from_environment(check_skill_id=False), SKILL_ID)
finally:
    gc.freeze()
    gc.enable()


def lambda_handler(event: dict, context: object) -> dict:
    return _answer(event, context)


if os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") == "snap-start":
    # Only an environment initialised for a SnapStart snapshot loads the hooks' module.
    from si_coach.alexa.snapstart import register_runtime_hooks

    register_runtime_hooks(lambda_handler)
