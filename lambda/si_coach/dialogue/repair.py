"""Repair: when the skill did not understand, when the user did not hear, and yes or no.

- Misses in a row are counted in the session. The fallback answers the first with one line
  and the single most likely thing to say where the user is, the second with the choices,
  the third by offering help; then round again, so no answer is said twice running. Any
  request understood starts the count again.
- The words of the last response that paced nothing are kept in the session, and "what did
  you say" says them again. Paced reps are never replayed (the user would do them twice):
  after a paced response the user hears where they are and what to say next.
- Yes and no answer the question the last response asked; after an instruction ("say next
  when you're ready") a yes does what it says, and a no leaves the user where they are.
"""

from __future__ import annotations

from si_coach.dialogue.conversation import QuestionKind, help_for
from si_coach.dialogue.turn import CoachTurn
from si_coach.routine.outcomes import BlockAnnounced, ChunkEnded, Lead, UpNext
from si_coach.routine.pacing import Event, EventKind, Phase
from si_coach.voice.speaker import Reply
from si_coach.voice.speech import Cue, SpeechPlan

SESSION_MISSES = "misses"
SESSION_LAST_SAID = "last_said"
# How many kinds of fallback answer there are: a hint, the choices, an offer of help.
FALLBACK_ANSWERS = 3

# The single most likely thing to say, for a pending question or where the user is.
_QUESTION_HINTS = {
    QuestionKind.START_ROUTINE: "repair.hint_yes_start",
    QuestionKind.RESUME: "repair.hint_yes_resume",
    QuestionKind.GO_AGAIN: "repair.hint_yes_go_again",
    QuestionKind.OFFER_HELP: "repair.hint_yes_help",
    QuestionKind.CHOOSE_EXERCISE: "repair.hint_name_exercise",
    QuestionKind.INJURED_SIDE: "repair.hint_side",
    QuestionKind.PACE: "repair.hint_pace",
}
_PHASE_HINTS = {
    Phase.NOT_STARTED: "repair.hint_start",
    Phase.UP_NEXT: "repair.hint_next_ready",
    Phase.READY: "repair.hint_next_ready",
    Phase.IN_SET: "repair.hint_next",
    Phase.HOLDING: "repair.hint_holding",
    Phase.PAUSED: "repair.hint_resume",
    Phase.FINISHED: "repair.hint_finished",
}
# The choices, said on a second miss.
_QUESTION_OPTIONS = {
    QuestionKind.START_ROUTINE: "repair.options_yes_start",
    QuestionKind.RESUME: "repair.options_yes_resume",
    QuestionKind.GO_AGAIN: "repair.options_yes_go_again",
    QuestionKind.OFFER_HELP: "repair.options_yes_help",
    QuestionKind.CHOOSE_EXERCISE: "repair.options_exercise",
    QuestionKind.INJURED_SIDE: "repair.options_side",
    QuestionKind.PACE: "repair.options_pace",
}
_PHASE_OPTIONS = {
    Phase.NOT_STARTED: "repair.options_idle",
    Phase.UP_NEXT: "repair.options_active",
    Phase.READY: "repair.options_active",
    Phase.IN_SET: "repair.options_active",
    Phase.HOLDING: "repair.options_holding",
    Phase.PAUSED: "repair.options_paused",
    Phase.FINISHED: "repair.options_finished",
}
# Questions whose yes-or-no answer repair.yes_no_answer gives (the handlers answer the rest).
CHOICE_QUESTIONS = frozenset(
    {
        QuestionKind.CHOOSE_EXERCISE,
        QuestionKind.INJURED_SIDE,
        QuestionKind.PACE,
        QuestionKind.OFFER_HELP,
    }
)
_REASK = {
    QuestionKind.CHOOSE_EXERCISE: ("repair.which_one", "repair.hint_name_exercise"),
    QuestionKind.INJURED_SIDE: ("answers.which_side_injured", "repair.hint_side"),
    QuestionKind.PACE: ("answers.which_pace", "repair.hint_pace"),
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
    hint = _QUESTION_HINTS.get(question) if question else None
    hint = hint or _PHASE_HINTS[phase]
    reply = turn.voice.reply()
    if kind == 0:
        return reply.line("answers.not_caught").line(hint).ask_line(hint)
    if kind == 1:
        options = _QUESTION_OPTIONS.get(question) if question else None
        options = options or _PHASE_OPTIONS[phase]
        return reply.line("repair.missed_again").line(options).ask_line(hint)
    turn.ask_question(QuestionKind.OFFER_HELP)
    return reply.line("repair.offer_help").ask_line("repair.offer_help_reprompt")


def _whole(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


# -- yes and no -----------------------------------------------------------------------------


def yes_no_answer(turn: CoachTurn, question: QuestionKind | None, yes: bool) -> SpeechPlan:
    """Yes or no to a choice question, or to the last instruction when nothing was asked."""
    voice = turn.voice
    if question is QuestionKind.OFFER_HELP:
        if yes:
            return help_for(turn.conversation())
        return carry_on(turn, voice.reply().line("answers.okay"))
    if question in _REASK:
        if yes:
            line, reprompt = _REASK[question]
            turn.ask_question(question)
            return voice.reply().line(line).ask_line(reprompt)
        no_key = "answers.okay" if question is QuestionKind.CHOOSE_EXERCISE else "repair.left_as_is"
        return carry_on(turn, voice.reply().line(no_key))
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
