"""The voice: turns the engine's outcomes, and the skill's answers, into speech plans.

Every word comes from the wording data of the request's locale (si_coach.voice.wording); this
module only decides which line goes where and fills in its placeholders. It also times
outcomes for the engine (`seconds`), with exactly the segments it will later say, so the
engine's chunking and the speech can never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from html import escape

from si_coach.routine.catalogue import Catalogue, Dose, Side, Sides, default_catalogue
from si_coach.routine.limits import MAX_COUNTED_HOLD_SECONDS
from si_coach.routine.outcomes import (
    Action,
    Block,
    BlockAnnounced,
    ChunkEnded,
    FinishedAlready,
    Hold,
    HoldCarried,
    HowTo,
    InBlock,
    Lead,
    LeftOutToday,
    NotNow,
    Outcome,
    Paused,
    Place,
    Release,
    RepBegins,
    RepeatingChunk,
    Rest,
    RoutineFinished,
    SetFinished,
    SkippedPastLast,
    Standing,
    StillPaused,
    Stopped,
    StoppedForPain,
    TimeUp,
    TodaysRoutine,
    TodaySummary,
    UnknownExercise,
    UpNext,
    VariantFinished,
    WhichExercise,
)
from si_coach.voice.speech import (
    NAME_SECONDS,
    Cue,
    SpanKind,
    SpeechBuilder,
    SpeechPlan,
    SpeechTiming,
    name_ssml,
    speaking_seconds,
    timing_for,
)
from si_coach.voice.speech import cue_seconds as _cue_seconds
from si_coach.voice.wording import Wording, all_wordings, wording_for

_LEAD_KEYS = {
    Lead.FIRST: "routine.lead_first",
    Lead.NEXT: "routine.lead_next",
    Lead.SKIPPING: "routine.lead_skipping",
    Lead.BACK_TO: "routine.lead_back_to",
    Lead.FIRST_ONE: "routine.lead_first_one",
    Lead.GO_TO: "routine.lead_go_to",
    Lead.YOU_ARE_ON: "routine.lead_you_are_on",
}
# A rest this long is named, so the pause isn't mistaken for the skill having stopped.
NAMED_REST_SECONDS = 4


@dataclass
class _Rendering:
    """One response being said: its segments, timeline, and how it closes."""

    speech: SpeechBuilder = field(default_factory=SpeechBuilder)
    reprompt: str | None = None
    end_session: bool = False
    rep_started: dict[int, float] = field(default_factory=dict)

    def closes(self, reprompt: str | None, *, end_session: bool = False) -> None:
        self.reprompt = None if end_session else reprompt
        self.end_session = end_session

    def plan(self) -> SpeechPlan:
        return self.speech.build(self.reprompt, end_session=self.end_session)


class Voice:
    """Says outcomes and answers in one locale's words."""

    def __init__(self, wording: Wording, catalogue: Catalogue) -> None:
        self.wording = wording
        self.catalogue = catalogue
        self.grammar = wording.grammar
        # How fast this language is spoken: its cues and counting take their own time.
        self.timing: SpeechTiming = timing_for(wording.locale)

    def _rendering(self) -> _Rendering:
        return _Rendering(speech=SpeechBuilder(timing=self.timing))

    # -- for the engine and the skill -----------------------------------------------------

    def render(self, outcomes: Sequence[Outcome]) -> SpeechPlan:
        rendering = self._rendering()
        for outcome in outcomes:
            self._say(rendering, outcome)
        return rendering.plan()

    def seconds(self, outcomes: Sequence[Outcome]) -> float:
        """Planned speaking time of some outcomes (the engine's ResponseTiming).

        Each outcome's length does not depend on what was said before it, so lengths add up,
        and each is worked out once: the engine asks about the same beats again and again.
        """
        return sum(self._outcome_seconds(type(outcome), outcome) for outcome in outcomes)

    # Keyed by kind too: outcomes are tuples, and two kinds with equal fields are equal.
    @lru_cache(maxsize=4096)  # noqa: B019 - voices live as long as the process, one a locale
    def _outcome_seconds(self, kind: type, outcome: Outcome) -> float:
        rendering = self._rendering()
        self._say(rendering, outcome)
        return rendering.speech.elapsed

    def reply(self) -> Reply:
        """A builder for an answer outside the paced routine."""
        return Reply(self)

    # -- names ----------------------------------------------------------------------------

    def variant_name(self, variant_id: str) -> str:
        return self.wording.variant(variant_id).name

    def block_name(self, block: Block) -> str:
        name = self.variant_name(block.variant.id)
        if block.side is None:
            return name
        return self.wording.line(
            "routine.block_name_with_side", exercise=name, side=self.wording.side(block.side)
        )

    def exercise_names(self) -> list[str]:
        return [self.wording.exercise(e.id).name for e in self.catalogue.exercises]

    def the_exercises(self, variant_ids: Sequence[str]) -> str:
        """ "the bridge, the clamshell and the hip abduction"."""
        words = self.wording
        names = [
            self.grammar.definite(self.variant_name(v), words.variant(v).gender)
            for v in variant_ids
        ]
        return self.grammar.join(names)

    def the_exercise_names(self, exercise_ids: Sequence[str]) -> str:
        """ "the hamstring stretch and the clamshell", by exercise (not variant)."""
        words, catalogue = self.wording, self.catalogue
        # An exercise's name takes the gender of its (first) variant's, in the languages
        # whose articles have one.
        names = [
            self.grammar.definite(
                words.exercise(e).name, words.variant(catalogue.exercise(e).variants[0].id).gender
            )
            for e in exercise_ids
        ]
        return self.grammar.join(names)

    def back(self, place: Place) -> str:
        """How to carry on from where the routine stands."""
        if place.standing is Standing.PAUSED:
            return self.wording.line("answers.back_paused")
        if place.standing is Standing.ACTIVE and place.block is not None:
            return self.wording.line("answers.back_carry_on", block=self.block_name(place.block))
        return self.wording.line("answers.back_start")

    def dose_lines(self, variant_id: str, dose: Dose, only_side: Side | None = None) -> list[str]:
        """ "Hold for five seconds. Do it ten times." (`only_side`: the one side done today)"""
        variant = self.catalogue.variant(variant_id)
        duration = self.grammar.duration(dose.hold_seconds)
        key = (
            "routine.hold_for_each_way"
            if variant.sides is Sides.ALTERNATING
            else "routine.hold_for"
        )
        reps = self.reps_line(variant_id, dose, only_side)
        return [self.wording.line(key, duration=duration), reps]

    def reps_line(self, variant_id: str, dose: Dose, only_side: Side | None = None) -> str:
        each_side = self.catalogue.variant(variant_id).sides is Sides.EACH
        if each_side and only_side is not None:
            side = self.wording.side(only_side)
            if dose.sets > 1:
                return self.wording.line(
                    "routine.do_sets_one_side",
                    sets=self.grammar.count(dose.sets, "set"),
                    reps=self.grammar.number(dose.reps),
                    side=side,
                )
            count = self.grammar.count(dose.reps, "time")
            return self.wording.line("routine.do_times_one_side", count=count, side=side)
        if dose.sets > 1:
            key = "routine.do_sets_each_side" if each_side else "routine.do_sets"
            return self.wording.line(
                key, sets=self.grammar.count(dose.sets, "set"), reps=self.grammar.number(dose.reps)
            )
        key = "routine.do_times_each_side" if each_side else "routine.do_times"
        return self.wording.line(key, count=self.grammar.count(dose.reps, "time"))

    # -- saying each outcome --------------------------------------------------------------

    def _say(self, out: _Rendering, outcome: Outcome) -> None:
        sayer = _SAYERS.get(type(outcome))
        if sayer is None:
            raise TypeError(f"the voice cannot say {outcome!r}")
        sayer(self, out, outcome)

    def _say_block_announced(self, out: _Rendering, outcome: BlockAnnounced) -> None:
        speech = out.speech
        speech.say(*self._announcement(outcome))
        out.closes(self._ready_reprompt(outcome.block))

    def _say_up_next(self, out: _Rendering, outcome: UpNext) -> None:
        words, speech = self.wording, out.speech
        block = outcome.block
        speech.say(
            words.line("routine.up_next", block=self.block_name(block)),
            words.line("routine.say_next_when_ready"),
        )
        out.closes(self._ready_reprompt(block))

    def _say_in_block(self, out: _Rendering, outcome: InBlock) -> None:
        words, speech = self.wording, out.speech
        block = outcome.block
        dose = outcome.dose
        done = outcome.reps_done
        speech.say(
            words.line("routine.lead_you_are_on", block=self.block_name(block)),
            *words.variant(block.variant.id).position,
            words.line(
                "routine.done_so_far",
                done=self.grammar.number(done),
                total=self.grammar.number(dose.reps),
            ),
            words.line("routine.carry_on_in_position"),
        )
        out.closes(words.line("routine.carry_on_reprompt", block=self.block_name(block)))

    def _say_rep_begins(self, out: _Rendering, outcome: RepBegins) -> None:
        speech = out.speech
        rep = outcome.rep
        reps = outcome.reps
        first = outcome.first_in_chunk
        out.rep_started[rep] = speech.elapsed
        speech.say(self._rep_label(rep, reps, first_in_chunk=first))

    def _say_action(self, out: _Rendering, outcome: Action) -> None:
        words, speech = self.wording, out.speech
        variant_id = outcome.variant_id
        side = outcome.side
        cue = words.sided(words.variant(variant_id).action_cue, side)
        speech.say(cue, words.line("routine.hold"))

    def _say_hold(self, out: _Rendering, outcome: Hold) -> None:
        speech = out.speech
        seconds = outcome.seconds
        covered = outcome.covered
        counted = outcome.counted
        rep = outcome.rep
        start = speech.elapsed
        if counted:
            speech.counted_hold([self.grammar.number(n) for n in range(1, seconds + 1)])
        else:
            speech.timed_hold(seconds, covered, self._time_left_cue)
        speech.span(SpanKind.HOLD, rep, start)

    def _say_time_up(self, out: _Rendering, outcome: TimeUp) -> None:
        words, speech = self.wording, out.speech
        speech.say(words.line("routine.times_up"))

    def _say_release(self, out: _Rendering, outcome: Release) -> None:
        words, speech = self.wording, out.speech
        variant_id = outcome.variant_id
        side = outcome.side
        rep = outcome.rep
        speech.say(words.sided(words.variant(variant_id).release_cue, side))
        speech.span(SpanKind.REP, rep, out.rep_started.get(rep, 0.0))

    def _say_rest(self, out: _Rendering, outcome: Rest) -> None:
        words, speech = self.wording, out.speech
        seconds = outcome.seconds
        rep = outcome.rep
        start = speech.elapsed
        if seconds >= NAMED_REST_SECONDS:
            cue = words.line("routine.rest")
            speech.say(cue).pause(seconds - self.timing.speaking_seconds(cue))
        else:
            speech.pause(seconds)
        speech.span(SpanKind.REST, rep, start)

    def _say_chunk_ended(self, out: _Rendering, outcome: ChunkEnded) -> None:
        words, speech = self.wording, out.speech
        block = outcome.block
        done = outcome.done
        total = outcome.total
        left = total - done
        speech.say(
            words.line(
                "routine.chunk_done",
                done=self.grammar.number(done),
                total=self.grammar.number(total),
            ),
            words.line("routine.last_few", count=self.grammar.number(left))
            if left > 1
            else words.line("routine.last_one"),
        )
        out.closes(words.line("routine.carry_on_reprompt", block=self.block_name(block)))

    def _say_hold_carried(self, out: _Rendering, outcome: HoldCarried) -> None:
        words, speech = self.wording, out.speech
        left = outcome.seconds_left
        speech.say(
            words.line("routine.still_holding", duration=self.grammar.duration(left)),
            words.line("routine.say_next"),
        )
        out.closes(words.line("routine.keep_holding_reprompt"))

    def _say_set_finished(self, out: _Rendering, outcome: SetFinished) -> None:
        words, speech = self.wording, out.speech
        speech.say(words.line("routine.set_done"))

    def _say_variant_finished(self, out: _Rendering, outcome: VariantFinished) -> None:
        words, speech = self.wording, out.speech
        variant_id = outcome.variant_id
        speech.say(words.line("routine.variant_done", exercise=self.variant_name(variant_id)))

    def _say_routine_finished(self, out: _Rendering, outcome: RoutineFinished) -> None:
        words, speech = self.wording, out.speech
        key = "routine.chosen_routine_done" if outcome.chosen else "routine.routine_done"
        speech.say(*words.lines_of(key))
        out.closes(None, end_session=True)

    def _say_skipped_past_last(self, out: _Rendering, outcome: SkippedPastLast) -> None:
        words, speech = self.wording, out.speech
        speech.say(words.line("routine.skipped_past_last"))
        out.closes(None, end_session=True)

    def _say_today_summary(self, out: _Rendering, outcome: TodaySummary) -> None:
        words, speech = self.wording, out.speech
        done = outcome.variant_ids
        everything = outcome.everything
        if everything:
            speech.say(words.line("routine.today_all"))
        elif done:
            speech.say(words.line("routine.today_some", exercises=self.the_exercises(done)))
        else:
            speech.say(words.line("routine.today_none"))

    def _say_left_out_today(self, out: _Rendering, outcome: LeftOutToday) -> None:
        out.speech.say(
            self.wording.line(
                "routine.left_out_today", exercises=self.the_exercise_names(outcome.exercise_ids)
            )
        )

    def _say_todays_routine(self, out: _Rendering, outcome: TodaysRoutine) -> None:
        words, grammar = self.wording, self.grammar
        length = grammar.count(max(1, round(outcome.seconds / 60)), "minute")
        exercises = self.the_exercises(outcome.variant_ids)
        lines: list[str] = []
        if outcome.minutes_asked is not None and outcome.seconds > outcome.minutes_asked * 60:
            lines.append(words.line("routine.plan_does_not_fit", length=length))
        elif outcome.minutes_asked is not None:
            minutes = grammar.count(outcome.minutes_asked, "minute")
            timed = {"minutes": minutes, "exercises": exercises, "length": length}
            lines.append(words.line("routine.plan_timed", **timed))
        elif outcome.kind == "stretches":
            lines.append(words.line("routine.plan_stretches", exercises=exercises, length=length))
        else:
            lines.append(words.line("routine.plan_full", length=length))
        if outcome.too_long:
            lines.append(
                words.line("routine.plan_too_long", exercises=self.the_exercises(outcome.too_long))
            )
        out.speech.say(*lines)

    def _say_repeating_chunk(self, out: _Rendering, outcome: RepeatingChunk) -> None:
        words, speech = self.wording, out.speech
        speech.say(words.line("routine.again_from_top"))

    def _say_how_to(self, out: _Rendering, outcome: HowTo) -> None:
        speech = out.speech
        speech.say(*self._how_to(outcome))
        out.closes(self.back(outcome.place))

    def _say_which_exercise(self, out: _Rendering, outcome: WhichExercise) -> None:
        words, speech = self.wording, out.speech
        speech.say(words.line("answers.which_exercise"))
        out.closes(words.line("answers.which_exercise_reprompt"))

    def _say_unknown_exercise(self, out: _Rendering, outcome: UnknownExercise) -> None:
        words, speech = self.wording, out.speech
        place = outcome.place
        back = self.back(place)
        names = self.grammar.join(self.exercise_names())
        speech.say(*words.lines_of("answers.unknown_exercise", exercises=names), back)
        out.closes(words.line("answers.unknown_exercise_reprompt", back=back))

    def _say_paused(self, out: _Rendering, outcome: Paused) -> None:
        words, speech = self.wording, out.speech
        speech.say(words.line("routine.paused"), words.line("routine.say_resume"))
        out.closes(words.line("routine.paused_reprompt"))

    def _say_still_paused(self, out: _Rendering, outcome: StillPaused) -> None:
        words, speech = self.wording, out.speech
        speech.say(words.line("routine.still_paused"), words.line("routine.say_resume"))
        out.closes(words.line("routine.paused_reprompt"))

    def _say_stopped_for_pain(self, out: _Rendering, outcome: StoppedForPain) -> None:
        words, speech = self.wording, out.speech
        kept = outcome.place_kept
        speech.say(
            words.line("routine.stop_now"),
            *words.safety_advice,
            words.line("routine.place_saved_take_care" if kept else "routine.take_care"),
        )
        out.closes(None, end_session=True)

    def _say_stopped(self, out: _Rendering, outcome: Stopped) -> None:
        words, speech = self.wording, out.speech
        kept = outcome.place_kept
        speech.say(words.line("answers.goodbye_saved" if kept else "answers.goodbye"))
        out.closes(None, end_session=True)

    def _say_finished_already(self, out: _Rendering, outcome: FinishedAlready) -> None:
        words, speech = self.wording, out.speech
        speech.say(*words.lines_of("routine.finished_already"))
        out.closes(words.line("routine.finished_already_reprompt"))

    def _say_not_now(self, out: _Rendering, outcome: NotNow) -> None:
        words, speech = self.wording, out.speech
        place = outcome.place
        if place.standing is Standing.NOT_STARTED:
            line = words.line("routine.not_started")
        elif place.standing is Standing.FINISHED:
            line = words.line("routine.finished_go_again")
        else:
            line = self.back(place)
        speech.say(line)
        out.closes(line)

    def _announcement(self, outcome: BlockAnnounced) -> list[str]:
        words = self.wording
        block = outcome.block
        variant_words = words.variant(block.variant.id)
        if outcome.whole:
            lines = [words.line(_LEAD_KEYS[outcome.lead], block=self.block_name(block))]
            equipment = words.exercise(block.variant.exercise_id).equipment
            if equipment:
                lines.append(words.line("routine.you_need", equipment=equipment))
            lines.extend(variant_words.position)
            if block.side is not None:
                lines.append(words.sided(variant_words.side_setup, block.side))
            if block.set_number > 1:
                lines.append(
                    words.line("routine.set_number", number=self.grammar.number(block.set_number))
                )
            only_side = block.side if outcome.one_side else None
            lines.extend(self.dose_lines(block.variant.id, outcome.dose, only_side))
            lines.append(words.line("routine.say_next_in_position"))
            return lines
        if block.side is not None and block.set_number == 1:
            return [
                words.line("routine.now_other_side", side=words.side(block.side)),
                words.sided(variant_words.side_setup, block.side),
                words.line("routine.say_next_when_ready"),
            ]
        return [words.line("routine.rest_then_set", number=self.grammar.number(block.set_number))]

    def _ready_reprompt(self, block: Block) -> str:
        return self.wording.line("routine.ready_reprompt", block=self.block_name(block))

    def _rep_label(self, rep: int, reps: int, *, first_in_chunk: bool) -> str:
        words = self.wording
        if rep == reps - 1 and reps > 1:
            return words.line("routine.last_rep")
        if rep == 0:
            return words.line("routine.first_rep")
        if first_in_chunk or reps > 3:
            return words.line("routine.rep_number", number=self.grammar.number(rep + 1))
        return words.line("routine.another_rep")

    def _time_left_cue(self, seconds_left: int) -> str:
        if seconds_left <= 60 or seconds_left % 30 == 0:
            return self.wording.line(
                "routine.time_left", duration=self.grammar.duration(seconds_left)
            )
        return self.wording.line("routine.keep_holding_cue")

    def _how_to(self, outcome: HowTo) -> list[str]:
        """The steps and the dose; the rest too, unless an exercise is under way.

        Mid-exercise the user is on the mat, waiting to go on: the answer stops at what to
        do and how often, and offers the rest ("tell me more", `more_about`).
        """
        words = self.wording
        variant = self.catalogue.variant(outcome.variant_id)
        variant_words = words.variant(variant.id)
        exercise_words = words.exercise(variant.exercise_id)
        lines = [words.line("answers.how_to_lead", exercise=variant_words.name)]
        if exercise_words.equipment:
            lines.append(words.line("routine.you_need", equipment=exercise_words.equipment))
        lines.extend(variant_words.position)
        duration = self.grammar.duration(outcome.dose.hold_seconds)
        lines.extend(step.format(duration=duration) for step in variant_words.steps)
        lines.append(self.reps_line(variant.id, outcome.dose))
        if self.how_to_is_brief(outcome) and self.more_about(variant.id):
            lines.append(words.line("answers.more_offer"))
        else:
            lines.extend(self.more_about(variant.id))
        lines.append(self.back(outcome.place))
        return [line for line in lines if line]

    @staticmethod
    def how_to_is_brief(outcome: HowTo) -> bool:
        """Whether a how-to is said mid-exercise, the rest of it kept for "tell me more"."""
        return outcome.place.standing in (Standing.ACTIVE, Standing.PAUSED)

    def more_about(self, variant_id: str) -> list[str]:
        """What a how-to says beyond the steps and the dose: how the dose grows, the notes,
        what the exercise works."""
        words = self.wording
        variant = self.catalogue.variant(variant_id)
        exercise_words = words.exercise(variant.exercise_id)
        lines = [self._range_line(variant_id), *words.variant(variant_id).notes]
        if exercise_words.works:
            lines.append(words.line("answers.it_works", muscles=exercise_words.works))
        return [line for line in lines if line]

    def _range_line(self, variant_id: str) -> str:
        """How the dose can grow, said in the how-to so the user hears the whole range."""
        variant = self.catalogue.variant(variant_id)
        grammar = self.grammar
        changes = []
        hold, reps = variant.hold_seconds, variant.reps
        if hold.max > hold.min:
            changes.append(
                self.wording.line(
                    "answers.holds_grow",
                    low=grammar.duration(hold.min),
                    high=grammar.duration(hold.max),
                )
            )
        if reps.max > reps.min:
            changes.append(
                self.wording.line(
                    "answers.reps_grow", low=grammar.number(reps.min), high=grammar.number(reps.max)
                )
            )
        if not changes:
            return ""
        return self.wording.line("answers.range_grows", changes=grammar.join(changes))


