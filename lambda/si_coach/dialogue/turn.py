"""One request's turn: the user's progress in, an event or question handled, speech and
progress out.

The load interceptor builds the turn once per request: the progress is parsed from the
session (or read from the store on a session's first request) exactly once, and every
handler works on the same `CoachTurn`. The save interceptor writes it back to the session,
and to the store when something worth keeping changed or the session ends.

The session also carries which fields this session changed since its last save (settings,
the reminder, the device's time zone, the place in the routine), so a save merges only
those over the stored record: a session that never read the store resets nothing. The
place counts as changed once the session moved it from a record it read, or finished an
exercise. Session attributes are the client's to garble: each is read on its own, and
anything unusable is dropped with a log line rather than failing the turn.

Dates: the request's timestamp in the device's time zone, except that a clock more than
`CLOCK_AHEAD_ALLOWANCE` ahead of this server's is taken as this server's (a wrong device
clock must not date history years ahead), and a date before the newest day the record
holds counts as that day (two devices in different zones, or a slow clock, never add a day
out of order nor break a streak).
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from html import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor, AbstractResponseInterceptor
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_request_type, is_intent_name, is_request_type
from ask_sdk_model import Intent, IntentRequest, Response

from si_coach.alexa.request import (
    FALLBACK_TIME_ZONE,
    known_device_time_zone,
    request_locale,
)
from si_coach.dialogue.conversation import Conversation
from si_coach.dialogue.state import (
    SAVED_IS_CARRIED,
    SESSION_BEFORE_PACED,
    SESSION_CHANGED,
    SESSION_DATING_ZONE,
    SESSION_KEYS,
    SESSION_PACED,
    SESSION_PROGRESS,
    SESSION_QUESTION,
    SESSION_RECORD_OWNER,
    SESSION_SAVED,
    SESSION_STORE_UNREAD,
    SESSION_TIME_ZONE,
    QuestionKind,
)
from si_coach.routine.catalogue import Catalogue
from si_coach.routine.outcomes import Outcome, SkippedPastLast, TodaySummary
from si_coach.routine.pacing import (
    Event,
    PacedResponse,
    PacingEngine,
    Phase,
    RoutineState,
    interrupted_state,
    reps_heard,
)
from si_coach.routine.progress import (
    LEFT_OUT,
    PACE,
    PLACE,
    REMINDER,
    SIDE,
    TIME_ZONE,
    Changes,
    Progress,
    changes_of,
    device_tag,
)
from si_coach.storage.budget import start_request_budget
from si_coach.storage.lifecycle import (
    person_tag,
    recognised_person_id,
    record_key,
)
from si_coach.storage.progress_store import ProgressStore, worth_saving
from si_coach.voice.speaker import Voice, voice_for
from si_coach.voice.speech import Span, SpanKind, SpeechPlan

log = logging.getLogger(__name__)

TURN_ATTRIBUTE = "coach_turn"
# How far ahead of this server's clock a request may be stamped and still be believed.
CLOCK_AHEAD_ALLOWANCE = timedelta(days=1)
# Which of Progress's fields each kind of change names.
_CHANGE_OF_FIELD = {
    "injured_side": SIDE,
    "pace": PACE,
    "reminder_token": REMINDER,
    "reminder_declined_on": REMINDER,
    "time_zone": TIME_ZONE,
    "time_zone_checked_on": TIME_ZONE,
    "time_zone_device": TIME_ZONE,
    "choices": LEFT_OUT,
}
# Directives that hand the user to Alexa (the consent task; SendRequest is its older form).
HANDING_OVER = frozenset({"Connections.StartConnection", "Connections.SendRequest"})
# Requests answered in speech even out of session: Alexa's answer to the permission question.
ANSWERS_OUT_OF_SESSION = frozenset({"SessionResumedRequest", "Connections.Response"})
# The progress store, for handlers that delete a record (in session or not).
STORE_ATTRIBUTE = "progress_store"


class CoachTurn:
    """One request's view of the user: progress, clock, voice; speech and progress out."""

    def __init__(
        self,
        handler_input: HandlerInput,
        catalogue: Catalogue,
        progress: Progress,
        saved: Progress | None,
        session: dict | None = None,
    ) -> None:
        self.handler_input = handler_input
        self.catalogue = catalogue
        # Out of session (a request without one), a turn keeps its attributes to itself.
        self.session = session if session is not None else {}
        self.progress = progress
        # What the store holds as far as this session knows; None when it was never read.
        self.saved = saved
        # The progress before this turn's event, kept while a paced response is spoken.
        self._before_event: Progress | None = None
        # Whether this turn asked (or cleared) the yes-or-no question; the engine's outcomes,
        # for the screen (screens.py) and for repeating what was said.
        self.question_asked = False
        self.outcomes: tuple[Outcome, ...] = ()
        # What the response says, once `respond` built it: the screen step shows it.
        self.said: SpeechPlan | None = None
        # The fields this session changed since it last saved.
        raw_changes = self.session.get(SESSION_CHANGED)
        self.changed: Changes = changes_of(raw_changes if isinstance(raw_changes, list) else ())
        # A long hold from an earlier session ran out unwatched: it is not counted.
        self.hold_lapsed = False

    def change(self, **fields: object) -> None:
        """Change settings, the reminder or the time zone, as the user asked."""
        self.progress = replace(self.progress, **fields)  # type: ignore[arg-type]
        self.changed |= {_CHANGE_OF_FIELD[name] for name in fields}

    def forget(self, marker: Progress) -> None:
        """The user's data was deleted: the session carries on from what the store holds."""
        self.progress = self.saved = marker
        self.changed = frozenset()

    @cached_property
    def record_owner(self) -> str | None:
        """The tag of the recognised person whose record this session uses; None: the
        account's record (no one was recognised when the session began)."""
        try:
            return record_key(self.handler_input.request_envelope).person
        except PersistenceException:
            return None

    @property
    def person_id(self) -> str | None:
        """The recognised speaker's person id, when this session uses their record: Alexa
        says their name from it. None for the account's record."""
        person_id = recognised_person_id(self.handler_input.request_envelope)
        if self.record_owner is None or person_tag(person_id) != self.record_owner:
            return None
        return person_id

    @staticmethod
    def of(handler_input: HandlerInput) -> CoachTurn:
        return handler_input.attributes_manager.request_attributes[TURN_ATTRIBUTE]

    @property
    def in_session(self) -> bool:
        """Whether the request came in a session (a consent answer may come without one)."""
        return self.handler_input.request_envelope.session is not None

    @cached_property
    def voice(self) -> Voice:
        return voice_for(request_locale(self.handler_input))

    @cached_property
    def engine(self) -> PacingEngine:
        return PacingEngine(self.catalogue, self.voice)

    @cached_property
    def now(self) -> datetime:
        """The request's moment by the device's clock: pacing times reps by it."""
        stamp = getattr(self.handler_input.request_envelope.request, "timestamp", None)
        if not isinstance(stamp, datetime):
            return datetime.now(UTC)
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)

    @cached_property
    def zone(self) -> ZoneInfo:
        """The zone the device's dates are told in."""
        name = self.session.get(SESSION_DATING_ZONE) or self.session.get(SESSION_TIME_ZONE)
        try:
            return ZoneInfo(name or FALLBACK_TIME_ZONE)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            return ZoneInfo(FALLBACK_TIME_ZONE)

    @cached_property
    def today(self) -> date:
        """The device's local date, never before the newest day the record holds."""
        zone = self.session.get(SESSION_DATING_ZONE) or self.session.get(SESSION_TIME_ZONE)
        today = local_date(dating_moment(self.now), zone)
        newest = self.progress.last_active
        return max(today, newest.day) if newest is not None else today

    def routine_moved_on(self) -> date | None:
        """The local date the routine's place last moved; None when it never has."""
        moved = self.progress.routine.updated_at
        if moved <= 0:
            return None
        try:
            return datetime.fromtimestamp(moved, self.zone).date()
        except (OverflowError, OSError, ValueError):
            return None

    @property
    def store_unread(self) -> bool:
        return self.saved is None

    def conversation(self) -> Conversation:
        place = self.engine.place(self.progress.routine, self.progress.coaching())
        return Conversation(
            self.voice, self.catalogue, self.progress, self.today, place, self.routine_moved_on()
        )

    def ask_question(self, kind: QuestionKind | None) -> None:
        self.session[SESSION_QUESTION] = kind.value if kind else None
        self.question_asked = True

    def pending_question(self) -> QuestionKind | None:
        try:
            return QuestionKind(self.session.get(SESSION_QUESTION))
        except ValueError:
            return None

    def run(self, event: Event, *, lead: tuple[Outcome, ...] = ()) -> SpeechPlan:
        """Hand an event to the engine, record what was finished, and say what happened
        (after `lead`, outcomes decided before the event, such as today's chosen routine)."""
        progress = self._before_event = self.progress
        step = self.engine.handle(
            progress.routine, event, self.now.timestamp(), progress.coaching()
        )
        progress = progress.complete(step.completed, self.today, self.catalogue)
        if step.state.phase is Phase.FINISHED and progress.choices.routine:
            # A short routine lasts until it is done: the next one is the whole routine.
            progress = replace(progress, choices=replace(progress.choices, routine=()))
        self.progress = replace(progress, routine=step.state)
        if step.completed or (step.state != self._before_event.routine and not self.store_unread):
            self.changed |= {PLACE}
        self.ask_question(None)
        outcomes = (*lead, *step.outcomes)
        if any(isinstance(o, SkippedPastLast) for o in outcomes):
            outcomes = (*outcomes, self._today_summary())
        self.outcomes = outcomes
        return self.voice.render(outcomes)

    @property
    def progress_before_event(self) -> Progress | None:
        """The progress this turn's event started from; None when no event ran."""
        return self._before_event

    def _today_summary(self) -> TodaySummary:
        done = self.conversation().done_today()
        everything = len(done) == len(self.catalogue.variants)
        return TodaySummary(done, everything)

    def settle_interruption(self) -> None:
        """Count only the reps the user heard, if they spoke before the last paced response
        ended; a session that timed out in silence heard all of it."""
        raw = self.session.pop(SESSION_PACED, None)
        before = self.session.pop(SESSION_BEFORE_PACED, None)
        if not isinstance(raw, dict) or not isinstance(before, dict):
            return
        if self.progress.generation != _generation(before):
            return  # the record was deleted since: there is nothing of it to take back
        request = self.handler_input.request_envelope.request
        if getattr(getattr(request, "reason", None), "value", None) == "EXCEEDED_MAX_REPROMPTS":
            return
        try:
            paced = PacedResponse.from_dict(raw)
        except (ValueError, TypeError, OverflowError):
            log.warning("paced response in the session unusable; counting all of it")
            return
        ahead = is_intent_name("AMAZON.NextIntent")(self.handler_input)
        try:
            heard = reps_heard(paced, self.now.timestamp(), ahead=ahead)
        except (ValueError, TypeError, OverflowError):
            log.warning("paced response in the session unusable; counting all of it")
            return
        if heard is None:
            return
        try:
            routine = RoutineState.from_dict(before.get("routine") or {}, self.catalogue)
        except (ValueError, TypeError, OverflowError):
            log.warning("routine before the paced response unusable; counting all of it")
            return
        # The routine goes back, and what its unheard reps finished is taken off the record
        # as it is now (merged with other devices' work since); settings changed since stay.
        undo = before.get("undo")
        progress = replace(self.progress, routine=interrupted_state(routine, paced, heard))
        if isinstance(undo, dict):
            try:
                progress = _undone(progress, undo, self.catalogue)
            except (KeyError, TypeError, ValueError) as error:
                log.warning("what the paced response finished is unusable (%s); kept", error)
        self.progress = progress
        self.changed |= {PLACE}
        log.info("interrupted: %d of %d reps heard", heard, len(paced.rep_ends))

    def _remember_paced(self, plan: SpeechPlan) -> None:
        reps = [s for s in plan.timeline if s.kind is SpanKind.REP]
        holds = [s for s in plan.timeline if s.kind is SpanKind.HOLD]
        carried = holds[-1] if self.progress.routine.phase is Phase.HOLDING and holds else None
        if self._before_event is None or not (reps or carried):
            return
        spans = [*reps, *([carried] if carried else [])]
        # Each rep's last hold (an alternating rep holds twice): "next" needs most of it heard.
        last_hold = {s.rep: s for s in holds}
        rep_holds = [last_hold.get(r.rep, Span(SpanKind.HOLD, r.rep, r.end, r.end)) for r in reps]
        paced = PacedResponse(
            answered_at=self.now.timestamp(),
            length=round(plan.planned_seconds, 3),
            rep_starts=tuple(s.start for s in reps),
            rep_ends=tuple(s.end for s in reps),
            first_rep=min(s.rep for s in spans),
            carried_hold_start=carried.start if carried else None,
            hold_starts=tuple(s.start for s in rep_holds),
            hold_ends=tuple(s.end for s in rep_holds),
        )
        self.session[SESSION_PACED] = paced.to_dict()
        # Kept small, since the session travels with every request: the routine before the
        # response, and the whole record only when the response finished something.
        before = self._before_event
        kept: dict = {"routine": before.routine.to_dict()}
        if _history(before) != _history(self.progress):
            kept["undo"] = _finished_by(before, self.progress)
        if before.generation:
            kept["gen"] = before.generation
        self.session[SESSION_BEFORE_PACED] = kept

    def respond(self, plan: SpeechPlan) -> Response:
        self.said = plan
        if not plan.end_session:
            self._remember_paced(plan)
        builder = self.handler_input.response_builder.speak(plan.ssml())
        if plan.end_session:
            builder.set_should_end_session(True)
        else:
            builder.ask(plan.reprompt_ssml() or "")
        # What a screen shows is added by its own step (screen_step.ScreenInterceptor).
        return builder.response


