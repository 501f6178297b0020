"""What the skill says outside the paced routine: welcome, overview, help, history, settings.

Pure functions of the user's progress, local date and place in the routine, returning
speech plans through the voice; the handlers only pick which one to call. No words here:
every line is a key of the wording data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from si_coach.dialogue.state import QuestionKind
from si_coach.routine.catalogue import Catalogue, Pace
from si_coach.routine.outcomes import Place, Standing
from si_coach.routine.progress import Progress
from si_coach.voice.speaker import Reply, Voice
from si_coach.voice.speech import SpeechPlan

# The variant whose growing hold is worth telling in the history answer.
LONGEST_HOLD_VARIANT = "hamstring_wall_stretch"


@dataclass(frozen=True)
class Conversation:
    voice: Voice
    catalogue: Catalogue
    progress: Progress
    today: date
    place: Place
    # The local date the routine's place last moved (None: never).
    routine_moved_on: date | None = None

    @property
    def idle(self) -> bool:
        return self.place.standing in (Standing.NOT_STARTED, Standing.FINISHED)

    def when(self, day: date) -> str:
        """A day as a person says it, relative to today."""
        words = self.voice.wording
        gap = (self.today - day).days
        if gap <= 0:
            return words.line("days.today")
        if gap == 1:
            return words.line("days.yesterday")
        if gap < 7:
            return words.line("days.weekday", weekday=words.weekdays[day.weekday()])
        return words.line("days.long_ago")

    def current_name(self) -> str:
        variant_id = self.progress.routine.variant_id
        return self.voice.variant_name(variant_id) if variant_id else ""

    def done_today(self) -> tuple[str, ...]:
        last = self.progress.last_active
        return last.completed if last is not None and last.day == self.today else ()


def launch_greeting(talk: Conversation) -> tuple[SpeechPlan, QuestionKind | None]:
    progress = talk.progress
    grammar = talk.voice.grammar
    reply = talk.voice.reply()
    safety = talk.voice.wording.safety_reminder
    if progress.is_new_user:
        exercises = grammar.number(len(talk.catalogue.exercises))
        reply.line("answers.welcome_new", count=exercises).text(safety)
        reply.line("answers.welcome_new_offer")
        return reply.ask_line("answers.welcome_new_reprompt"), QuestionKind.START_ROUTINE
    reply.line("answers.welcome_back").text(safety)
    last = progress.last_active
    if talk.idle:
        ended_on = talk.routine_moved_on
        if (
            talk.place.standing is Standing.FINISHED
            and ended_on is not None
            and (last is None or last.day != ended_on or not last.completed)
        ):
            # The end was reached by skipping: nothing was finished on the way.
            reply.line("answers.skipped_to_end", when=talk.when(ended_on))
            reply.line("answers.start_from_top")
            return reply.ask_line("answers.go_again_reprompt"), QuestionKind.GO_AGAIN
        if last is not None and last.completed:
            _say_what_was_done(talk, reply, last.day, last.completed)
        reply.line("answers.go_again")
        return reply.ask_line("answers.go_again_reprompt"), QuestionKind.GO_AGAIN
    current = talk.current_name()
    if last is not None and last.completed and progress.routine.variant_id in last.completed:
        # Back on an exercise already finished (after "start over", say): the place is an
        # exercise to do again, not the one after the last finished.
        _say_what_was_done(talk, reply, last.day, last.completed)
        reply.line("answers.pick_up_again", exercise=current)
        return reply.ask_line("answers.pick_up_reprompt", exercise=current), QuestionKind.RESUME
    if last is not None and last.completed:
        reply.line(
            "answers.finished_last",
            when=talk.when(last.day),
            exercise=talk.voice.variant_name(last.completed[-1]),
        )
    reply.line("answers.pick_up", exercise=current)
    return reply.ask_line("answers.pick_up_reprompt", exercise=current), QuestionKind.RESUME


def _say_what_was_done(talk: Conversation, reply: Reply, day: date, done: tuple[str, ...]) -> None:
    """ "Yesterday you did the whole routine." or "Earlier today you did two exercises." """
    when = talk.when(day)
    if len(done) == len(talk.catalogue.variants):
        reply.line("answers.did_whole_routine", when=when)
    else:
        count = talk.voice.grammar.count(len(done), "exercise")
        reply.line("answers.did_some", when=when, count=count)


def overview(talk: Conversation) -> tuple[SpeechPlan, QuestionKind | None]:
    words = talk.voice.wording
    reply = talk.voice.reply().text(*words.overview, words.safety_reminder)
    if talk.idle:
        reply.line("answers.offer_start")
        return reply.ask_line("answers.offer_start_reprompt"), QuestionKind.START_ROUTINE
    back = talk.voice.back(talk.place)
    return reply.text(back).ask(back), None


def list_exercises(talk: Conversation) -> SpeechPlan:
    names = talk.voice.exercise_names()
    grammar = talk.voice.grammar
    back = talk.voice.back(talk.place)
    return (
        talk.voice.reply()
        .line(
            "answers.exercise_count",
            count=grammar.count(len(names), "exercise"),
            exercises=grammar.join(names),
        )
        .line("answers.how_to_example")
        .text(back)
        .ask(back)
    )


def exercises_left_reply(talk: Conversation) -> Reply:
    """What is still to do today, without how to carry on (the caller adds it)."""
    done = set(talk.done_today())
    left = [v.id for v in talk.catalogue.variants if v.id not in done]
    reply = talk.voice.reply()
    if left:
        return reply.line("answers.left_today", exercises=talk.voice.the_exercises(left))
    return reply.line("answers.none_left_today")


def history_answer(talk: Conversation) -> SpeechPlan:
    progress = talk.progress
    grammar = talk.voice.grammar
    reply = talk.voice.reply()
    if progress.active_days == 0 or progress.last_active is None:
        reply.line("answers.nothing_yet")
    else:
        # Newest first, and yesterday always has its say: "what did I do yesterday" is
        # answered even when the answer is nothing.
        yesterday = talk.today - timedelta(days=1)
        said_yesterday = False
        for day in progress.recent_days:
            if not day.completed:
                continue
            if day.day < yesterday and not said_yesterday:
                reply.line("answers.nothing_yesterday")
            said_yesterday = said_yesterday or day.day <= yesterday
            reply.line(
                "answers.did_exercises",
                when=talk.when(day.day),
                exercises=talk.voice.the_exercises(day.completed),
            )
        if not said_yesterday:
            reply.line("answers.nothing_yesterday")
        if (talk.today - progress.last_active.day).days <= 1 and progress.streak_days > 1:
            reply.line("answers.streak", count=grammar.count(progress.streak_days, "day"))
        reply.line("answers.total_days", count=grammar.count(progress.active_days, "day"))
        level = progress.levels.get(LONGEST_HOLD_VARIANT)
        if level:
            hold = talk.catalogue.variant(LONGEST_HOLD_VARIANT).dose(level).hold_seconds
            reply.line("answers.hamstring_hold", duration=grammar.duration(hold))
    back = talk.voice.back(talk.place)
    return reply.text(back).ask(back)


def side_answer(talk: Conversation, carry_on: SpeechPlan | None) -> SpeechPlan:
    side = talk.progress.injured_side
    reply = talk.voice.reply()
    if side is None:
        reply.line("answers.both_sides")
    else:
        reply.line("answers.leave_out_side", side=talk.voice.wording.side(side))
    if carry_on is not None:
        return carry_on.after(reply.lead())
    back = talk.voice.back(talk.place)
    return reply.text(back).ask(back)


def pace_answer(talk: Conversation) -> SpeechPlan:
    key = {
        Pace.SLOWER: "answers.pace_slower",
        Pace.FASTER: "answers.pace_faster",
        Pace.NORMAL: "answers.pace_normal",
    }[talk.progress.pace]
    back = talk.voice.back(talk.place)
    return talk.voice.reply().line(key).text(back).ask(back)


def help_for(talk: Conversation, lead_key: str | None = None) -> SpeechPlan:
    """Help that fits the moment: what can usefully be said right now."""
    reply = talk.voice.reply()
    if lead_key:
        reply.line(lead_key)
    if talk.idle:
        return reply.line("answers.help_idle").ask_line("answers.help_idle_reprompt")
    if talk.place.standing is Standing.PAUSED:
        return reply.line("answers.help_paused").ask_line("answers.help_paused_reprompt")
    reply.line("answers.help_active", exercise=talk.current_name())
    return reply.ask_line("answers.help_active_reprompt")


def prompt(talk: Conversation, key: str, reprompt_key: str) -> SpeechPlan:
    """A one-line question, such as which side is injured."""
    return talk.voice.reply().line(key).ask_line(reprompt_key)
