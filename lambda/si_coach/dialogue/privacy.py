"""The user's data, handled the way a careful clinic would: what is kept, said plainly;
deleted on request (after a yes) or when the skill is disabled.

The progress record is the only thing the skill keeps about a user (see
docs/storage-and-privacy.md). Deleting it goes through the storage port; the session then
carries on from a fresh record, and nothing of the old one is written back, by this
session or any other (progress_store.py leaves a deletion marker that every older copy's
write runs into). Every word is a key of the wording data ([privacy]).
"""

from __future__ import annotations

import logging

from ask_sdk_model import RequestEnvelope

from si_coach.alexa.events import skill_disabled
from si_coach.dialogue.state import QuestionKind
from si_coach.dialogue.turn import CoachTurn
from si_coach.routine.progress import Progress
from si_coach.storage.progress_store import ProgressStore
from si_coach.voice.speech import SpeechPlan

log = logging.getLogger(__name__)


def what_is_kept(turn: CoachTurn) -> SpeechPlan:
    """A short, honest answer to "what do you keep about me"."""
    back = turn.voice.back(turn.conversation().place)
    return turn.voice.reply().line("privacy.what_i_keep").text(back).ask(back)


def ask_to_forget(turn: CoachTurn) -> SpeechPlan:
    """Asked to "delete my data": nothing is deleted before a yes."""
    turn.ask_question(QuestionKind.FORGET_DATA)
    return (
        turn.voice.reply()
        .line("privacy.forget_confirm")
        .ask_line("privacy.forget_confirm_reprompt")
    )


def forget_answered(
    turn: CoachTurn, store: ProgressStore | None, envelope: RequestEnvelope, yes: bool
) -> SpeechPlan:
    """The yes or no to "Shall I delete them?"."""
    turn.ask_question(None)
    reply = turn.voice.reply()
    marker = None if not yes or store is None else store.delete(envelope)
    if not yes:
        reply.line("privacy.forget_kept")
    elif store is not None and marker is None:
        reply.line("privacy.forget_failed")
    else:
        had_reminder = turn.progress.reminder_token is not None
        # What the store holds now is the deletion marker: the session carries on from it,
        # and its old copy is never saved back.
        turn.forget(marker or Progress())
        if turn.person_id is not None:
            reply.named_line("privacy.forgotten_person", turn.person_id)
        else:
            reply.line("privacy.forgotten")
        if had_reminder:
            reply.line("privacy.reminder_stays")
    back = turn.voice.back(turn.conversation().place)
    return reply.text(back).ask(back)


def forget_disabled_user(store: ProgressStore | None, envelope: RequestEnvelope) -> None:
    """AlexaSkillEvent.SkillDisabled: every record of the account is deleted (its own and each
    recognised person's), whether or not Alexa keeps the user id for a later re-enable (a
    re-enabled skill starts afresh)."""
    event = skill_disabled(envelope)
    if event is None or store is None:
        return
    if store.delete_account(envelope):
        log.info(
            "skill disabled: every record of the account is deleted (id kept: %s)",
            event.user_id_kept,
        )
    else:
        # The records expire by themselves after 400 days unused (the table's time to live).
        log.error("skill disabled: a record of the account could not be deleted")
