"""AWS Lambda entry point: hands every Alexa request to the SI joint coach skill."""

import os

from si_coach.skill import guarded_lambda_handler, skill_builder_from_environment
from si_coach.snapstart import register_runtime_hooks

lambda_handler = guarded_lambda_handler(
    skill_builder_from_environment(), os.environ.get("SKILL_ID") or None
)
register_runtime_hooks(lambda_handler)
