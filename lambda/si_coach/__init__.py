"""SI joint coach: an Alexa skill that paces a home exercise routine for sacroiliac joint pain.

Each folder is one layer. A module imports from its own folder (never in a cycle) and from
the layers below its own, never from a layer above or beside it; lazy and type-only imports
count too (tests/tooling/test_layers.py checks every import). Top to bottom:

    skill
    handlers
    dialogue
    alexa
    voice screen reminders storage
    routine

- skill.py: the wiring of handlers, interceptors and storage into ask-sdk-core;
- handlers/: thin request handlers, by topic;
- dialogue/: the session's state, one request's turn, the conversation, repair, the reminder
  and privacy dialogues, and what a screen shows;
- alexa/: request fields, the Alexa settings API, touch buttons (read from the screen's
  events), skill events, SnapStart;
- voice/: speech timing, the words of each language, the Voice; screen/: APL built from
  plain data; reminders/: the Reminders API; storage/: where progress is kept;
- routine/: pure: the catalogue, the pacing engine, outcomes, question facts, the progress
  record, limits.

This file stays free of imports: every module of the package loads it first.
"""
