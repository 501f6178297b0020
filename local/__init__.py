"""Tools to run the skill on a developer's machine (not deployed to Lambda)."""
