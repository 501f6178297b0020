"""Handlers for the questions people ask mid-exercise, and for "what did you say".

Each question is answered from the facts of si_coach.routine.questions, in the words of the
[questions] section of the wording data, and closes with how to carry on (mid-hold: how long
the hold has to go). None of them hands the engine an event, so the user's place, and a hold
carried across responses, stay exactly as they were.

The module is loaded on the first such question: the intent each class answers is named in
the handler registry (registry.py), not here.
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput

from si_coach.alexa.request import resolved_slot_id, slot_was_heard
from si_coach.dialogue.conversation import exercises_left_reply
from si_coach.dialogue.repair import carry_on, pardon_answer
from si_coach.dialogue.turn import CoachTurn
from si_coach.handlers.base import CoachHandler
from si_coach.routine.catalogue import Sides
from si_coach.routine.outcomes import Block, Standing
from si_coach.routine.questions import (
    Coming,
    HoldTimes,
    Missing,
    Needed,
    NotOnAnExercise,
    RepsLeft,
    SideNow,
    UnknownName,
    Where,
    equipment,
    hold_time,
    missing_item,
    reps_left,
    routine_length,
    whats_next,
    which_side,
)
from si_coach.voice.speaker import Reply
from si_coach.voice.speech import SpeechPlan

# The words for each item of equipment the catalogue names (catalogue.toml [[needs]]).
ITEM_KEYS = {
    "belt": "questions.item_belt",
    "band": "questions.item_band",
    "cloth": "questions.item_cloth",
    "pillow": "questions.item_pillow",
    "ball": "questions.item_ball",
    "wall": "questions.item_wall",
    "doorway": "questions.item_doorway",
}


def where_of(turn: CoachTurn) -> Where:
    return Where(turn.engine, turn.progress.routine, turn.progress.coaching(), turn.now.timestamp())


def named_exercise(handler_input: HandlerInput) -> str | None:
    """The exercise a request names: its id, "" when named but unknown, None when unnamed."""
    exercise_id = resolved_slot_id(handler_input, "exercise")
    if exercise_id is None and slot_was_heard(handler_input, "exercise"):
        return ""
    return exercise_id


class QuestionHandler(CoachHandler):
    """A question answered without moving the user's place."""

    def answer(self, turn: CoachTurn, handler_input: HandlerInput) -> SpeechPlan:
        reply = turn.voice.reply()
        self.say(turn, handler_input, reply)
        return carry_on(turn, reply)

    def say(self, turn: CoachTurn, handler_input: HandlerInput, reply: Reply) -> None:
        raise NotImplementedError


def _not_on_an_exercise(reply: Reply, fact: NotOnAnExercise) -> None:
    if fact.standing is Standing.FINISHED:
        reply.line("questions.finished")
    else:
        reply.line("questions.not_started")


def _unknown_exercise(turn: CoachTurn, reply: Reply) -> None:
    names = turn.voice.grammar.join(turn.voice.exercise_names())
    reply.line("questions.unknown_exercise", exercises=names)


def _name(turn: CoachTurn, exercise_or_variant_id: str) -> str:
    """An exercise's or a variant's name, whichever the id names."""
    wording = turn.voice.wording
    if exercise_or_variant_id in wording.variants:
        return wording.variant(exercise_or_variant_id).name
    return wording.exercise(exercise_or_variant_id).name


class HoldTimeHandler(QuestionHandler):
    """ "How long do I hold", "how long do I hold the bridge": today's hold, at the user's
    level; mid-hold, the closing says how long is left."""

    def say(self, turn: CoachTurn, handler_input: HandlerInput, reply: Reply) -> None:
        fact = hold_time(where_of(turn), named_exercise(handler_input))
        if isinstance(fact, UnknownName):
            _unknown_exercise(turn, reply)
            return
        if isinstance(fact, NotOnAnExercise):
            reply.line("questions.hold_which")
            return
        self.say_holds(turn, fact, reply)

    @staticmethod
    def say_holds(turn: CoachTurn, fact: HoldTimes, reply: Reply) -> None:
        grammar = turn.voice.grammar
        for hold in fact.holds:
            key = "questions.hold_for_each_way" if hold.each_way else "questions.hold_for"
            reply.line(
                key,
                exercise=turn.voice.variant_name(hold.variant_id),
                duration=grammar.duration(hold.seconds),
            )


