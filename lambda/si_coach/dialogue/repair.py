"""Repair: when the skill did not understand, when the user did not hear, and yes or no.

- Misses in a row are counted in the session. The fallback answers the first with one line
  and the single most likely thing to say (to the open question, else where the user is),
  the second with the choices, the third by offering help; then round again, so no answer
  is said twice running. Any request understood starts the count again.
- The words of the last response that paced nothing are kept in the session, and "what did
  you say" says them again. Paced reps are never replayed (the user would do them twice):
  after a paced response the user hears where they are and what to say next.
- Yes and no answer the question the last response asked; after an instruction ("say next
  when you're ready") a yes does what it says, and a no leaves the user where they are.
  Each kind of question has one entry in `QUESTIONS`: its hint, its choices, and what yes
  and no do; no handler order decides it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from si_coach.dialogue.conversation import help_for
from si_coach.dialogue.privacy import forget_answered
from si_coach.dialogue.state import SESSION_LAST_SAID, SESSION_MISSES, QuestionKind
from si_coach.dialogue.turn import CoachTurn, progress_store_of
from si_coach.routine.outcomes import BlockAnnounced, ChunkEnded, Lead, UpNext
from si_coach.routine.pacing import Event, EventKind, Phase
from si_coach.voice.speaker import Reply
from si_coach.voice.speech import Cue, SpeechPlan

if TYPE_CHECKING:
    from si_coach.dialogue.reminder import ReminderReply

# How many kinds of fallback answer there are: a hint, the choices, an offer of help.
FALLBACK_ANSWERS = 3

# The single most likely thing to say where the user is, when no question is open.
_PHASE_HINTS = {
    Phase.NOT_STARTED: "repair.hint_start",
    Phase.UP_NEXT: "repair.hint_next_ready",
    Phase.READY: "repair.hint_next_ready",
    Phase.IN_SET: "repair.hint_next",
    Phase.HOLDING: "repair.hint_holding",
    Phase.PAUSED: "repair.hint_resume",
    Phase.FINISHED: "repair.hint_finished",
}
# The choices where the user is, said on a second miss when no question is open.
_PHASE_OPTIONS = {
    Phase.NOT_STARTED: "repair.options_idle",
    Phase.UP_NEXT: "repair.options_active",
    Phase.READY: "repair.options_active",
    Phase.IN_SET: "repair.options_active",
    Phase.HOLDING: "repair.options_holding",
    Phase.PAUSED: "repair.options_paused",
    Phase.FINISHED: "repair.options_finished",
}

# -- bookkeeping after every answer ---------------------------------------------------------


def after_answer(turn: CoachTurn, plan: SpeechPlan, *, keeps_question: bool, missed: bool) -> None:
    """Settle the session after an answer: misses counted or reset, a question left open or
    dropped, and the words kept for "what did you say"."""
    if not missed:
        turn.session.pop(SESSION_MISSES, None)
    if not keeps_question and not turn.question_asked:
        # Anything else said after a question answers it (or leaves it): it is no longer open.
        turn.ask_question(None)
    remember_said(turn, plan)


def remember_said(turn: CoachTurn, plan: SpeechPlan) -> None:
    if plan.end_session:
        return
    if plan.timeline:
        # A paced response is restated from the place, never replayed.
        turn.session.pop(SESSION_LAST_SAID, None)
        return
    words = [s.text for s in plan.segments if isinstance(s, Cue)]
    turn.session[SESSION_LAST_SAID] = {"words": words, "reprompt": plan.reprompt}


# -- how to carry on ------------------------------------------------------------------------


def carry_on(turn: CoachTurn, reply: Reply) -> SpeechPlan:
    """Close an answer with how to carry on; mid-hold, with how long the hold has to go (as
    it will be when the answer ends), which keeps running."""
    state = turn.progress.routine
    if state.phase is Phase.HOLDING and state.hold_ends_at is not None:
        left = round(state.hold_ends_at - turn.now.timestamp() - reply.speech.elapsed)
        if left <= 0:
            return reply.line("repair.time_up").ask_line("routine.say_next")
        duration = turn.voice.grammar.duration(left)
        reply.line("repair.still_holding", duration=duration).line("routine.say_next")
        return reply.ask_line("routine.keep_holding_reprompt")
    back = turn.voice.back(turn.conversation().place)
    return reply.text(back).ask(back)


def restatement(turn: CoachTurn) -> SpeechPlan:
    """Where the user is and what to say next, from the place alone (nothing is paced)."""
    engine, voice = turn.engine, turn.voice
    coaching = turn.progress.coaching()
    state = engine.normalise(turn.progress.routine, coaching)
    if state.phase is Phase.HOLDING:
        return carry_on(turn, voice.reply())
    if state.phase in (Phase.UP_NEXT, Phase.READY, Phase.IN_SET):
        block = engine.current_block(state, coaching)
        dose = engine.dose(block.variant, coaching)
        if state.phase is Phase.UP_NEXT:
            return voice.render([UpNext(block)])
        if state.phase is Phase.IN_SET and 0 < state.reps_done < dose.reps:
            return voice.render([ChunkEnded(block, state.reps_done, dose.reps)])
        one_side = engine.one_side_only(block, coaching)
        return voice.render([BlockAnnounced(block, dose, Lead.YOU_ARE_ON, True, one_side)])
    if state.phase is Phase.FINISHED:
        line = voice.wording.line("routine.finished_go_again")
        return voice.reply().text(line).ask(line)
    return carry_on(turn, voice.reply())


# -- "what did you say" ---------------------------------------------------------------------


def pardon_answer(turn: CoachTurn) -> SpeechPlan:
    """The last instruction or question again; after paced reps, where the user is."""
    said = turn.session.get(SESSION_LAST_SAID)
    if isinstance(said, dict):
        words = said.get("words")
        reprompt = said.get("reprompt")
        if (
            isinstance(words, list)
            and words
            and all(isinstance(w, str) for w in words)
            and isinstance(reprompt, str | None)
        ):
            return turn.voice.reply().text(*words).ask(reprompt or words[-1])
    return restatement(turn)


# -- misses ---------------------------------------------------------------------------------


def fallback_answer(turn: CoachTurn) -> SpeechPlan:
    """A miss: short, and more helpful with each miss in a row; the third offers help."""
    misses = _whole(turn.session.get(SESSION_MISSES)) + 1
    turn.session[SESSION_MISSES] = misses
    kind = (misses - 1) % FALLBACK_ANSWERS
    question = turn.pending_question()
    phase = turn.engine.normalise(turn.progress.routine, turn.progress.coaching()).phase
    # An open question keeps its own hint and choices: the miss was an answer to it.
    hint = QUESTIONS[question].hint if question else _PHASE_HINTS[phase]
    reply = turn.voice.reply()
    if kind == 0:
        return reply.line("answers.not_caught").line(hint).ask_line(hint)
    if kind == 1:
        choices = QUESTIONS[question].choices if question else _PHASE_OPTIONS[phase]
        return reply.line("repair.missed_again").line(choices).ask_line(hint)
    turn.ask_question(QuestionKind.OFFER_HELP)
    return reply.line("repair.offer_help").ask_line("repair.offer_help_reprompt")


def _whole(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


# -- yes and no -----------------------------------------------------------------------------


def yes_no_answer(turn: CoachTurn, yes: bool) -> SpeechPlan | ReminderReply:
    """Yes or no: the open question's answer, or the last instruction's when none is open.
    The reminder dialogue answers with its permission question or card (a ReminderReply)."""
    question = turn.pending_question()
    if question is None:
        return _instruction_answered(turn, yes)
    return QUESTIONS[question].answer(turn, yes)


def _instruction_answered(turn: CoachTurn, yes: bool) -> SpeechPlan:
    """After an instruction ("say next when you're ready") a yes does what it says, and a
    no leaves the user where they are."""
    voice = turn.voice
    phase = turn.engine.normalise(turn.progress.routine, turn.progress.coaching()).phase
    if phase is Phase.PAUSED:
        # "Okay" to "say resume when you're ready" is not "resume": a pause ends on its word.
        return carry_on(turn, voice.reply().line("answers.okay"))
    if yes:
        return turn.run(Event(EventKind.NEXT if phase.active else EventKind.START))
    if phase is Phase.FINISHED:
        return turn.run(Event(EventKind.STOP))
    if phase.active:
        return carry_on(turn, voice.reply().line("repair.no_rush"))
    return carry_on(turn, voice.reply().line("answers.okay"))


def _start_routine(turn: CoachTurn, yes: bool) -> SpeechPlan:
    if yes:
        return turn.run(Event(EventKind.START))
    turn.ask_question(None)
    return help_for(turn.conversation(), lead_key="answers.okay")


def _resume(turn: CoachTurn, yes: bool) -> SpeechPlan:
    # "Maybe later" to "pick up with ...?" is a no to going on now: stop, the place kept.
    return turn.run(Event(EventKind.RESUME if yes else EventKind.STOP))


def _go_again(turn: CoachTurn, yes: bool) -> SpeechPlan:
    return turn.run(Event(EventKind.START_OVER if yes else EventKind.STOP))


def _offer_help(turn: CoachTurn, yes: bool) -> SpeechPlan:
    if yes:
        return help_for(turn.conversation())
    return carry_on(turn, turn.voice.reply().line("answers.okay"))


def _choice(kind: QuestionKind, line: str, no_line: str) -> Callable[[CoachTurn, bool], SpeechPlan]:
    """A question that wants a choice: yes asks it again (`line`, then its hint), no leaves
    things as they are (`no_line`, then how to carry on)."""

    def answer(turn: CoachTurn, yes: bool) -> SpeechPlan:
        if yes:
            turn.ask_question(kind)
            return turn.voice.reply().line(line).ask_line(QUESTIONS[kind].hint)
        return carry_on(turn, turn.voice.reply().line(no_line))

    return answer


def _reminder(kind: QuestionKind) -> Callable[[CoachTurn, bool], ReminderReply]:
    """A question of the reminder dialogue, loaded when such a question is answered."""

    def answer(turn: CoachTurn, yes: bool) -> ReminderReply:
        from si_coach.dialogue.reminder import ReminderDialogue  # noqa: PLC0415

        return ReminderDialogue(turn, turn.handler_input).answer(kind, yes)

    return answer


def _forget_data(turn: CoachTurn, yes: bool) -> SpeechPlan:
    store = progress_store_of(turn.handler_input)
    return forget_answered(turn, store, turn.handler_input.request_envelope, yes)


@dataclass(frozen=True)
class Question:
    """One kind of open question: the wording keys of its hint (said on a first miss, and
    the reprompt of the second) and of its choices (said on a second miss), and what a yes
    (True) or a no (False) to it does."""

    hint: str
    choices: str
    answer: Callable[[CoachTurn, bool], SpeechPlan | ReminderReply]


_Q = QuestionKind
# Every kind of question, one entry each (tests/skill/test_repair.py checks none lacks one).
QUESTIONS: dict[QuestionKind, Question] = {
    _Q.START_ROUTINE: Question("repair.hint_yes_start", "repair.options_yes_start", _start_routine),
    _Q.RESUME: Question("repair.hint_yes_resume", "repair.options_yes_resume", _resume),
    _Q.GO_AGAIN: Question("repair.hint_yes_go_again", "repair.options_yes_go_again", _go_again),
    _Q.CHOOSE_EXERCISE: Question(
        "repair.hint_name_exercise",
        "repair.options_exercise",
        _choice(_Q.CHOOSE_EXERCISE, "repair.which_one", "answers.okay"),
    ),
    _Q.INJURED_SIDE: Question(
        "repair.hint_side",
        "repair.options_side",
        _choice(_Q.INJURED_SIDE, "answers.which_side_injured", "repair.left_as_is"),
    ),
    _Q.PACE: Question(
        "repair.hint_pace",
        "repair.options_pace",
        _choice(_Q.PACE, "answers.which_pace", "repair.left_as_is"),
    ),
    _Q.OFFER_HELP: Question("repair.hint_yes_help", "repair.options_yes_help", _offer_help),
    _Q.OFFER_REMINDER: Question(
        "repair.hint_yes_reminder", "repair.options_yes_reminder", _reminder(_Q.OFFER_REMINDER)
    ),
    _Q.REMINDER_TIME: Question(
        "repair.hint_reminder_time", "repair.options_reminder_time", _reminder(_Q.REMINDER_TIME)
    ),
    _Q.CONFIRM_REMINDER: Question(
        "repair.hint_yes_set_reminder",
        "repair.options_yes_set_reminder",
        _reminder(_Q.CONFIRM_REMINDER),
    ),
    _Q.STOP_REMINDER: Question(
        "repair.hint_yes_stop_reminder",
        "repair.options_yes_stop_reminder",
        _reminder(_Q.STOP_REMINDER),
    ),
    _Q.FORGET_DATA: Question("repair.hint_yes_forget", "repair.options_yes_forget", _forget_data),
}