class LoadTurnInterceptor(AbstractRequestInterceptor):
    """Builds the request's turn: progress from the session, or from the store once a session."""

    def __init__(self, catalogue: Catalogue, store: ProgressStore | None) -> None:
        self.catalogue = catalogue
        self.store = store

    def process(self, handler_input: HandlerInput) -> None:
        # Every store call of this request, its save and any deletion included, shares one
        # time budget: a hung store cannot hold the turn past the function's timeout.
        start_request_budget(handler_input.request_envelope)
        handler_input.attributes_manager.request_attributes[STORE_ATTRIBUTE] = self.store
        request_type = get_request_type(handler_input)
        in_session = handler_input.request_envelope.session is not None
        if not in_session and request_type not in (
            "LaunchRequest",
            "IntentRequest",
            *ANSWERS_OUT_OF_SESSION,
        ):
            return  # skill events: no one to answer, no session to carry a turn in
        session = handler_input.attributes_manager.session_attributes if in_session else {}
        if not isinstance(session, dict):
            session = {}
        carried = session.get(SESSION_PROGRESS)
        hold_lapsed = False
        if isinstance(carried, dict):
            progress = Progress.from_dict(carried, self.catalogue)
            saved_raw = session.get(SESSION_SAVED)
            if session.get(SESSION_STORE_UNREAD):
                saved = None
            elif saved_raw == SAVED_IS_CARRIED:
                saved = progress
            else:
                raw = saved_raw if isinstance(saved_raw, dict) else {}
                saved = Progress.from_dict(raw, self.catalogue)
            if not isinstance(session.get(SESSION_TIME_ZONE), str):
                session[SESSION_TIME_ZONE] = FALLBACK_TIME_ZONE
        else:
            for name in (SESSION_PACED, SESSION_BEFORE_PACED, SESSION_CHANGED, SESSION_DATING_ZONE):
                session.pop(name, None)  # a session's first turn: nothing of it came before
            saved = self.store.load(handler_input.request_envelope) if self.store else Progress()
            # The store didn't answer: coach from a fresh record, and merge before saving.
            progress = saved if saved is not None else Progress()
            progress, hold_lapsed = _lapsed_hold(progress)
        turn = CoachTurn(handler_input, self.catalogue, progress, saved, session)
        if not isinstance(carried, dict):
            zoned, session[SESSION_TIME_ZONE], guessed = _time_zone(handler_input, progress)
            if guessed is not None:
                session[SESSION_DATING_ZONE] = guessed
            if zoned != progress:
                turn.change(
                    time_zone=zoned.time_zone,
                    time_zone_checked_on=zoned.time_zone_checked_on,
                    time_zone_device=zoned.time_zone_device,
                )
        turn.hold_lapsed = hold_lapsed
        if in_session:
            # The session keeps the record it started with (storage.lifecycle.record_key).
            session[SESSION_RECORD_OWNER] = turn.record_owner or ""
        turn.settle_interruption()
        handler_input.attributes_manager.request_attributes[TURN_ATTRIBUTE] = turn


