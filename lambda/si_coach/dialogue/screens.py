"""What each answer shows on a device with a screen: the skill's side of `si_coach.screen`.

The screen package turns plain descriptions into APL; this module describes, for each
response, what to show, in the words of the wording data's [screen] section:

- a paced response: the exercise, its pose and steps, and a countdown of every hold and
  rest, built from the speech plan's own timeline (the clock the SSML was timed with);
- the how-to: a detail screen; the overview, the exercise list and history: list or detail
  screens;
- anything else: where the user stands (the exercise, with the rep to come and what to
  say), or the skill's home screen with the words just spoken.

Every response to a device with APL carries a screen, so the answer to an interruption
replaces a countdown still running from the response before; a device without APL gets
nothing, and exactly the response it always got.

A touch button is the spoken intent: `alexa.buttons.ButtonPressInterceptor` replaces its UserEvent
by the IntentRequest the same words would send, before anything else reads the request, so the
button goes down the spoken intent's path from start to end (interruptions included).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, is_request_type

from si_coach.dialogue.conversation import Conversation
from si_coach.routine.catalogue import Dose
from si_coach.routine.outcomes import (
    Block,
    HoldCarried,
    HowTo,
    Standing,
    StoppedForPain,
    UnknownExercise,
    WhichExercise,
)
from si_coach.routine.pacing import Phase
from si_coach.screen import (
    DetailScreen,
    ExerciseScreen,
    ListItem,
    ListScreen,
    Screen,
    ScreenButton,
    ScreenSpan,
    apl_max_version,
    render_directives,
    supports_screen,
)
from si_coach.screen import SpanKind as ScreenSpanKind
from si_coach.voice.speaker import NAMED_REST_SECONDS, Voice
from si_coach.voice.speech import Cue, SpanKind, SpeechPlan

if TYPE_CHECKING:
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

    from si_coach.dialogue.turn import CoachTurn

log = logging.getLogger(__name__)

# The drawing on the home screen: lying on the back, knees bent, as most exercises begin.
HOME_POSE = "lying_knees_bent"
COUNTED_SPANS = {SpanKind.HOLD: ScreenSpanKind.HOLD, SpanKind.REST: ScreenSpanKind.REST}
SPAN_LABEL_KEYS = {SpanKind.HOLD: "screen.hold", SpanKind.REST: "screen.rest"}
# What to do once a response has ended, in each phase on a block.
CLOSING_KEYS = {
    Phase.UP_NEXT: "screen.say_next",
    Phase.READY: "screen.say_next_in_position",
    Phase.IN_SET: "screen.say_next",
    Phase.HOLDING: "screen.keep_holding",
    Phase.PAUSED: "screen.paused",
}


def screen_directives(turn: CoachTurn, plan: SpeechPlan) -> list[RenderDocumentDirective]:
    """The response's screen, or [] for a device that cannot show APL 1.1."""
    version = apl_max_version(turn.handler_input.request_envelope)
    if not supports_screen(version):
        return []
    # Its package loads some seventy APL model classes: paid by screen devices only.
    from ask_sdk_model.interfaces.alexa.presentation.apl import (  # noqa: PLC0415
        RenderDocumentDirective,
    )

    return [
        RenderDocumentDirective(
            token=directive["token"],
            document=directive["document"],
            datasources=directive["datasources"],
        )
        for directive in render_directives(screen_for(turn, plan), version)
    ]


def screen_for(turn: CoachTurn, plan: SpeechPlan) -> Screen:
    """What the response that says `plan` shows."""
    outcomes = turn.outcomes
    if plan.timeline and turn.progress_before_event is not None:
        paced = paced_screen(turn, plan)
        if paced is not None:
            return paced
    screens = ScreenWords(turn.voice)
    if any(isinstance(o, StoppedForPain) for o in outcomes):
        return DetailScreen(screens.line("screen.stop_title"), plan_lines(plan))
    if plan.end_session:
        return DetailScreen(screens.line("screen.skill_title"), plan_lines(plan), HOME_POSE)
    talk = turn.conversation()
    how_to = next((o for o in outcomes if isinstance(o, HowTo)), None)
    if how_to is not None:
        return how_to_screen(talk, how_to)
    if any(isinstance(o, WhichExercise | UnknownExercise) for o in outcomes):
        return exercise_list_screen(talk)
    answer = ANSWER_SCREENS.get(_intent_name(turn.handler_input))
    if answer is not None:
        return answer(talk)
    return place_screen(turn, talk, plan)


def _intent_name(handler_input: HandlerInput) -> str | None:
    if not is_request_type("IntentRequest")(handler_input):
        return None
    return get_intent_name(handler_input)