class RepsLeftHandler(QuestionHandler):
    """ "How many more": reps left in this set or side, then what else this exercise has."""

    def say(self, turn: CoachTurn, handler_input: HandlerInput, reply: Reply) -> None:
        fact = reps_left(where_of(turn))
        if isinstance(fact, NotOnAnExercise):
            _not_on_an_exercise(reply, fact)
            return
        self.say_reps(turn, fact, reply)

    @staticmethod
    def say_reps(turn: CoachTurn, fact: RepsLeft, reply: Reply) -> None:
        number = turn.voice.grammar.number
        block = fact.block
        if fact.holding:
            reply.line(
                "questions.reps_holding", number=number(fact.done + 1), total=number(fact.total)
            )
            after = fact.left - 1
            if after:
                reply.line("questions.reps_more_after", count=number(after))
            else:
                reply.line("questions.reps_last_one")
        elif fact.done:
            reply.line(
                "questions.reps_left",
                done=number(fact.done),
                total=number(fact.total),
                left=number(fact.left),
            )
        else:
            reply.line("questions.reps_all_to_go", total=number(fact.total))
        if block.variant.sets > 1:
            reply.line(
                "questions.set_of",
                number=number(block.set_number),
                sets=number(block.variant.sets),
            )
        other_sides = [b.side for b in fact.later if b.side not in (None, block.side)]
        if other_sides:
            reply.line("questions.other_side_after", side=turn.voice.wording.side(other_sides[0]))
        if fact.later:
            reply.line(
                "questions.in_all",
                count=number(fact.left_in_all),
                exercise=turn.voice.variant_name(block.variant.id),
            )
        if block.variant.sets == 1:
            # "How many sets", "is this the last set": said, not left to be inferred.
            reply.line("questions.one_set")


class WhatsNextHandler(QuestionHandler):
    """ "What's next": the block about to begin and the one after, or "that's the last one"."""

    def say(self, turn: CoachTurn, handler_input: HandlerInput, reply: Reply) -> None:
        fact = whats_next(where_of(turn))
        if isinstance(fact, NotOnAnExercise):
            reply.line("questions.finished").line("questions.nothing_next")
            return
        self.say_coming(turn, fact, reply)

    @staticmethod
    def say_coming(turn: CoachTurn, fact: Coming, reply: Reply) -> None:
        voice = turn.voice
        if fact.current is None and fact.after is not None:
            reply.line("questions.first_up", block=voice.block_name(fact.after))
            return
        if fact.now is not None and fact.now.set_number > 1:
            reply.line("questions.now_set", number=voice.grammar.number(fact.now.set_number))
        elif fact.now is not None:
            reply.line("questions.now_on", block=voice.block_name(fact.now))
        if fact.after is None:
            reply.line("questions.last_of_routine")
            return
        following = _following(turn, fact.current, fact.after)
        key = "questions.after_that" if fact.now is not None else "questions.after_this"
        reply.line(key, next=following)


def _following(turn: CoachTurn, current: Block | None, after: Block) -> str:
    """The next block, said as it relates to the current one: another side, a set, or the
    next exercise."""
    voice = turn.voice
    words = voice.wording
    if current is not None and after.variant == current.variant:
        if after.side is not None and after.side != current.side:
            return words.line("questions.next_side", side=words.side(after.side))
        return words.line("questions.next_set", number=voice.grammar.number(after.set_number))
    return words.line("questions.next_exercise", block=voice.block_name(after))


class WhichSideHandler(QuestionHandler):
    """ "Which side am I on": the side and how to lie for it, or that it works both."""

    def say(self, turn: CoachTurn, handler_input: HandlerInput, reply: Reply) -> None:
        fact = which_side(where_of(turn))
        if isinstance(fact, NotOnAnExercise):
            _not_on_an_exercise(reply, fact)
            return
        self.say_side(turn, fact, reply)

    @staticmethod
    def say_side(turn: CoachTurn, fact: SideNow, reply: Reply) -> None:
        words = turn.voice.wording
        block = fact.block
        if block.side is not None:
            reply.line("questions.side_each", side=words.side(block.side))
            reply.text(words.sided(words.variant(block.variant.id).side_setup, block.side))
        elif block.variant.sides is Sides.ALTERNATING:
            reply.line("questions.side_alternating")
        else:
            reply.line("questions.side_together")


class EquipmentHandler(QuestionHandler):
    """ "What do I need": this or a named exercise's equipment; before or after the routine,
    the whole routine's."""

    def say(self, turn: CoachTurn, handler_input: HandlerInput, reply: Reply) -> None:
        fact = equipment(where_of(turn), named_exercise(handler_input))
        if isinstance(fact, UnknownName):
            _unknown_exercise(turn, reply)
            return
        self.say_needed(turn, fact, reply)

    @staticmethod
    def say_needed(turn: CoachTurn, fact: Needed, reply: Reply) -> None:
        words = turn.voice.wording
        if fact.name_id is None:
            for exercise_id in fact.exercise_ids:
                reply.line(
                    "questions.need_routine_item",
                    exercise=words.exercise(exercise_id).name,
                    equipment=words.exercise(exercise_id).equipment,
                )
            reply.line("questions.need_routine_rest")
            return
        name = _name(turn, fact.name_id)
        needs = words.exercise(fact.exercise_ids[0]).equipment
        if needs:
            reply.line("questions.need_for", exercise=name, equipment=needs)
        else:
            reply.line("questions.need_nothing", exercise=name)


