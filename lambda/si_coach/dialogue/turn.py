"""One request's turn: the user's progress in, an event or question handled, speech and
progress out.

The load interceptor builds the turn once per request: the progress is parsed from the
session (or read from the store on a session's first request) exactly once, and every
handler works on the same `CoachTurn`. The save interceptor writes it back to the session,
and to the store when something worth keeping changed or the session ends.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import cached_property
from html import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor, AbstractResponseInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_request_type, is_intent_name, is_request_type
from ask_sdk_model import IntentRequest, Response

from si_coach.alexa.request import (
    FALLBACK_TIME_ZONE,
    known_device_time_zone,
    request_locale,
)
from si_coach.dialogue.conversation import Conversation
from si_coach.dialogue.state import (
    SAVED_IS_CARRIED,
    SESSION_BEFORE_PACED,
    SESSION_PACED,
    SESSION_PROGRESS,
    SESSION_QUESTION,
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
from si_coach.routine.progress import Progress
from si_coach.storage.progress_store import ProgressStore, worth_saving
from si_coach.voice.speaker import Voice, voice_for
from si_coach.voice.speech import SpanKind, SpeechPlan

log = logging.getLogger(__name__)

TURN_ATTRIBUTE = "coach_turn"
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
    ) -> None:
        self.handler_input = handler_input
        self.catalogue = catalogue
        self.session = handler_input.attributes_manager.session_attributes
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

    @staticmethod
    def of(handler_input: HandlerInput) -> CoachTurn:
        return handler_input.attributes_manager.request_attributes[TURN_ATTRIBUTE]

    @cached_property
    def voice(self) -> Voice:
        return voice_for(request_locale(self.handler_input))

    @cached_property
    def engine(self) -> PacingEngine:
        return PacingEngine(self.catalogue, self.voice)

    @cached_property
    def now(self) -> datetime:
        stamp = self.handler_input.request_envelope.request.timestamp
        if stamp is None:
            return datetime.now(UTC)
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)

    @cached_property
    def today(self) -> date:
        try:
            zone = ZoneInfo(self.session.get(SESSION_TIME_ZONE) or FALLBACK_TIME_ZONE)
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo(FALLBACK_TIME_ZONE)
        return self.now.astimezone(zone).date()

    @property
    def store_unread(self) -> bool:
        return self.saved is None

    def conversation(self) -> Conversation:
        place = self.engine.place(self.progress.routine, self.progress.coaching())
        return Conversation(self.voice, self.catalogue, self.progress, self.today, place)

    def ask_question(self, kind: QuestionKind | None) -> None:
        self.session[SESSION_QUESTION] = kind.value if kind else None
        self.question_asked = True

    def pending_question(self) -> QuestionKind | None:
        try:
            return QuestionKind(self.session.get(SESSION_QUESTION))
        except ValueError:
            return None

    def run(self, event: Event) -> SpeechPlan:
        """Hand an event to the engine, record what was finished, and say what happened."""
        progress = self._before_event = self.progress
        step = self.engine.handle(
            progress.routine, event, self.now.timestamp(), progress.coaching()
        )
        progress = progress.complete(step.completed, self.today, self.catalogue)
        self.progress = replace(progress, routine=step.state)
        self.ask_question(None)
        outcomes = step.outcomes
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
        request = self.handler_input.request_envelope.request
        if getattr(getattr(request, "reason", None), "value", None) == "EXCEEDED_MAX_REPROMPTS":
            return
        try:
            paced = PacedResponse.from_dict(raw)
        except ValueError:
            log.warning("paced response in the session unusable; counting all of it")
            return
        ahead = is_intent_name("AMAZON.NextIntent")(self.handler_input)
        heard = reps_heard(paced, self.now.timestamp(), ahead=ahead)
        if heard is None:
            return
        try:
            routine = RoutineState.from_dict(before.get("routine") or {}, self.catalogue)
        except ValueError:
            log.warning("routine before the paced response unusable; counting all of it")
            return
        # The routine, and what its unheard reps finished, go back; settings changed since
        # (a side, a pace, a reminder) stay.
        history = self.progress
        if "record" in before:  # the response finished something: its history is undone
            history = Progress.from_dict(before["record"], self.catalogue)
        self.progress = replace(
            self.progress,
            routine=interrupted_state(routine, paced, heard),
            recent_days=history.recent_days,
            streak_days=history.streak_days,
            active_days=history.active_days,
            levels=history.levels,
        )
        log.info("interrupted: %d of %d reps heard", heard, len(paced.rep_ends))

    def _remember_paced(self, plan: SpeechPlan) -> None:
        reps = [s for s in plan.timeline if s.kind is SpanKind.REP]
        holds = [s for s in plan.timeline if s.kind is SpanKind.HOLD]
        carried = holds[-1] if self.progress.routine.phase is Phase.HOLDING and holds else None
        if self._before_event is None or not (reps or carried):
            return
        spans = [*reps, *([carried] if carried else [])]
        paced = PacedResponse(
            answered_at=self.now.timestamp(),
            length=round(plan.planned_seconds, 3),
            rep_starts=tuple(s.start for s in reps),
            rep_ends=tuple(s.end for s in reps),
            first_rep=min(s.rep for s in spans),
            carried_hold_start=carried.start if carried else None,
        )
        self.session[SESSION_PACED] = paced.to_dict()
        # Kept small, since the session travels with every request: the routine before the
        # response, and the whole record only when the response finished something.
        before = self._before_event
        kept: dict = {"routine": before.routine.to_dict()}
        if _history(before) != _history(self.progress):
            kept["record"] = before.to_dict(self.catalogue)
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
        handler_input.attributes_manager.request_attributes[STORE_ATTRIBUTE] = self.store
        if handler_input.request_envelope.session is None:
            return  # out of session (skill events): no session to carry a turn in
        session = handler_input.attributes_manager.session_attributes
        carried = session.get(SESSION_PROGRESS)
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
        else:
            saved = self.store.load(handler_input.request_envelope) if self.store else Progress()
            # The store didn't answer: coach from a fresh record, and merge before saving.
            progress = saved if saved is not None else Progress()
            progress, session[SESSION_TIME_ZONE] = _time_zone(handler_input, progress)
        turn = CoachTurn(handler_input, self.catalogue, progress, saved)
        turn.settle_interruption()
        handler_input.attributes_manager.request_attributes[TURN_ATTRIBUTE] = turn


def _history(progress: Progress) -> tuple:
    return progress.recent_days, progress.streak_days, progress.active_days, progress.levels


def _time_zone(handler_input: HandlerInput, progress: Progress) -> tuple[Progress, str]:
    """The device's time zone for a new session: the one kept in the record while it is
    fresh, else the Alexa settings API's (then kept), else the stale one or UTC."""
    stamp = handler_input.request_envelope.request.timestamp or datetime.now(UTC)
    stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)

    def local_date(zone: str) -> date:
        try:
            return stamp.astimezone(ZoneInfo(zone)).date()
        except (ZoneInfoNotFoundError, ValueError):
            return stamp.date()

    kept = progress.time_zone
    if kept is not None and progress.known_time_zone(local_date(kept)) is not None:
        return progress, kept
    asked = known_device_time_zone(handler_input)
    if asked is None:
        return progress, kept or FALLBACK_TIME_ZONE
    return progress.with_time_zone(asked, local_date(asked)), asked


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
            or _hands_over(response)
        )
        # An unread store is compared with a fresh record, as the session began from one.
        reference = turn.saved if turn.saved is not None else Progress()
        changed = turn.progress != reference
        if self.store is None:
            turn.saved = turn.progress
        elif changed and (ending or worth_saving(reference, turn.progress)):
            written = self.store.save(handler_input.request_envelope, turn.progress, turn.saved)
            if written is None:
                if ending and response is not None and response.output_speech is not None:
                    _append_speech(response, turn.voice.wording.line("answers.save_failed"))
            else:
                turn.progress = turn.saved = written
        session[SESSION_PROGRESS] = turn.progress.to_dict(turn.catalogue)
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
    # A Connections.SendRequest (the permission question) hands the user to Alexa; the
    # answer may come back in a new session, so this one is saved as if it ended.
    return any(
        getattr(directive, "object_type", None) == "Connections.SendRequest"
        for directive in response.directives or ()
    )


def _append_speech(response: Response, text: str) -> None:
    speech = response.output_speech
    ssml = getattr(speech, "ssml", None)
    if ssml and ssml.endswith("</speak>"):
        speech.ssml = ssml[: -len("</speak>")] + f" {escape(text, quote=False)}</speak>"


class RequestLogger(AbstractRequestInterceptor):
    """One log line a request: its type and intent, never its slot values."""

    def process(self, handler_input: HandlerInput) -> None:
        request = handler_input.request_envelope.request
        name = request.intent.name if isinstance(request, IntentRequest) else ""
        log.info("request %s %s", get_request_type(handler_input), name)