class ScreenWords:
    """The [screen] lines of a locale, and names written for the eye."""

    def __init__(self, voice: Voice) -> None:
        self.voice = voice
        self.wording = voice.wording

    def line(self, key: str, **values: object) -> str:
        return self.wording.line(key, **values)

    def block_title(self, block: Block) -> str:
        return heading(self.voice.variant_name(block.variant.id))

    def side_label(self, block: Block) -> str:
        if block.side is None:
            return ""
        return heading(self.line("screen.side", side=self.wording.side(block.side)))

    def counters(self, block: Block, dose: Dose, rep: int) -> str:
        """ "Set 1 of 2 · Rep 3 of 10" for the rep of index `rep` (from 0)."""
        number = min(rep, dose.reps - 1) + 1
        rep_label = self.line("screen.rep_of", number=number, total=dose.reps)
        if dose.sets <= 1:
            return rep_label
        set_label = self.line("screen.set_of", number=block.set_number, total=dose.sets)
        return self.line("screen.counters", set=set_label, rep=rep_label)

    def steps(self, variant_id: str, dose: Dose) -> tuple[str, ...]:
        duration = self.voice.grammar.duration(dose.hold_seconds)
        return tuple(
            step.format(duration=duration) for step in self.wording.variant(variant_id).steps
        )

    def equipment(self, exercise_id: str) -> str:
        equipment = self.wording.exercise(exercise_id).equipment
        return self.line("screen.equipment", equipment=equipment) if equipment else ""

    def buttons(self, phase: Phase) -> tuple[ScreenButton, ...]:
        """Pause or Resume, as the phase allows; none outside a block."""
        if phase is Phase.PAUSED:
            return (ScreenButton(self.line("screen.button_resume"), "resume"),)
        if not phase.active:
            return ()
        return (
            ScreenButton(self.line("screen.button_repeat"), "repeat"),
            ScreenButton(self.line("screen.button_pause"), "pause"),
            ScreenButton(self.line("screen.button_next"), "next"),
        )

    def closing(self, phase: Phase) -> str:
        key = CLOSING_KEYS.get(phase, "screen.say_start")
        return self.line(key)


def heading(text: str) -> str:
    """A name as a title or label begins: "hip abduction" -> "Hip abduction"."""
    return text[:1].upper() + text[1:]


def plan_lines(plan: SpeechPlan) -> tuple[str, ...]:
    """The words of a plan, cue by cue, for a screen that shows what was just said."""
    return tuple(segment.text for segment in plan.segments if isinstance(segment, Cue))


# -- the paced exercise ----------------------------------------------------------------------


def screen_spans(
    plan: SpeechPlan, screens: ScreenWords, block: Block, dose: Dose, carried_seconds: int = 0
) -> tuple[ScreenSpan, ...]:
    """The countdown's spans: each hold and rest of the plan's own timeline.

    The times are the timeline's, from the timing model that built the SSML; nothing is
    timed again here. `carried_seconds`: what is left of a hold the response ends inside.
    Rests are counted when the voice names them ("Rest."); a silent breather of two or three
    seconds between reps gets no number, which also keeps the response small (every second
    counted is a command in it).
    """
    counted = [
        span
        for span in plan.timeline
        if span.kind in COUNTED_SPANS
        and span.end > span.start
        and (span.kind is not SpanKind.REST or span.end - span.start >= NAMED_REST_SECONDS - 1e-3)
    ]
    ends_in_hold = bool(plan.timeline) and plan.timeline[-1].kind is SpanKind.HOLD
    spans = []
    for index, span in enumerate(counted):
        last = index == len(counted) - 1
        spans.append(
            ScreenSpan(
                kind=COUNTED_SPANS[span.kind],
                start=span.start,
                end=span.end,
                rep=span.rep,
                label=screens.line(SPAN_LABEL_KEYS[span.kind]),
                counters_label=screens.counters(block, dose, span.rep),
                left_at_end=carried_seconds if last and ends_in_hold else 0,
            )
        )
    return tuple(spans)


def paced_screen(turn: CoachTurn, plan: SpeechPlan) -> ExerciseScreen | None:
    """The exercise the response paces, counting down its holds and rests."""
    before = turn.progress_before_event
    if before is None:
        return None
    coaching = before.coaching()
    block = turn.engine.place(before.routine, coaching).block
    if block is None:
        return None
    screens = ScreenWords(turn.voice)
    dose = turn.engine.dose(block.variant, coaching)
    carried = next((o.seconds_left for o in turn.outcomes if isinstance(o, HoldCarried)), 0)
    now = turn.progress.routine
    after = turn.engine.place(now, turn.progress.coaching())
    if plan.end_session:
        closing, counters, buttons = screens.line("screen.routine_done"), "", ()
    elif after.block == block:
        closing = screens.closing(now.phase)
        counters = screens.counters(block, dose, now.reps_done)
        buttons = screens.buttons(now.phase)
    else:
        following = after.block
        closing = (
            screens.line("screen.up_next", block=heading(turn.voice.block_name(following)))
            if following is not None
            else screens.closing(now.phase)
        )
        counters = screens.counters(block, dose, dose.reps - 1)
        buttons = screens.buttons(now.phase)
    return exercise_screen(
        turn,
        block,
        dose,
        counters=counters,
        spans=screen_spans(plan, screens, block, dose, carried),
        closing=closing,
        buttons=buttons,
        speech_ends_at=plan.planned_seconds,
    )


