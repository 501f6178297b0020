"""AWS Lambda entry point: hands every Alexa request to the SI joint coach skill."""

from si_coach.skill import skill_builder_from_environment

lambda_handler = skill_builder_from_environment().lambda_handler()
