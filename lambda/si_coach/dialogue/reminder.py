"""The daily-reminder dialogue: a time asked for and confirmed, the permission, and the one
recurring reminder created, read, moved or stopped; and a reminder offered once the
routine is done.

Each step takes the request's turn and returns a `ReminderReply`: the speech, and the
permission question (Alexa's consent task) or the Alexa-app card it needs. The Reminders
API is reached through si_coach.reminders; only a reminder the API confirmed is
remembered (its token, in the progress record), and every failure gets a short spoken
explanation and stores nothing untrue. Amazon's reminder guidelines shape the flow: the
time and the repetition are confirmed before anything is set, the reminder is restated
once set with how to change it, and after a "no" no reminder is offered again for a week.
Every word is a key of the wording data ([reminders]).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.interfaces.connections.v1 import StartConnectionDirective
from ask_sdk_model.ui import Card

from si_coach.alexa.request import FALLBACK_TIME_ZONE, known_device_time_zone, request_locale
from si_coach.dialogue.state import SESSION_REMINDER_TIME, SESSION_TIME_ZONE, QuestionKind
from si_coach.dialogue.turn import CoachTurn
from si_coach.reminders import (
    ConsentAnswer,
    ConsentOutcome,
    DailyReminder,
    PermissionState,
    ReminderDeleted,
    ReminderError,
    ReminderFailure,
    RemindersClient,
    TimeOfDay,
    ask_for_permission,
    parse_time_slot,
    permission_card,
    reminders_permission,
    say_time,
)
from si_coach.routine.outcomes import Standing
from si_coach.routine.pacing import Phase
from si_coach.voice.speaker import Reply
from si_coach.voice.speech import SpeechPlan

log = logging.getLogger(__name__)

# After a "no", no reminder is offered for this long (the user can still ask for one).
OFFER_PAUSE = timedelta(days=7)
# The reminder's spoken text is sent in the request's locale; this one when it has none.
DEFAULT_REMINDER_LOCALE = "en-US"
_LOCALE = re.compile(r"[a-z]{2,3}-[A-Z]{2}")

FAILURE_LINES = {
    ReminderFailure.PERMISSION_MISSING: "reminders.failed_permission_missing",
    ReminderFailure.DEVICE_NOT_SUPPORTED: "reminders.failed_device_not_supported",
    ReminderFailure.NOT_FOUND: "reminders.failed_not_found",
    ReminderFailure.REJECTED: "reminders.failed_rejected",
    ReminderFailure.TOO_MANY_REQUESTS: "reminders.failed_too_many_requests",
    ReminderFailure.SERVICE_UNAVAILABLE: "reminders.failed_service_unavailable",
    ReminderFailure.TIMED_OUT: "reminders.failed_timed_out",
    ReminderFailure.UNREACHABLE: "reminders.failed_unreachable",
    ReminderFailure.MALFORMED_ANSWER: "reminders.failed_malformed_answer",
}
CONSENT_LINES = {
    ConsentOutcome.DENIED: "reminders.permission_denied",
    ConsentOutcome.NOT_ANSWERED: "reminders.permission_not_answered",
    ConsentOutcome.FAILED: "reminders.permission_failed",
}


@dataclass(frozen=True)
class ReminderReply:
    """What to answer: the speech, and the permission question or card it comes with.

    With `ask_permission`, Alexa speaks next: the speech has no reprompt, and the user's
    answer arrives as a SessionResumedRequest (or, in the older form, a Connections.Response).
    """

    plan: SpeechPlan
    ask_permission: StartConnectionDirective | None = None
    card: Card | None = None


class ReminderDialogue:
    """One request's part of the reminder dialogue."""

    def __init__(self, turn: CoachTurn, handler_input: HandlerInput) -> None:
        self.turn = turn
        self.handler_input = handler_input
        self.voice = turn.voice

    @cached_property
    def client(self) -> RemindersClient | None:
        return RemindersClient.for_request(self.handler_input.request_envelope)

    # -- what the user asks ------------------------------------------------------------

    def set_reminder(self, time_value: str | None) -> ReminderReply:
        """Asked to "remind me every day at eight"; without a time, it is asked for."""
        self.turn.ask_question(None)
        if self.client is None:
            return self._close(self._reply().line("reminders.not_here"))
        if time_value is None:
            return self._ask_time()
        time = parse_time_slot(time_value)
        if time is None:
            return self._ask_time(not_understood=True)
        if self._time_zone() is None:
            return self._close(self._reply().line("reminders.no_time_zone"))
        return self._confirm(time)

    def change_reminder(self, time_value: str | None) -> ReminderReply:
        """Asked to "change it to seven": confirmed like a new one; moved when one exists."""
        reply = self.set_reminder(time_value)
        if self.turn.pending_question() is not QuestionKind.CONFIRM_REMINDER:
            return reply
        if self.turn.progress.reminder_token is not None:
            return reply
        # None known: offer to set one. Should one exist untracked, setting finds it.
        time = self._pending_time()
        assert time is not None
        spoken = self._say(time)
        plan = (
            self._reply()
            .line("reminders.change_none_set", time=spoken)
            .ask_line("reminders.confirm_reprompt", time=spoken)
        )
        return ReminderReply(plan)

    def when_is_reminder(self) -> ReminderReply:
        """Asked "when is my reminder": as the Reminders API holds it now."""
        self.turn.ask_question(None)
        if self.client is None:
            return self._close(self._reply().line("reminders.not_here"))
        found = self._current_reminder()
        if isinstance(found, ReminderError):
            return self._failed(found)
        reply = self._reply()
        if found is None:
            reply.line("reminders.none_set")
        elif not found.active:
            self._remember(None)
            reply.line("reminders.set_but_over")
        else:
            reply.line("reminders.set_at", time=self._say(found.time))
        return self._close(reply)

    def stop_reminder(self) -> ReminderReply:
        """Asked to "stop reminding me": confirmed first, when there is one to stop."""
        self.turn.ask_question(None)
        if self.client is None:
            return self._close(self._reply().line("reminders.not_here"))
        found = self._current_reminder()
        if isinstance(found, ReminderError):
            return self._failed(found)
        if found is None:
            return self._close(self._reply().line("reminders.stop_none_set"))
        self.turn.ask_question(QuestionKind.STOP_REMINDER)
        plan = (
            self._reply().line("reminders.stop_confirm").ask_line("reminders.stop_confirm_reprompt")
        )
        return ReminderReply(plan)

    def answer(self, question: QuestionKind, yes: bool) -> ReminderReply:
        """A yes or no to one of the dialogue's questions (the reminder QuestionKinds)."""
        self.turn.ask_question(None)
        if question is QuestionKind.STOP_REMINDER:
            if yes:
                return self._delete()
            return self._close(self._reply().line("reminders.stop_kept"))
        if not yes:
            return self._declined()
        if question is QuestionKind.CONFIRM_REMINDER:
            time = self._pending_time()
            if time is not None:
                return self._agreed(time)
        return self._ask_time()

    def consent_answered(self, answer: ConsentAnswer) -> ReminderReply:
        """Alexa's answer to the permission question, with the time the user agreed to."""
        log.info("reminders permission: %s (code %s)", answer.outcome, answer.status_code)
        self.turn.ask_question(None)
        if answer.outcome is ConsentOutcome.GRANTED:
            lead = self._reply().line("reminders.permission_granted").ask("")
            if answer.agreed_time is None and not self.turn.in_session:
                # No session to ask the time in: how to set it next time.
                thanks = self._reply().line("reminders.permission_granted")
                return self._close(thanks.line("reminders.permission_granted_ask_again"))
            if answer.agreed_time is None:
                return self._ask_time(lead=lead)
            return self._with_lead(lead, self._agreed(answer.agreed_time, permission_known=True))
        if answer.outcome is ConsentOutcome.DENIED:
            self._remember_no()
        reply = self._reply().line(CONSENT_LINES[answer.outcome])
        if answer.needs_card:
            return self._close(reply.line("reminders.permission_card"), card=permission_card())
        return self._close(reply.line("reminders.permission_later"))

    def offer_after_routine(self, phase_before: Phase, plan: SpeechPlan) -> SpeechPlan:
        """`plan` with a reminder offered, when the routine was just finished today by a
        user with no reminder who has not said no to one within the week; else `plan`."""
        progress = self.turn.progress
        if not (
            plan.end_session
            and phase_before is not Phase.FINISHED
            and progress.routine.phase is Phase.FINISHED
            and self.turn.conversation().done_today()
            and progress.reminder_token is None
            and not self._declined_lately()
            and self.client is not None
            and reminders_permission(self.handler_input.request_envelope)
            is not PermissionState.DENIED
        ):
            return plan
        self.turn.ask_question(QuestionKind.OFFER_REMINDER)
        offer = self._reply().line("reminders.offer").ask_line("reminders.offer_reprompt")
        # The routine's timeline stays: its reps were paced, and may be interrupted.
        return SpeechPlan(plan.segments + offer.segments, offer.reprompt, False, plan.timeline)

    # -- steps -------------------------------------------------------------------------

    def _ask_time(
        self, *, not_understood: bool = False, lead: SpeechPlan | None = None
    ) -> ReminderReply:
        self.turn.ask_question(QuestionKind.REMINDER_TIME)
        if not_understood:
            plan = (
                self._reply()
                .line("reminders.time_not_understood")
                .ask_line("reminders.time_not_understood_reprompt")
            )
        else:
            plan = self._reply().line("reminders.ask_time").ask_line("reminders.ask_time_reprompt")
        return ReminderReply(plan if lead is None else plan.after(lead))

    def _confirm(self, time: TimeOfDay) -> ReminderReply:
        self.turn.session[SESSION_REMINDER_TIME] = time.clock + ("~" if time.suggested else "")
        self.turn.ask_question(QuestionKind.CONFIRM_REMINDER)
        spoken = self._say(time)
        key = "reminders.confirm_suggested" if time.suggested else "reminders.confirm"
        plan = (
            self._reply().line(key, time=spoken).ask_line("reminders.confirm_reprompt", time=spoken)
        )
        return ReminderReply(plan)

    def _declined(self) -> ReminderReply:
        self._remember_no()
        return self._close(self._reply().line("reminders.declined"))

    def _agreed(self, time: TimeOfDay, *, permission_known: bool = False) -> ReminderReply:
        """The user said yes to "every day at `time`": ask for the permission, or set it."""
        self.turn.session.pop(SESSION_REMINDER_TIME, None)
        if self.client is None:
            return self._close(self._reply().line("reminders.not_here"))
        zone = self._time_zone()
        if zone is None:
            return self._close(self._reply().line("reminders.no_time_zone"))
        granted = reminders_permission(self.handler_input.request_envelope)
        if granted is not PermissionState.GRANTED and not permission_known:
            plan = self._reply().line("reminders.permission_why").end()
            return ReminderReply(plan, ask_permission=ask_for_permission(time))
        return self._set(time, zone)

    def _set(self, time: TimeOfDay, zone: str) -> ReminderReply:
        """Create the reminder, or move the one that exists; remember only what the API
        confirmed."""
        client = self.client
        assert client is not None
        token = self.turn.progress.reminder_token
        if token is None:
            # One may exist that this record lost track of: never make a second.
            found = client.list_all()
            if isinstance(found, ReminderError):
                return self._failed(found)
            active = [reminder for reminder in found if reminder.active]
            token = active[0].alert_token if active else None
        text = self.voice.wording.line("reminders.reminder_text")
        locale = self._reminder_locale()
        if token is not None:
            moved = client.update_time(
                token, time, time_zone_id=zone, text=text, locale=locale, now=self.turn.now
            )
            if isinstance(moved, DailyReminder) and moved.active:
                self._remember(moved.alert_token)
                return self._done("reminders.done_replaced", moved.time)
            if isinstance(moved, ReminderError) and moved.failure is not ReminderFailure.NOT_FOUND:
                return self._failed(moved)
            # Gone, or over (a completed reminder is replaced, not updated): a new one.
            self._remember(None)
        created = client.create_daily(
            time, time_zone_id=zone, text=text, locale=locale, now=self.turn.now
        )
        if isinstance(created, ReminderError):
            return self._failed(created)
        self._remember(created.alert_token)
        return self._done("reminders.done", created.time)

    def _delete(self) -> ReminderReply:
        client = self.client
        token = self.turn.progress.reminder_token
        if client is None or token is None:
            return self._close(self._reply().line("reminders.stop_none_set"))
        deleted = client.delete(token)
        if isinstance(deleted, ReminderError):
            return self._failed(deleted)
        assert isinstance(deleted, ReminderDeleted)
        self._remember(None)
        return self._close(self._reply().line("reminders.stopped"))

    def _current_reminder(self) -> DailyReminder | ReminderError | None:
        """The user's reminder as the API holds it (None: none). A stored token is read;
        without one, the API's list is asked (the skill sees only its own reminders), and
        a reminder found there is remembered."""
        client = self.client
        assert client is not None
        token = self.turn.progress.reminder_token
        if token is not None:
            found = client.get(token)
            if isinstance(found, ReminderError) and found.failure is ReminderFailure.NOT_FOUND:
                self._remember(None)
            return found
        if reminders_permission(self.handler_input.request_envelope) is not (
            PermissionState.GRANTED
        ):
            return None  # none can have been set without the permission
        listed = client.list_all()
        if isinstance(listed, ReminderError):
            return listed
        active = [reminder for reminder in listed if reminder.active]
        if not active:
            return None
        self._remember(active[0].alert_token)
        return active[0]

    # -- the record ----------------------------------------------------------------------

    def _remember(self, token: str | None) -> None:
        known = self.turn.progress.with_reminder(token)
        self.turn.change(
            reminder_token=known.reminder_token, reminder_declined_on=known.reminder_declined_on
        )

    def _remember_no(self) -> None:
        self.turn.change(reminder_declined_on=self.turn.today)

    def _declined_lately(self) -> bool:
        declined = self.turn.progress.reminder_declined_on
        return declined is not None and self.turn.today - declined < OFFER_PAUSE

    # -- words -----------------------------------------------------------------------------

    def _reply(self) -> Reply:
        return self.voice.reply()

    def _say(self, time: TimeOfDay) -> str:
        words = self.voice.wording
        # Languages whose hour is said unlike a plain number ("la una", "ein Uhr") name it.
        hour = getattr(words.grammar, "hour", None)
        return say_time(time, words.clock, words.grammar.number, hour=hour)

    def _done(self, key: str, time: TimeOfDay) -> ReminderReply:
        reply = self._reply().line(key, time=self._say(time)).line("reminders.how_to_change")
        return self._close(reply)

    def _failed(self, error: ReminderError) -> ReminderReply:
        """A short explanation of what did not happen; a withdrawn permission also forgets
        the token (the reminder can no longer be managed) and sends the card to grant it."""
        reply = self._reply().line(FAILURE_LINES[error.failure])
        if error.failure is ReminderFailure.PERMISSION_MISSING:
            self._remember(None)
            return self._close(reply.line("reminders.permission_card"), card=permission_card())
        return self._close(reply)

    def _close(self, reply: Reply, card: Card | None = None) -> ReminderReply:
        """End an answer: with how to carry on, or, once today's routine is done or when
        there is no session to carry on in, goodbye."""
        talk = self.turn.conversation()
        done = talk.place.standing is Standing.FINISHED and talk.done_today()
        if done or not self.turn.in_session:
            return ReminderReply(reply.line("reminders.see_you").end(), card=card)
        back = self.voice.back(talk.place)
        return ReminderReply(reply.text(back).ask(back), card=card)

    @staticmethod
    def _with_lead(lead: SpeechPlan, reply: ReminderReply) -> ReminderReply:
        return replace(reply, plan=reply.plan.after(lead))

    # -- the request -----------------------------------------------------------------------

    def _pending_time(self) -> TimeOfDay | None:
        raw = self.turn.session.get(SESSION_REMINDER_TIME)
        if not isinstance(raw, str):
            return None
        try:
            time = TimeOfDay.from_clock(raw.rstrip("~"))
        except ValueError:
            return None
        return replace(time, suggested=raw.endswith("~"))

    def _time_zone(self) -> str | None:
        """The device's real time zone, or None. UTC in the session may be the fallback used
        for dates, so then the settings API is asked again."""
        zone = self.turn.session.get(SESSION_TIME_ZONE)
        if isinstance(zone, str) and zone != FALLBACK_TIME_ZONE:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                pass
            else:
                return zone
        return known_device_time_zone(self.handler_input)

    def _reminder_locale(self) -> str:
        locale = request_locale(self.handler_input) or ""
        return locale if _LOCALE.fullmatch(locale) else DEFAULT_REMINDER_LOCALE