def exercise_screen(
    turn: CoachTurn,
    block: Block,
    dose: Dose,
    *,
    counters: str,
    spans: tuple[ScreenSpan, ...],
    closing: str,
    buttons: tuple[ScreenButton, ...],
    speech_ends_at: float = 0.0,
) -> ExerciseScreen:
    screens = ScreenWords(turn.voice)
    catalogue = turn.catalogue
    variant = block.variant
    exercise_ids = [e.id for e in catalogue.exercises]
    # The bar fills for the exercises really finished today; skipping one fills nothing.
    finished = set(turn.conversation().done_today()) & catalogue.variant_ids
    return ExerciseScreen(
        title=screens.block_title(block),
        side_label=screens.side_label(block),
        counters_label=counters,
        steps=screens.steps(variant.id, dose),
        equipment=screens.equipment(variant.exercise_id),
        pose_id=variant.id,
        routine_progress=(len(finished), len(catalogue.variants)),
        spans=spans,
        closing_instruction=closing,
        closing_at=speech_ends_at,
        buttons=buttons,
        progress_label=screens.line(
            "screen.exercise_of",
            number=exercise_ids.index(variant.exercise_id) + 1,
            total=len(exercise_ids),
        ),
    )


# -- answers outside the paced routine ---------------------------------------------------------


def place_screen(turn: CoachTurn, talk: Conversation, plan: SpeechPlan) -> Screen:
    """Where the user stands: the exercise they are on, or the home screen."""
    screens = ScreenWords(turn.voice)
    routine = turn.progress.routine
    block = talk.place.block
    if talk.place.standing in (Standing.ACTIVE, Standing.PAUSED) and block is not None:
        dose = turn.engine.dose(block.variant, turn.progress.coaching())
        return exercise_screen(
            turn,
            block,
            dose,
            counters=screens.counters(block, dose, routine.reps_done),
            spans=(),
            closing=screens.closing(routine.phase),
            buttons=screens.buttons(routine.phase),
        )
    return DetailScreen(
        screens.line("screen.skill_title"),
        plan_lines(plan),
        HOME_POSE,
        footer=screens.line("screen.say_start"),
    )


def _footer(talk: Conversation) -> str:
    """What to say next, from where the routine stands."""
    phase = Phase.NOT_STARTED if talk.idle else talk.progress.routine.phase
    return ScreenWords(talk.voice).closing(phase)


def how_to_screen(talk: Conversation, how_to: HowTo) -> DetailScreen:
    screens = ScreenWords(talk.voice)
    variant = talk.catalogue.variant(how_to.variant_id)
    variant_words = talk.voice.wording.variant(variant.id)
    lines = [
        screens.equipment(variant.exercise_id),
        *variant_words.position,
        *screens.steps(variant.id, how_to.dose),
        talk.voice.reps_line(variant.id, how_to.dose),
        *variant_words.notes,
    ]
    return DetailScreen(
        heading(variant_words.name),
        tuple(line for line in lines if line),
        variant.id,
        footer=_footer(talk),
    )


def exercise_list_screen(talk: Conversation) -> ListScreen:
    """The exercises, as the voice lists them (one row each, its variants together)."""
    screens = ScreenWords(talk.voice)
    done = set(talk.done_today())
    return ListScreen(
        screens.line("screen.exercises_title"),
        tuple(
            ListItem(
                heading(talk.voice.wording.exercise(exercise.id).name),
                screens.line("screen.done_today")
                if all(v.id in done for v in exercise.variants)
                else "",
                exercise.variants[0].id,
            )
            for exercise in talk.catalogue.exercises
        ),
        footer=screens.line("screen.exercises_footer"),
    )


def overview_screen(talk: Conversation) -> DetailScreen:
    screens = ScreenWords(talk.voice)
    words = talk.voice.wording
    return DetailScreen(
        screens.line("screen.overview_title"),
        (*words.overview, words.safety_reminder),
        footer=_footer(talk),
    )


def history_screen(talk: Conversation) -> ListScreen:
    screens = ScreenWords(talk.voice)
    progress = talk.progress
    items: list[ListItem] = []
    if progress.active_days == 0 or progress.last_active is None:
        items.append(ListItem(screens.line("screen.nothing_yet")))
    else:
        for day in progress.recent_days:
            if day.completed:
                names = [talk.voice.variant_name(v) for v in day.completed]
                items.append(ListItem(talk.when(day.day), heading(talk.voice.grammar.join(names))))
        if (talk.today - progress.last_active.day).days <= 1 and progress.streak_days > 1:
            items.append(ListItem(screens.line("screen.streak", count=progress.streak_days)))
        items.append(ListItem(screens.line("screen.active_days", count=progress.active_days)))
    return ListScreen(screens.line("screen.history_title"), tuple(items), footer=_footer(talk))


# The answers that have a screen of their own, by the intent that asks for them.
ANSWER_SCREENS = {
    "OverviewIntent": overview_screen,
    "ListExercisesIntent": exercise_list_screen,
    "HistoryIntent": history_screen,
}