class BlankIntentInterceptor(AbstractRequestInterceptor):
    """An IntentRequest that names no intent is heard as one the skill didn't understand."""

    def process(self, handler_input: HandlerInput) -> None:
        request = handler_input.request_envelope.request
        if isinstance(request, IntentRequest) and (
            request.intent is None or not isinstance(request.intent.name, str)
        ):
            request.intent = Intent(name="AMAZON.FallbackIntent", slots={})


def dating_moment(stamp: datetime) -> datetime:
    """The moment a request is dated by: its stamp, unless that is implausibly far ahead of
    this server's clock (see the module docstring)."""
    server = datetime.fromtimestamp(time.time(), UTC)
    if stamp > server + CLOCK_AHEAD_ALLOWANCE:
        log.warning(
            "request stamped %s, ahead of this server's clock; dated by the server's", stamp
        )
        return server
    return stamp


def local_date(moment: datetime, zone_name: object) -> date:
    """The date at `moment` in the zone named `zone_name` (UTC when it names none)."""
    try:
        zone = ZoneInfo(zone_name if isinstance(zone_name, str) else FALLBACK_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        zone = ZoneInfo(FALLBACK_TIME_ZONE)
    try:
        return moment.astimezone(zone).date()
    except (OverflowError, ValueError):  # the first or last day of the calendar
        return moment.date()


def _lapsed_hold(progress: Progress) -> tuple[Progress, bool]:
    """A hold still running when the last session ended ran out with no one there: the rep
    is done again rather than counted."""
    routine = progress.routine
    if routine.phase is not Phase.HOLDING:
        return progress, False
    again = replace(routine, phase=Phase.IN_SET, hold_ends_at=None, chunk_start=routine.reps_done)
    return replace(progress, routine=again), True


def _history(progress: Progress) -> tuple:
    return progress.recent_days, progress.streak_days, progress.active_days, progress.levels


def _generation(before: dict) -> int:
    generation = before.get("gen", 0)
    return generation if isinstance(generation, int) and not isinstance(generation, bool) else -1


def _finished_by(before: Progress, after: Progress) -> dict:
    """What a paced response added to the record, to take it off again if it was not heard."""
    before_days = {d.day: d.completed for d in before.recent_days}
    days = [
        [d.day.isoformat(), [v for v in d.completed if v not in before_days.get(d.day, ())]]
        for d in after.recent_days
    ]
    return {
        "days": [[day, added] for day, added in days if added],
        "new_days": [d.day.isoformat() for d in after.recent_days if d.day not in before_days],
        "active": after.active_days - before.active_days,
        "streak": [before.streak_days, after.streak_days],
        "levels": {
            v: after.levels.get(v, 0) - before.levels.get(v, 0)
            for v in after.levels
            if after.levels.get(v, 0) != before.levels.get(v, 0)
        },
    }


def _undone(progress: Progress, undo: dict, catalogue: Catalogue) -> Progress:
    """`progress` without what `undo` (from `_finished_by`) says an unheard response added."""
    added = {date.fromisoformat(day): set(variants) for day, variants in undo["days"]}
    new_days = {date.fromisoformat(day) for day in undo["new_days"]}
    days = []
    for entry in progress.recent_days:
        kept = tuple(v for v in entry.completed if v not in added.get(entry.day, ()))
        if kept or entry.day not in new_days:
            days.append(replace(entry, completed=kept))
    # A day goes only when nothing else was done on it, on this device or another.
    dropped = len(progress.recent_days) - len(days)
    streak_before, streak_after = undo["streak"]
    streak = progress.streak_days
    if dropped and streak == streak_after:
        streak = int(streak_before)
    levels = dict(progress.levels)
    for variant_id, raised in undo["levels"].items():
        if variant_id in catalogue.variant_ids and variant_id in levels:
            level = levels[variant_id] - int(raised)
            if level > 0:
                levels[variant_id] = level
            else:
                del levels[variant_id]
    return replace(
        progress,
        recent_days=tuple(days),
        streak_days=max(0, streak),
        active_days=max(0, progress.active_days - min(dropped, int(undo["active"]))),
        levels=levels,
    )


def _time_zone(handler_input: HandlerInput, progress: Progress) -> tuple[Progress, str, str | None]:
    """The device's time zone for a new session: the one kept in the record for this device
    while it is fresh, else the Alexa settings API's (then kept), else UTC; and, in that
    last case, another device's kept zone to date days by (a better guess than UTC, but
    never used for a reminder nor kept as this device's)."""
    stamp = handler_input.request_envelope.request.timestamp or datetime.now(UTC)
    stamp = dating_moment(stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC))
    system = getattr(handler_input.request_envelope.context, "system", None)
    device = device_tag(getattr(getattr(system, "device", None), "device_id", None))
    kept = progress.time_zone
    if kept is not None and progress.known_time_zone(local_date(stamp, kept), device):
        return progress, kept, None
    asked = known_device_time_zone(handler_input)
    if asked is None:
        if kept is not None and progress.time_zone_device == device:
            return progress, kept, None
        return progress, FALLBACK_TIME_ZONE, kept
    return progress.with_time_zone(asked, local_date(stamp, asked), device), asked, None


