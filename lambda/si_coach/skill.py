"""Builds the Alexa skill: thin request handlers around the pacing engine, and progress I/O.

Each turn: an interceptor makes sure the user's progress is in the session (read from the
store once per session), a handler turns the request into an engine event or an answer,
and a response interceptor saves the progress when it changed in a way worth keeping.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from html import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.dispatch_components import (
    AbstractExceptionHandler,
    AbstractRequestHandler,
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_core.utils import get_intent_name, get_request_type, is_intent_name, is_request_type
from ask_sdk_model import IntentRequest, Response
from ask_sdk_model.services import ApiClient

from si_coach.alexa_api import AlexaApiClient
from si_coach.catalogue import Catalogue, Pace, Side, default_catalogue
from si_coach.conversation import (
    Conversation,
    QuestionKind,
    goodbye,
    help_for,
    history_answer,
    launch_greeting,
    list_exercises,
    overview,
    pace_answer,
    side_answer,
)
from si_coach.pacing import Event, EventKind, PacingEngine, Phase
from si_coach.progress import Progress, merge
from si_coach.speech import SpeechBuilder, SpeechPlan
from si_coach.storage import (
    StaleProgressError,
    adapter_from_environment,
    stored_revision,
)
from si_coach.storage.revisions import REVISION_KEY

log = logging.getLogger(__name__)

SESSION_PROGRESS = "progress"
SESSION_SAVED = "saved_progress"
SESSION_TIME_ZONE = "time_zone"
SESSION_QUESTION = "question"
SESSION_STORE_UNREAD = "store_unread"

# Intents that are engine events, one to one.
ROUTINE_EVENTS = {
    "StartRoutineIntent": EventKind.START,
    "AMAZON.NextIntent": EventKind.NEXT,
    "AMAZON.PreviousIntent": EventKind.PREVIOUS,
    "AMAZON.RepeatIntent": EventKind.REPEAT,
    "AMAZON.StartOverIntent": EventKind.START_OVER,
    "AMAZON.PauseIntent": EventKind.PAUSE,
    "AMAZON.ResumeIntent": EventKind.RESUME,
    "SkipExerciseIntent": EventKind.SKIP,
    "GoToExerciseIntent": EventKind.GO_TO,
    "HowToIntent": EventKind.HOW_TO,
    "PainIntent": EventKind.PAIN,
}
ACTIVE_PHASES = (Phase.UP_NEXT, Phase.READY, Phase.IN_SET, Phase.HOLDING)


class CoachTurn:
    """One request's view of the session: progress in, speech and progress out."""

    def __init__(self, handler_input: HandlerInput, catalogue: Catalogue) -> None:
        self.handler_input = handler_input
        self.catalogue = catalogue
        self.session = handler_input.attributes_manager.session_attributes

    @property
    def progress(self) -> Progress:
        return Progress.from_dict(self.session.get(SESSION_PROGRESS) or {}, self.catalogue)

    @progress.setter
    def progress(self, value: Progress) -> None:
        self.session[SESSION_PROGRESS] = value.to_dict()

    @property
    def now(self) -> datetime:
        stamp = self.handler_input.request_envelope.request.timestamp
        if stamp is None:
            return datetime.now(UTC)
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)

    @property
    def today(self) -> date:
        try:
            zone = ZoneInfo(self.session.get(SESSION_TIME_ZONE) or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        return self.now.astimezone(zone).date()

    def conversation(self) -> Conversation:
        return Conversation(self.catalogue, self.progress, self.today)

    def ask_question(self, kind: QuestionKind | None) -> None:
        self.session[SESSION_QUESTION] = kind.value if kind else None

    def pending_question(self) -> QuestionKind | None:
        try:
            return QuestionKind(self.session.get(SESSION_QUESTION))
        except ValueError:
            return None

    def run(self, event: Event) -> SpeechPlan:
        """Hand an event to the engine; record completions and activity."""
        progress = self.progress
        engine = PacingEngine(self.catalogue)
        step = engine.handle(progress.routine, event, self.now.timestamp(), progress.coaching())
        progress = progress.complete(step.completed, self.today, self.catalogue)
        if event.kind in (EventKind.START, EventKind.NEXT, EventKind.RESUME):
            progress = progress.mark_active(self.today)
        self.progress = replace(progress, routine=step.state)
        self.ask_question(None)
        return step.plan

    def respond(self, plan: SpeechPlan) -> Response:
        builder = self.handler_input.response_builder.speak(plan.ssml())
        if plan.end_session:
            builder.set_should_end_session(True)
        else:
            builder.ask(plan.reprompt_ssml() or "")
        return builder.response


# -- interceptors --------------------------------------------------------------------------


class LoadProgressInterceptor(AbstractRequestInterceptor):
    """Puts the user's progress and time zone into the session, once per session."""

    def __init__(self, catalogue: Catalogue, store: AbstractPersistenceAdapter | None) -> None:
        self.catalogue = catalogue
        self.store = store

    def process(self, handler_input: HandlerInput) -> None:
        session = handler_input.attributes_manager.session_attributes
        if isinstance(session.get(SESSION_PROGRESS), dict):
            return
        stored = read_stored_progress(self.store, handler_input) if self.store else {}
        if stored is None:
            # The store didn't answer: coach from a fresh record, and merge before saving.
            session[SESSION_STORE_UNREAD] = True
            stored = {}
        progress = Progress.from_dict(stored, self.catalogue)
        session[SESSION_PROGRESS] = progress.to_dict()
        session[SESSION_SAVED] = progress.to_dict()
        session[SESSION_TIME_ZONE] = _device_time_zone(handler_input)


def read_stored_progress(
    store: AbstractPersistenceAdapter, handler_input: HandlerInput
) -> dict | None:
    """The stored record ({} for a new user), or None when the store could not be read."""
    try:
        record = store.get_attributes(handler_input.request_envelope)
    except Exception:
        log.exception("could not read saved progress")
        return None
    if not isinstance(record, Mapping):
        # Damaged beyond use: starting afresh beats never being able to save again.
        log.warning("saved progress is a %s, not a record; starting afresh", type(record).__name__)
        return {}
    return dict(record)


class SaveProgressInterceptor(AbstractResponseInterceptor):
    """Saves progress when it changed in a way worth keeping, and at the end of a session.

    Writes are conditional on the record's revision: when another device saved first, the
    stored record is read again and merged with this session's, so neither loses anything.
    """

    ATTEMPTS = 3

    def __init__(self, catalogue: Catalogue, store: AbstractPersistenceAdapter | None) -> None:
        self.catalogue = catalogue
        self.store = store

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        session = handler_input.attributes_manager.session_attributes
        current = session.get(SESSION_PROGRESS)
        if not isinstance(current, dict) or self.store is None:
            return
        saved = session.get(SESSION_SAVED)
        if not isinstance(saved, dict):
            saved = Progress().to_dict()
        ending = (
            response is None
            or bool(response.should_end_session)
            or is_request_type("SessionEndedRequest")(handler_input)
        )
        if saved == current or not (ending or worth_saving(saved, current)):
            return
        record = self._save(handler_input, current, saved)
        if record is None:
            if ending and response is not None and response.output_speech is not None:
                _append_speech(response, "I couldn't save your progress just now, sorry.")
            return
        session.pop(SESSION_STORE_UNREAD, None)
        session[SESSION_PROGRESS] = record
        session[SESSION_SAVED] = record

    def _save(self, handler_input: HandlerInput, current: dict, saved: dict) -> dict | None:
        """Write the record, merging with the stored one on conflict; None if it failed."""
        assert self.store is not None
        envelope = handler_input.request_envelope
        session = handler_input.attributes_manager.session_attributes
        base = saved
        if session.get(SESSION_STORE_UNREAD):
            stored = read_stored_progress(self.store, handler_input)
            if stored is None:
                return None  # still unreadable: the session keeps the progress for later
            current, base = self._merged(stored, current), stored
        for _ in range(self.ATTEMPTS):
            record = {**current, REVISION_KEY: stored_revision(base) + 1}
            try:
                self.store.save_attributes(envelope, record)
                return record
            except StaleProgressError:
                log.info("progress was saved elsewhere meanwhile; merging")
                stored = read_stored_progress(self.store, handler_input)
                if stored is None:
                    return None
                current, base = self._merged(stored, current), stored
            except Exception:
                log.exception("could not save progress; it stays in the session for a later turn")
                return None
        log.warning("progress still conflicting after %d attempts", self.ATTEMPTS)
        return None

    def _merged(self, stored: dict, current: dict) -> dict:
        return merge(
            Progress.from_dict(stored, self.catalogue),
            Progress.from_dict(current, self.catalogue),
        ).to_dict()


def _append_speech(response: Response, text: str) -> None:
    speech = response.output_speech
    ssml = getattr(speech, "ssml", None)
    if ssml and ssml.endswith("</speak>"):
        speech.ssml = ssml[: -len("</speak>")] + f" {escape(text, quote=False)}</speak>"


def worth_saving(saved: dict, current: dict) -> bool:
    """True when a change would be missed if the session ended now without a goodbye.

    Moving between reps is not saved on every turn; reaching a new side, set or exercise,
    pausing (which "it hurts" does too), finishing, and any change of history or settings are.
    """

    def durable(record: dict) -> tuple:
        routine = record.get("routine") or {}
        phase = routine.get("phase")
        active = phase in {p.value for p in ACTIVE_PHASES}
        position = (routine.get("variant"), routine.get("side"), routine.get("set"))
        rest = {k: v for k, v in record.items() if k not in ("routine", "revision")}
        return ("active" if active else phase, position, sorted(rest.items(), key=str))

    return durable(saved) != durable(current)


class RequestLogger(AbstractRequestInterceptor):
    """One log line a request: its type and intent, never its slot values."""

    def process(self, handler_input: HandlerInput) -> None:
        request = handler_input.request_envelope.request
        name = request.intent.name if isinstance(request, IntentRequest) else ""
        log.info("request %s %s", get_request_type(handler_input), name)


def _device_time_zone(handler_input: HandlerInput) -> str:
    """The device's time zone from the Alexa settings API; UTC when it can't be had."""
    try:
        factory = handler_input.service_client_factory
    except ValueError:  # the SDK raises, rather than returning None, without an API client
        return "UTC"
    system = handler_input.request_envelope.context.system
    device = system.device
    if factory is None or not (system.api_access_token and system.api_endpoint):
        return "UTC"
    if device is None or not device.device_id:
        return "UTC"
    try:
        zone = factory.get_ups_service().get_system_time_zone(device.device_id)
        ZoneInfo(str(zone))
    except Exception:
        log.warning("device time zone unavailable; using UTC", exc_info=True)
        return "UTC"
    return str(zone)


# -- handlers ------------------------------------------------------------------------------


class CoachHandler(AbstractRequestHandler):
    """Base for the skill's handlers: each names the intents it answers in INTENTS."""

    INTENTS: tuple[str, ...] = ()

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("IntentRequest")(handler_input) and (
            get_intent_name(handler_input) in self.INTENTS
        )

    def turn(self, handler_input: HandlerInput) -> CoachTurn:
        return CoachTurn(handler_input, self.catalogue)


class LaunchHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        plan, question = launch_greeting(turn.conversation())
        if turn.session.get(SESSION_STORE_UNREAD):
            notice = SpeechBuilder().say("I can't reach your saved progress just now.")
            plan = SpeechPlan(notice.build(None).segments + plan.segments, plan.reprompt)
        turn.ask_question(question)
        return turn.respond(plan)


class RoutineEventHandler(CoachHandler):
    """Every intent that is an engine event: next, skip, how do I do X, it hurts..."""

    INTENTS = tuple(ROUTINE_EVENTS)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        kind = ROUTINE_EVENTS[get_intent_name(handler_input)]
        exercise_id = None
        if kind in (EventKind.GO_TO, EventKind.HOW_TO):
            exercise_id = resolved_slot_id(handler_input, "exercise")
            # "" is a name the catalogue lacks: GO_TO always needs one; HOW_TO without any
            # name ("how do I do this one") explains the current exercise.
            named = kind is EventKind.GO_TO or slot_was_heard(handler_input, "exercise")
            if exercise_id is None and named:
                exercise_id = ""
        return turn.respond(turn.run(Event(kind, exercise_id)))


class YesNoHandler(CoachHandler):
    """Answers the question the last response asked; a bare "yes" mid-routine means next."""

    INTENTS = ("AMAZON.YesIntent", "AMAZON.NoIntent")

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        yes = is_intent_name("AMAZON.YesIntent")(handler_input)
        question = turn.pending_question()
        if question is QuestionKind.START_ROUTINE:
            if yes:
                return turn.respond(turn.run(Event(EventKind.START)))
            turn.ask_question(None)
            return turn.respond(help_for(turn.conversation(), lead="Okay."))
        if question is QuestionKind.RESUME:
            if yes:
                return turn.respond(turn.run(Event(EventKind.RESUME)))
            turn.ask_question(None)
            return turn.respond(
                SpeechBuilder()
                .say("Okay. Say start over to begin again, or name an exercise.")
                .build("Say start over, or name an exercise, like the bridge.")
            )
        if question is QuestionKind.GO_AGAIN:
            if yes:
                return turn.respond(turn.run(Event(EventKind.START_OVER)))
            return turn.respond(goodbye(turn.conversation()))
        if yes and turn.progress.routine.phase in ACTIVE_PHASES:
            return turn.respond(turn.run(Event(EventKind.NEXT)))
        return turn.respond(help_for(turn.conversation()))


class OverviewHandler(CoachHandler):
    INTENTS = ("OverviewIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        plan, question = overview(turn.conversation())
        turn.ask_question(question)
        return turn.respond(plan)


class ListExercisesHandler(CoachHandler):
    INTENTS = ("ListExercisesIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        return turn.respond(list_exercises(turn.conversation()))


class HistoryHandler(CoachHandler):
    INTENTS = ("HistoryIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        return turn.respond(history_answer(turn.conversation()))


class InjuredSideHandler(CoachHandler):
    INTENTS = ("InjuredSideIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        side_id = resolved_slot_id(handler_input, "side")
        if side_id not in ("left", "right", "none"):
            return turn.respond(
                SpeechBuilder()
                .say("Which side is injured? Say: my left side is injured, or my right side.")
                .build("Say: my left side is injured, or my right side is injured.")
            )
        progress = turn.progress
        injured = None if side_id == "none" else Side(side_id)
        turn.progress = replace(progress, injured_side=injured)
        return turn.respond(side_answer(turn.conversation(), self._carry_on(turn)))

    def _carry_on(self, turn: CoachTurn) -> SpeechPlan | None:
        if turn.progress.routine.phase in (Phase.READY, Phase.IN_SET, Phase.UP_NEXT):
            return turn.run(Event(EventKind.START))
        return None


class PaceHandler(CoachHandler):
    INTENTS = ("PaceIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        pace_id = resolved_slot_id(handler_input, "pace")
        if pace_id not in {p.value for p in Pace}:
            return turn.respond(
                SpeechBuilder()
                .say("Would you like to go slower, or faster?")
                .build("Say slower for more rest between reps, or faster for less.")
            )
        progress = turn.progress
        turn.progress = replace(progress, pace=Pace(pace_id))
        return turn.respond(pace_answer(turn.conversation()))


class HelpHandler(CoachHandler):
    INTENTS = ("AMAZON.HelpIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        return turn.respond(help_for(turn.conversation()))


class StopHandler(CoachHandler):
    """Stop, cancel, "I'm done for today", and going home: save and say goodbye."""

    INTENTS = ("AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent")

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        progress = turn.progress
        if progress.routine.phase is Phase.HOLDING:
            # A hold can't go on unpaced: next time, that rep starts again.
            routine = replace(progress.routine, phase=Phase.IN_SET, hold_ends_at=None)
            turn.progress = replace(progress, routine=routine)
        return turn.respond(goodbye(turn.conversation()))


class SessionEndedHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        log.info(
            "session ended: %s %s",
            getattr(request, "reason", None),
            getattr(request, "error", None),
        )
        return handler_input.response_builder.response


class FallbackHandler(CoachHandler):
    """AMAZON.FallbackIntent, and any intent or request this skill does not know."""

    INTENTS = ("AMAZON.FallbackIntent",)

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        if not is_request_type("IntentRequest")(handler_input):
            # Requests nobody said (skill events, CanFulfill, errors): answered without speech.
            log.info("unexpected request type %s", get_request_type(handler_input))
            return handler_input.response_builder.response
        turn = self.turn(handler_input)
        return turn.respond(help_for(turn.conversation(), lead="Sorry, I didn't catch that."))


class ApologyHandler(AbstractExceptionHandler):
    """Any error: a short spoken apology, never a raw exception."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.error("error while handling a request", exc_info=exception)
        speech = "Sorry, something went wrong on my side. Please say that again."
        return (
            handler_input.response_builder.speak(speech)
            .ask("Please say that again, or say stop.")
            .response
        )


# In dispatch order: the fallback answers whatever no other handler takes.
HANDLERS: tuple[type[CoachHandler], ...] = (
    LaunchHandler,
    RoutineEventHandler,
    YesNoHandler,
    OverviewHandler,
    ListExercisesHandler,
    HistoryHandler,
    InjuredSideHandler,
    PaceHandler,
    HelpHandler,
    StopHandler,
    SessionEndedHandler,
    FallbackHandler,
)
HANDLED_INTENTS = frozenset(name for handler in HANDLERS for name in handler.INTENTS)


def slot_was_heard(handler_input: HandlerInput, slot_name: str) -> bool:
    request = handler_input.request_envelope.request
    if not isinstance(request, IntentRequest) or request.intent is None:
        return False
    slot = (request.intent.slots or {}).get(slot_name)
    return slot is not None and bool((slot.value or "").strip())


def resolved_slot_id(handler_input: HandlerInput, slot_name: str) -> str | None:
    """The entity-resolution id of a slot, or None when it is missing or did not resolve."""
    request = handler_input.request_envelope.request
    if not isinstance(request, IntentRequest) or request.intent is None:
        return None
    slot = (request.intent.slots or {}).get(slot_name)
    if slot is None or slot.resolutions is None:
        return None
    for authority in slot.resolutions.resolutions_per_authority or []:
        status = getattr(getattr(authority, "status", None), "code", None)
        if getattr(status, "value", status) == "ER_SUCCESS_MATCH" and authority.values:
            return authority.values[0].value.id
    return None


def create_skill_builder(
    persistence_adapter: AbstractPersistenceAdapter | None,
    *,
    skill_id: str | None = None,
    api_client: ApiClient | None = None,
    catalogue: Catalogue | None = None,
) -> CustomSkillBuilder:
    catalogue = catalogue or default_catalogue()
    # The interceptors use the storage port directly, so the SDK's attributes manager gets none.
    builder = CustomSkillBuilder(api_client=api_client)
    builder.skill_id = skill_id
    for handler in HANDLERS:
        builder.add_request_handler(handler(catalogue))
    builder.add_global_request_interceptor(RequestLogger())
    builder.add_global_request_interceptor(LoadProgressInterceptor(catalogue, persistence_adapter))
    builder.add_global_response_interceptor(SaveProgressInterceptor(catalogue, persistence_adapter))
    builder.add_exception_handler(ApologyHandler())
    return builder


class SkillIdMismatchError(PermissionError):
    """A request for another skill: refused without being handled."""


UNREADABLE_REQUEST_RESPONSE = {
    "version": "1.0",
    "response": {
        "outputSpeech": {
            "type": "SSML",
            "ssml": "<speak>Sorry, I couldn't make sense of that request.</speak>",
        },
        "shouldEndSession": True,
    },
}


def guarded_lambda_handler(
    builder: CustomSkillBuilder, skill_id: str | None
) -> Callable[[object, object], dict]:
    """The SDK's lambda handler, refusing other skills and answering any request it can't read.

    The SDK raises on envelopes it cannot deserialise (an unknown request type, a malformed
    timestamp); Alexa would then play its generic error. Here they get a short spoken answer.
    """
    sdk_handler = builder.lambda_handler()

    def lambda_handler(event: object, context: object) -> dict:
        if skill_id is not None and _application_id(event) != skill_id:
            raise SkillIdMismatchError("request is for another skill")
        try:
            return sdk_handler(event, context)
        except Exception:
            log.exception("request could not be handled")
            return UNREADABLE_REQUEST_RESPONSE

    return lambda_handler


def _application_id(event: object) -> object:
    try:
        return event["context"]["System"]["application"]["applicationId"]  # type: ignore[index]
    except (KeyError, TypeError):
        return None


def skill_builder_from_environment() -> CustomSkillBuilder:
    return create_skill_builder(
        adapter_from_environment(os.environ),
        skill_id=os.environ.get("SKILL_ID") or None,
        api_client=AlexaApiClient(),
    )
