"""Test support shared by the suites: Alexa's APIs played over HTTPS, request signing,
sessions walked into each phase, screen examples, a fake clock, and the skill's own words
for negative checks. What the benchmark shares with the tests lives in local/ instead."""
