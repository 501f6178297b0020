"""The dialogue's state between requests: every key the session carries, and the kinds of
question the skill can ask and leave open for the next request.

Alexa returns the session's attributes with each request of a session; these keys are all
the skill puts there. What each question's hint, choices, yes and no are is in repair.py
(`QUESTIONS`, one entry a kind).
"""

from __future__ import annotations

from enum import StrEnum

# Whose record the session uses: a recognised person's tag, or "" for the account's. The
# storage layer reads it (storage.lifecycle.record_key), so it is named there.
from si_coach.storage.lifecycle import SESSION_RECORD_OWNER

# -- the session's keys ---------------------------------------------------------------------

# The user's progress record, carried through the session (turn.py).
SESSION_PROGRESS = "progress"
# What the store holds as far as the session knows: a record, None when it was never read,
# or SAVED_IS_CARRIED when it is the carried one (the session stays small).
SESSION_SAVED = "saved_progress"
SAVED_IS_CARRIED = "carried"
# True while the store could not be read this session: the record is merged before saving.
SESSION_STORE_UNREAD = "store_unread"
# The device's time zone, settled on a session's first request.
SESSION_TIME_ZONE = "time_zone"
# Another device's kept zone, dating this session's days when its own zone is unknown (a
# reminder is never set in it).
SESSION_DATING_ZONE = "dating_zone"
# The fields of the record this session changed since it last saved (turn.py): a save
# merges only these over the stored record.
SESSION_CHANGED = "changed"
# The open question: a QuestionKind's value, or None.
SESSION_QUESTION = "question"
# The last paced response's timeline, and the progress before it, to undo what was not heard.
SESSION_PACED = "paced"
SESSION_BEFORE_PACED = "before_paced"
# Misses in a row, and the words of the last answer that paced nothing (repair.py).
SESSION_MISSES = "misses"
SESSION_LAST_SAID = "last_said"
# The reminder time waiting for the user's yes: "08:00", or "08:00~" when it was suggested
# for a part of the day (reminder.py).
SESSION_REMINDER_TIME = "reminder_time"
# The exercise a brief how-to (said mid-exercise) was about: "tell me more" says the rest.
SESSION_MORE_ABOUT = "more_about"

SESSION_KEYS = frozenset(
    {
        SESSION_PROGRESS,
        SESSION_SAVED,
        SESSION_STORE_UNREAD,
        SESSION_TIME_ZONE,
        SESSION_DATING_ZONE,
        SESSION_CHANGED,
        SESSION_QUESTION,
        SESSION_PACED,
        SESSION_BEFORE_PACED,
        SESSION_MISSES,
        SESSION_LAST_SAID,
        SESSION_REMINDER_TIME,
        SESSION_MORE_ABOUT,
        SESSION_RECORD_OWNER,
    }
)


# -- the questions --------------------------------------------------------------------------


class QuestionKind(StrEnum):
    """A question the last response asked, left open so the next request can answer it."""

    # The routine: start it, pick up where the user left off, go again once finished.
    START_ROUTINE = "start_routine"
    RESUME = "resume"
    GO_AGAIN = "go_again"
    # Questions that want a choice, where yes and no still need an answer.
    CHOOSE_EXERCISE = "choose_exercise"
    INJURED_SIDE = "injured_side"
    PACE = "pace"
    # Offered after three misses in a row.
    OFFER_HELP = "offer_help"
    # The daily reminder: offered, its time asked for, the time and repetition confirmed,
    # stopping it confirmed.
    OFFER_REMINDER = "offer_reminder"
    REMINDER_TIME = "reminder_time"
    CONFIRM_REMINDER = "confirm_reminder"
    STOP_REMINDER = "stop_reminder"
    # Deleting everything the skill keeps about the user.
    FORGET_DATA = "forget_data"