_SAYERS = {
    BlockAnnounced: Voice._say_block_announced,
    UpNext: Voice._say_up_next,
    InBlock: Voice._say_in_block,
    RepBegins: Voice._say_rep_begins,
    Action: Voice._say_action,
    Hold: Voice._say_hold,
    TimeUp: Voice._say_time_up,
    Release: Voice._say_release,
    Rest: Voice._say_rest,
    ChunkEnded: Voice._say_chunk_ended,
    HoldCarried: Voice._say_hold_carried,
    SetFinished: Voice._say_set_finished,
    VariantFinished: Voice._say_variant_finished,
    RoutineFinished: Voice._say_routine_finished,
    SkippedPastLast: Voice._say_skipped_past_last,
    TodaySummary: Voice._say_today_summary,
    RepeatingChunk: Voice._say_repeating_chunk,
    HowTo: Voice._say_how_to,
    WhichExercise: Voice._say_which_exercise,
    UnknownExercise: Voice._say_unknown_exercise,
    Paused: Voice._say_paused,
    StillPaused: Voice._say_still_paused,
    StoppedForPain: Voice._say_stopped_for_pain,
    Stopped: Voice._say_stopped,
    FinishedAlready: Voice._say_finished_already,
    NotNow: Voice._say_not_now,
    LeftOutToday: Voice._say_left_out_today,
    TodaysRoutine: Voice._say_todays_routine,
}


