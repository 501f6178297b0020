"""The daily exercise reminder: the Alexa Reminders API, its permission, and the time said.

- `api`: a light HTTPS client creating, reading, moving and deleting one recurring daily
  reminder, every failure returned as a typed `ReminderError`;
- `consent`: whether the reminders permission is granted, the voice-consent directive,
  the reading of its answer, and the Alexa-app permission card;
- `time_of_day`: the time read from an AMAZON.TIME slot, and said from wording data.

The words live in the wording data (si_coach/voice/wording: [reminders] and [clock]); nothing
here speaks. The dialogue that uses all this is si_coach/dialogue/reminder.py.
"""

from si_coach.reminders.api import (
    DailyReminder,
    ReminderDeleted,
    ReminderError,
    ReminderFailure,
    RemindersClient,
    daily_reminder_request,
    daily_rule,
)
from si_coach.reminders.consent import (
    REMINDERS_PERMISSION,
    ConsentAnswer,
    ConsentOutcome,
    PermissionState,
    ask_for_permission,
    is_consent_answer,
    permission_card,
    read_consent_answer,
    reminders_permission,
)
from si_coach.reminders.time_of_day import TimeOfDay, parse_time_slot, say_time

__all__ = [
    "REMINDERS_PERMISSION",
    "ConsentAnswer",
    "ConsentOutcome",
    "DailyReminder",
    "PermissionState",
    "ReminderDeleted",
    "ReminderError",
    "ReminderFailure",
    "RemindersClient",
    "TimeOfDay",
    "ask_for_permission",
    "daily_reminder_request",
    "daily_rule",
    "is_consent_answer",
    "parse_time_slot",
    "permission_card",
    "read_consent_answer",
    "reminders_permission",
    "say_time",
]