class SaveTurnInterceptor(AbstractResponseInterceptor):
    """Carries the progress in the session, and saves it when worth it or at session end."""

    def __init__(self, store: ProgressStore | None) -> None:
        self.store = store

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        turn = turn_of(handler_input)
        if turn is None:
            return
        session = turn.session
        ending = (
            response is None
            or bool(response.should_end_session)
            or is_request_type("SessionEndedRequest")(handler_input)
            or handler_input.request_envelope.session is None
            or _hands_over(response)
        )
        # An unread store is compared with a fresh record, as the session began from one.
        reference = turn.saved if turn.saved is not None else Progress()
        changed = turn.progress != reference or bool(turn.changed)
        # A session that never read the store saves its place only once it owns it.
        position_counts = turn.saved is not None or PLACE in turn.changed
        if self.store is None:
            turn.saved = turn.progress
        elif changed and (ending or worth_saving(reference, turn.progress, position_counts)):
            written = self.store.save(
                handler_input.request_envelope, turn.progress, turn.saved, turn.changed
            )
            if written is None:
                if ending and response is not None and response.output_speech is not None:
                    _append_speech(response, turn.voice.wording.line("answers.save_failed"))
            else:
                if written.generation != turn.progress.generation or PLACE in turn.changed:
                    turn.progress = written
                else:  # the stored place stays, and the session coaches on from its own
                    turn.progress = replace(written, routine=turn.progress.routine)
                turn.saved = written
                turn.changed = frozenset()
        session[SESSION_PROGRESS] = turn.progress.to_dict(turn.catalogue)
        session[SESSION_CHANGED] = sorted(turn.changed)
        if turn.saved is None:
            session[SESSION_STORE_UNREAD] = True
            session[SESSION_SAVED] = None
        else:
            session.pop(SESSION_STORE_UNREAD, None)
            session[SESSION_SAVED] = (
                SAVED_IS_CARRIED
                if turn.saved == turn.progress
                else turn.saved.to_dict(turn.catalogue)
            )