class Reply:
    """An answer outside the paced routine, line by line from the wording data."""

    def __init__(self, voice: Voice) -> None:
        self.voice = voice
        self.speech = SpeechBuilder(timing=voice.timing)

    def line(self, key: str, **values: object) -> Reply:
        self.speech.say(*self.voice.wording.lines_of(key, **values))
        return self

    def text(self, *texts: str) -> Reply:
        """Lines already in words (content, or a line the voice built)."""
        self.speech.say(*texts)
        return self

    def named_line(self, key: str, person_id: str, **values: object) -> Reply:
        """A line whose {name} Alexa fills with the recognised person's first name."""
        mark = "\x1e"
        for line in self.voice.wording.lines_of(key, name=mark, **values):
            before, _, after = line.partition(mark)
            tag = name_ssml(person_id)
            self.speech.say_cue(
                Cue(
                    text=before + tag + after,
                    seconds=speaking_seconds(f"{before} {after}") + NAME_SECONDS,
                    ssml=escape(before, quote=False) + tag + escape(after, quote=False),
                )
            )
        return self

    def ask(self, reprompt: str) -> SpeechPlan:
        """Close with a reprompt: the session stays open."""
        return self.speech.build(reprompt)

    def ask_line(self, key: str, **values: object) -> SpeechPlan:
        return self.speech.build(self.voice.wording.line(key, **values))

    def end(self) -> SpeechPlan:
        return self.speech.build(None, end_session=True)

    def lead(self) -> SpeechPlan:
        """The words so far, to be said before another plan (`plan.after(reply.lead())`)."""
        return self.speech.build(None)


def voice_for(locale: str | None) -> Voice:
    """The voice of a request's locale (English when the locale is not supported)."""
    return _voice(wording_for(locale).locale)


@cache
def _voice(wording_locale: str) -> Voice:
    return Voice(wording_for(wording_locale), default_catalogue())


@cache
def count_words() -> frozenset[str]:
    """Every word any language counts a hold with ("one" to "ten")."""
    return frozenset(
        wording.grammar.number(n)
        for wording in all_wordings().values()
        for n in range(1, MAX_COUNTED_HOLD_SECONDS + 1)
    )


def cue_seconds(text: str, locale: str | None = None) -> float:
    """Speaking time of a cue read back from SSML in a locale's language, a lone count word
    timed as counting is."""
    return _cue_seconds(text, count_words(), timing_for(locale))