class MissingEquipmentHandler(QuestionHandler):
    """ "I don't have a belt": what can stand in for it, from the article; or that nothing
    can, and how to leave the exercise out."""

    def say(self, turn: CoachTurn, handler_input: HandlerInput, reply: Reply) -> None:
        item = resolved_slot_id(handler_input, "equipment")
        where = where_of(turn)
        if item is None:
            if slot_was_heard(handler_input, "equipment"):
                reply.line("questions.not_needed")
            else:
                fact = equipment(where, None)
                if isinstance(fact, Needed):
                    EquipmentHandler.say_needed(turn, fact, reply)
            return
        self.say_missing(turn, missing_item(where, item), reply)

    @staticmethod
    def say_missing(turn: CoachTurn, fact: Missing, reply: Reply) -> None:
        words = turn.voice.wording
        if not fact.stand_ins:
            reply.line("questions.not_needed")
            return
        for stand_in in fact.stand_ins:
            name = words.exercise(stand_in.exercise_id).name
            if stand_in.alternatives:
                items = [words.line(ITEM_KEYS[item]) for item in stand_in.alternatives]
                either = items[0]
                if len(items) > 1:
                    first = turn.voice.grammar.list_separator.join(items[:-1])
                    either = words.line("questions.either", first=first, last=items[-1])
                reply.line("questions.stand_in", exercise=name, items=either)
            elif stand_in.comfort:
                reply.line("questions.comfort_only", exercise=name)
            else:
                reply.line(
                    "questions.no_stand_in", exercise=name, item=words.line(ITEM_KEYS[fact.item])
                )
                reply.line("questions.skip_now" if stand_in.current else "questions.skip_later")


class RoutineLengthHandler(QuestionHandler):
    """ "How long does the routine take": today's routine, timed as it would be paced."""

    def say(self, turn: CoachTurn, handler_input: HandlerInput, reply: Reply) -> None:
        fact = routine_length(where_of(turn))
        whole = _minutes(turn, fact.whole_seconds)
        reply.line("questions.length_whole", duration=whole)
        if fact.left_seconds is not None:
            left = _minutes(turn, fact.left_seconds)
            if left != whole:
                reply.line("questions.length_left", duration=left)


def _minutes(turn: CoachTurn, seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes < 1:
        return turn.voice.wording.line("questions.under_a_minute")
    return turn.voice.grammar.count(minutes, "minute")


class ExercisesLeftHandler(QuestionHandler):
    """ "Which exercises are left": those not yet finished today."""

    def answer(self, turn: CoachTurn, handler_input: HandlerInput) -> SpeechPlan:
        return carry_on(turn, exercises_left_reply(turn.conversation()))


class ThanksHandler(QuestionHandler):
    """ "Thanks": a short reply, then how to carry on."""

    INTENTS = ("ThanksIntent",)

    def say(self, turn: CoachTurn, handler_input: HandlerInput, reply: Reply) -> None:
        reply.line("questions.thanks")


class TooEasyHandler(QuestionHandler):
    """ "It's too easy": how the routine grows, day by day, up to the article's most."""

    INTENTS = ("TooEasyIntent",)

    def say(self, turn: CoachTurn, handler_input: HandlerInput, reply: Reply) -> None:
        reply.line("questions.too_easy")


class TiredHandler(CoachHandler):
    """ "I'm tired": praise, and the two ways to rest, a pause or stopping for today. The
    place stays as it was; a hold under way keeps running until the user says which."""

    INTENTS = ("TiredIntent",)

    def answer(self, turn: CoachTurn, handler_input: HandlerInput) -> SpeechPlan:
        return turn.voice.reply().line("questions.tired").ask_line("questions.tired_reprompt")


class CanIUseHandler(QuestionHandler):
    """ "Can I use a towel": whether the item does for this exercise (or, before or after
    the routine, for which one); else what this exercise needs."""

    INTENTS = ("CanIUseIntent",)

    def say(self, turn: CoachTurn, handler_input: HandlerInput, reply: Reply) -> None:
        item = resolved_slot_id(handler_input, "equipment")
        where = where_of(turn)
        serves = missing_item(where, item).stand_ins if item is not None else ()
        words = turn.voice.wording
        if any(stand_in.current for stand_in in serves):
            current = next(stand_in for stand_in in serves if stand_in.current)
            reply.line("questions.use_yes", exercise=words.exercise(current.exercise_id).name)
            return
        needed = equipment(where, None)
        if isinstance(needed, Needed) and needed.name_id is not None:
            EquipmentHandler.say_needed(turn, needed, reply)
            return
        if not serves:
            reply.line("questions.not_needed")
            return
        for stand_in in serves:
            reply.line("questions.use_for", exercise=words.exercise(stand_in.exercise_id).name)


class PardonHandler(CoachHandler):
    """ "What did you say", "pardon", "repeat that": the last instruction or question again,
    never paced reps. The question asked before it stays open."""

    KEEPS_QUESTION = True

    def answer(self, turn: CoachTurn, handler_input: HandlerInput) -> SpeechPlan:
        return pardon_answer(turn)