def turn_of(handler_input: HandlerInput) -> CoachTurn | None:
    """The request's turn; None out of session (skill events), where no turn is built."""
    turn = handler_input.attributes_manager.request_attributes.get(TURN_ATTRIBUTE)
    return turn if isinstance(turn, CoachTurn) else None


def progress_store_of(handler_input: HandlerInput) -> ProgressStore | None:
    """The progress store the skill was built with (None when it keeps nothing)."""
    return handler_input.attributes_manager.request_attributes.get(STORE_ATTRIBUTE)


def _hands_over(response: Response) -> bool:
    # A Connections.StartConnection (the permission question) hands the user to Alexa; the
    # answer may come back in a new session, or none, so this one is saved as if it ended.
    return any(
        getattr(directive, "object_type", None) in HANDING_OVER
        for directive in response.directives or ()
    )


def _append_speech(response: Response, text: str) -> None:
    speech = response.output_speech
    ssml = getattr(speech, "ssml", None)
    if ssml and ssml.endswith("</speak>"):
        speech.ssml = ssml[: -len("</speak>")] + f" {escape(text, quote=False)}</speak>"


class OwnedSessionKeysOnly(AbstractRequestInterceptor):
    """Drops every session attribute the skill does not own, before anything reads them.

    The response carries the session's attributes back to Alexa, who sends them with the
    next request: unknown ones (a client's, a tampered request's) would be echoed for ever,
    however large. Registered first, so that every answer, an apology included, carries
    only the skill's own.
    """

    def process(self, handler_input: HandlerInput) -> None:
        if handler_input.request_envelope.session is None:
            return
        session = handler_input.attributes_manager.session_attributes
        if not isinstance(session, dict):
            handler_input.attributes_manager.session_attributes = {}
            return
        unknown = [key for key in session if key not in SESSION_KEYS]
        for key in unknown:
            del session[key]
        if unknown:
            log.warning("dropped %d session attributes the skill does not own", len(unknown))


class RequestLogger(AbstractRequestInterceptor):
    """One log line a request: its type and intent, never its slot values."""

    def process(self, handler_input: HandlerInput) -> None:
        request = handler_input.request_envelope.request
        intent = request.intent if isinstance(request, IntentRequest) else None
        name = getattr(intent, "name", "") or ""
        log.info("request %s %s", get_request_type(handler_input), name)
