"""What the skill says outside the paced routine: welcome, overview, help, history, goodbye.

Pure functions of the catalogue, the user's progress and the user's local date, returning
speech plans; the handlers in skill.py only pick which one to call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from si_coach.catalogue import Catalogue, Pace
from si_coach.pacing import Phase
from si_coach.progress import Progress
from si_coach.speech import SpeechBuilder, SpeechPlan, duration_words, number_words

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class QuestionKind(StrEnum):
    """A yes-or-no question the last response asked, so "yes" and "no" can be answered."""

    START_ROUTINE = "start_routine"
    RESUME = "resume"
    GO_AGAIN = "go_again"


@dataclass(frozen=True)
class Conversation:
    catalogue: Catalogue
    progress: Progress
    today: date

    @property
    def phase(self) -> Phase:
        return self.progress.routine.phase

    def variant_name(self, variant_id: str | None) -> str:
        variant = self.catalogue.find_variant(variant_id or "")
        return variant.name if variant else "the routine"

    def when(self, day: date) -> str:
        """A day as a person says it, relative to today."""
        gap = (self.today - day).days
        if gap <= 0:
            return "Earlier today"
        if gap == 1:
            return "Yesterday"
        if gap < 7:
            return f"On {WEEKDAYS[day.weekday()]}"
        return "Last time"


def _names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f", and {names[-1]}"


def launch_greeting(talk: Conversation) -> tuple[SpeechPlan, QuestionKind | None]:
    progress = talk.progress
    speech = SpeechBuilder()
    if progress.is_new_user:
        speech.say(
            "Welcome to S.I. joint coach. I'll talk you through eight gentle exercises.",
            talk.catalogue.safety_reminder,
            "Would you like to start the routine? Or say: what is S.I. joint pain.",
        )
        return (
            speech.build("Say yes to start the routine, or ask: what is S.I. joint pain."),
            QuestionKind.START_ROUTINE,
        )
    speech.say("Welcome back.", talk.catalogue.safety_reminder)
    last = progress.last_active
    if talk.phase is Phase.FINISHED or talk.phase is Phase.NOT_STARTED:
        if last is not None and last.completed:
            done = len(last.completed)
            everything = done == len(talk.catalogue.variants)
            speech.say(
                f"{talk.when(last.day)} you did the whole routine."
                if everything
                else f"{talk.when(last.day)} you did {number_words(done)} "
                f"exercise{'s' if done != 1 else ''}."
            )
        speech.say("Shall we go through the routine again?")
        return speech.build("Say yes to start the routine, or stop."), QuestionKind.GO_AGAIN
    if last is not None and last.completed:
        speech.say(
            f"{talk.when(last.day)} you finished the {talk.variant_name(last.completed[-1])}."
        )
    current = talk.variant_name(progress.routine.variant_id)
    speech.say(f"Pick up with the {current}?")
    return (
        speech.build(f"Say yes to pick up with the {current}, or say start over."),
        QuestionKind.RESUME,
    )


def overview(talk: Conversation) -> tuple[SpeechPlan, QuestionKind | None]:
    speech = SpeechBuilder().say(*talk.catalogue.overview, talk.catalogue.safety_reminder)
    if talk.phase in (Phase.NOT_STARTED, Phase.FINISHED):
        speech.say("Would you like to start the routine?")
        return speech.build("Say yes to start the routine."), QuestionKind.START_ROUTINE
    back = _back_prompt(talk)
    speech.say(back)
    return speech.build(back), None


def list_exercises(talk: Conversation) -> SpeechPlan:
    names = [e.name for e in talk.catalogue.exercises]
    speech = SpeechBuilder().say(
        f"There are {number_words(len(names))} exercises: {_names(names)}.",
        "To hear how one goes, say: how do I do the bridge.",
    )
    back = _back_prompt(talk)
    return speech.say(back).build(back)


def history_answer(talk: Conversation) -> SpeechPlan:
    progress = talk.progress
    speech = SpeechBuilder()
    if progress.active_days == 0 or progress.last_active is None:
        speech.say("You haven't done any exercises with me yet.")
    else:
        for day in progress.recent_days:
            names = [talk.variant_name(v) for v in day.completed]
            if names:
                speech.say(f"{talk.when(day.day)} you did the {_names(names)}.")
            else:
                speech.say(f"{talk.when(day.day)} you started, but didn't finish an exercise.")
        if (talk.today - progress.last_active.day).days <= 1 and progress.streak_days > 1:
            speech.say(f"That's {number_words(progress.streak_days)} days in a row. Keep it up.")
        total = progress.active_days
        speech.say(
            f"You've exercised on {number_words(total)} day{'s' if total != 1 else ''} in all."
        )
        hamstring = talk.catalogue.find_variant("hamstring_wall_stretch")
        if hamstring is not None and progress.levels.get(hamstring.id):
            hold = hamstring.dose(progress.levels[hamstring.id]).hold_seconds
            speech.say(f"Your hamstring stretch hold is up to {duration_words(hold)}.")
    back = _back_prompt(talk)
    return speech.say(back).build(back)


def side_answer(talk: Conversation, carry_on: SpeechPlan | None) -> SpeechPlan:
    side = talk.progress.injured_side
    line = (
        "Okay. Both sides it is."
        if side is None
        else f"Okay. I'll leave out your {side.value} side on one-sided exercises."
    )
    lead = SpeechBuilder().say(line)
    if carry_on is not None:
        return SpeechPlan(
            lead.build(None).segments + carry_on.segments, carry_on.reprompt, carry_on.end_session
        )
    back = _back_prompt(talk)
    return lead.say(back).build(back)


def pace_answer(talk: Conversation) -> SpeechPlan:
    line = {
        Pace.SLOWER: "Okay. I'll give you more rest between reps.",
        Pace.FASTER: "Okay. A little less rest between reps.",
        Pace.NORMAL: "Okay. Back to the usual rest between reps.",
    }[talk.progress.pace]
    back = _back_prompt(talk)
    return SpeechBuilder().say(line, back).build(back)


def help_for(talk: Conversation, lead: str = "") -> SpeechPlan:
    """Help that fits the moment: what can usefully be said right now."""
    speech = SpeechBuilder().say(lead)
    phase = talk.phase
    if phase in (Phase.NOT_STARTED, Phase.FINISHED):
        speech.say(
            "You can say: start my routine. Or: what exercises are there. "
            "Or: how do I do the bridge.",
        )
        reprompt = "Say start my routine, or ask what exercises there are."
    elif phase is Phase.PAUSED:
        speech.say("You're paused. Say resume when you're ready, or stop to finish for today.")
        reprompt = "Say resume, or stop."
    else:
        current = talk.variant_name(talk.progress.routine.variant_id)
        speech.say(
            f"You're on the {current}. Say next to carry on.",
            "You can also say: how do I do this one, skip this one, go slower, or pause.",
            "If anything hurts, say: it hurts.",
        )
        reprompt = "Say next to carry on, or say pause."
    return speech.build(reprompt)


def goodbye(talk: Conversation) -> SpeechPlan:
    speech = SpeechBuilder()
    if talk.phase in (Phase.NOT_STARTED, Phase.FINISHED):
        speech.say("Okay. See you next time.")
    else:
        speech.say("Okay. I've saved your place. See you next time.")
    return speech.build(None, end_session=True)


def _back_prompt(talk: Conversation) -> str:
    phase = talk.phase
    if phase in (Phase.NOT_STARTED, Phase.FINISHED):
        return "Say start my routine when you're ready."
    if phase is Phase.PAUSED:
        return "You're paused. Say resume when you're ready."
    return f"Say next to carry on with the {talk.variant_name(talk.progress.routine.variant_id)}."
