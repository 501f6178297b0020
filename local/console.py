"""`make run`: go through the routine in a terminal, typing what you would say to Alexa.

Each line is resolved against the skill's interaction model (local.utterances), wrapped in
a request envelope by the project's one builder (local.envelopes), threaded the way a device
threads it (session attributes carried from the previous response, a new session after one
ends) and answered by the Lambda's own ``lambda_handler``.
The answer's SSML is shown as text, with its pauses played out in real time, and spoken
through espeak-ng with --voice. Progress is saved by the skill itself, in the embedded store
(or the DynamoDB table named by TABLE_NAME), so the next run picks up where this one ended.
With --screen the device says it has a screen (APL), and beside the speech the console shows
what the screen would: the whole screen as text, then each change as the countdown ticks,
at its time in the speech.

    PYTHONPATH=lambda:. python -m local.console [--fast] [--voice] [--screen] [--user ID]
        [--data-dir DIR] [--strict] [--locale LOCALE]

With --locale the device speaks another of the skill's locales (es-ES, es-MX, es-US, de-DE,
or an English one): requests carry it, lines are resolved by that locale's model, and
espeak-ng speaks with the language's voice, at the language's pace.

Lines are understood as Alexa's statistical NLU would (a classifier trained on the model's
samples); --strict understands only the samples as written, and shows the nearest samples
to a line that matches none.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import html
import io
import logging
import math
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any, Protocol, TextIO
from xml.sax.saxutils import escape

from local.alexa_stand_in import local_alexa_apis
from local.envelopes import SCREEN_INTERFACES, AlexaDevice
from local.terminal import ctrl_c_for_this_process
from local.utterances import (
    FALLBACK_INTENT,
    MODELS_DIR,
    InteractionModel,
    Resolution,
    model_file_of,
)
from si_coach.screen import PreviewFrame, preview_frames
from si_coach.voice.speaker import cue_seconds
from si_coach.voice.speech import WORDS_PER_SECOND

LOCAL_SKILL_ID = "amzn1.ask.skill.00000000-0000-4000-8000-00000000c0de"
LOCAL_DEVICE_ID = "amzn1.ask.device.local-console"
LOCALE = "en-US"
# The console's own words for leaving. Everything else, "bye" and "goodbye" included, is said
# to the skill, as it would be to a device.
LEAVE_COMMANDS = frozenset({"exit", "quit", "/exit", "/quit", ":q"})
# `/wait 14`: with --fast, the next line barges in 14 s into the last answer.
WAIT_COMMAND = "/wait"
# Pauses shorter than this stay on the speech line as "..."; longer ones get a countdown.
COUNTDOWN_FROM_SECONDS = 1.5
# espeak-ng's rate in words a minute, the same pace the skill plans with.
ESPEAK_WORDS_PER_MINUTE = round(WORDS_PER_SECOND * 60)

SkillHandler = Callable[[dict, Any], dict]

log = logging.getLogger(__name__)


# -- speech ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Words:
    text: str


@dataclass(frozen=True)
class Pause:
    seconds: float


SpeechPart = Words | Pause

_SSML_TOKEN = re.compile(r"<[^>]*>|[^<]+")
_BREAK_TIME = re.compile(r"""time\s*=\s*["']\s*([\d.]+)\s*(ms|s)\s*["']""")
_PERSON_NAME = re.compile(r"""<alexa:name\b[^>]*\bpersonId\s*=\s*["']([^"']*)["'][^>]*>""")


def speech_parts(ssml: str, names: Mapping[str, str] | None = None) -> list[SpeechPart]:
    """The words and pauses of an SSML string, in order; other tags are dropped. A person's
    name, which Alexa would say from <alexa:name>, is taken from `names` (person id -> name)."""
    if names:
        ssml = _PERSON_NAME.sub(lambda tag: escape(names.get(tag.group(1), "")), ssml)
    parts: list[SpeechPart] = []
    for token in _SSML_TOKEN.findall(ssml):
        if token.startswith("<"):
            found = _BREAK_TIME.search(token) if token[1:].lstrip().startswith("break") else None
            if found:
                amount = float(found.group(1))
                parts.append(Pause(amount / 1000 if found.group(2) == "ms" else amount))
            continue
        text = " ".join(html.unescape(token).split())
        if text:
            parts.append(Words(text))
    return parts


def planned_seconds(parts: Sequence[SpeechPart], locale: str | None = None) -> float:
    """How long the speech takes by the skill's own model (si_coach.voice.speech)."""
    return sum(p.seconds if isinstance(p, Pause) else cue_seconds(p.text, locale) for p in parts)


def response_ssml(response: dict) -> str:
    speech = (response.get("response") or {}).get("outputSpeech") or {}
    if speech.get("type") == "PlainText":
        return f"<speak>{escape(speech.get('text') or '')}</speak>"
    return speech.get("ssml") or ""


def response_text(response: dict) -> str:
    """The words of a response's speech, for logs and tests."""
    return " ".join(p.text for p in speech_parts(response_ssml(response)) if isinstance(p, Words))


# -- time ------------------------------------------------------------------------------------


class SkillClock(Protocol):
    """The time requests are stamped with."""

    def now(self) -> datetime: ...

    def spoke(self, seconds: float) -> None:
        """A response was played; it took ``seconds`` by the skill's timing model."""


class WallClock:
    """The real time: right whenever the console really waits through the speech."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def spoke(self, seconds: float) -> None:
        pass


@dataclass
class SimulatedClock:
    """For --fast: time moves on by each response's planned length, not by waiting.

    A hold that spans two responses ("say next when you let go") then ends when the skill
    expects it to, although the console played it in no time.
    """

    current: datetime = field(default_factory=lambda: datetime.now(UTC))

    def now(self) -> datetime:
        return self.current

    def spoke(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)

    def barge_in(self, sent_at: datetime, seconds: float) -> None:
        """The next words come `seconds` after the request sent at `sent_at`."""
        self.current = sent_at + timedelta(seconds=seconds)


# -- output ----------------------------------------------------------------------------------


# What espeak-ng prints, while still exiting 0, when it has no sound device to play on.
_NO_SOUND_DEVICE = re.compile(
    r"Unknown PCM \w+|audio open error|cannot find card|Connection refused|No such device", re.I
)
# A silence short enough to pass unnoticed: enough to open the sound device.
_PROBE_SSML = '<speak><break time="10ms"/></speak>'


class Voice:
    """Speaks cues through espeak-ng, if it is installed and can play sound.

    espeak-ng without a sound device exits 0 and only complains on stderr ("Unknown PCM
    default"), returning at once: nothing is heard and the speech would take no time. So the
    device is tried once at the start, and every answer's stderr is read: where it cannot play,
    the console says so once and shows the words as text, in real time.
    """

    def __init__(self, out: TextIO, executable: str | None, language: str = "en") -> None:
        self.out = out
        self.executable = executable
        # espeak-ng's voice of the language ("es", "de"); English keeps espeak-ng's default.
        self.language = language

    @classmethod
    def find(cls, out: TextIO, language: str = "en") -> Voice:
        executable = shutil.which("espeak-ng")
        if executable is None:
            out.write(
                "--voice: espeak-ng is not installed, so speech is shown as text only.\n"
                "         (Debian/Ubuntu: sudo apt-get install espeak-ng; macOS: brew install"
                " espeak-ng)\n"
            )
        voice = cls(out, executable, language)
        voice._run(_PROBE_SSML)
        return voice

    @property
    def available(self) -> bool:
        return self.executable is not None

    def speak(self, text: str) -> bool:
        """Say `text` aloud; False when it could not be heard (the voice then gives up)."""
        return self._run(f"<speak>{escape(text)}</speak>")

    def _run(self, ssml: str) -> bool:
        if self.executable is None:
            return False
        language = [] if self.language == "en" else ["-v", self.language]
        command = [self.executable, *language, "-m", "-s", str(ESPEAK_WORDS_PER_MINUTE), ssml]
        try:
            result = subprocess.run(
                command, check=False, capture_output=True, text=True, timeout=120
            )
        except (OSError, subprocess.SubprocessError) as error:
            self._give_up(f"espeak-ng failed ({str(error)[:200]})")
            return False
        if result.returncode != 0:
            reason = result.stderr.strip() or f"exit status {result.returncode}"
            self._give_up(f"espeak-ng failed ({reason[:200]})")
            return False
        complaints = _NO_SOUND_DEVICE.findall(result.stderr)
        if complaints:
            # The most telling complaint: "Unknown PCM default" comes last from ALSA.
            self._give_up(f"espeak-ng cannot play sound here ({complaints[-1]}: no sound device?)")
            return False
        return True

    def _give_up(self, reason: str) -> None:
        self.out.write(f"\n--voice: {reason}; text only from now on, paced in real time.\n")
        self.out.flush()
        self.executable = None


@dataclass
class SpeechPlayer:
    """Shows a response's words in order and waits through its pauses.

    Waiting goes through ``sleep`` and ``monotonic`` so it can be observed; with ``fast``
    nothing waits. Without a voice, words take the time the skill plans for them, so a
    counted five-second hold takes five seconds.
    """

    out: TextIO
    fast: bool = False
    voice: Voice | None = None
    interactive: bool = False
    # The device's locale: its language's pace times the words.
    locale: str = LOCALE
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic

    def play(self, parts: Sequence[SpeechPart], beside: Sequence[TimedLine] = ()) -> None:
        """Play the speech; each of `beside` is shown when the speech reaches its time."""
        on_speech_line = False
        elapsed = 0.0
        pending = deque(sorted(beside, key=lambda line: line.at))

        def show_until(moment: float) -> None:
            nonlocal on_speech_line
            while pending and pending[0].at <= moment + 1e-6:
                if on_speech_line:
                    self._write("\n")
                    on_speech_line = False
                self._write(pending.popleft().text + "\n")

        for part in parts:
            show_until(elapsed)
            if isinstance(part, Pause) and pending and pending[0].at < elapsed + part.seconds:
                # Something changes beside the speech during this pause: wait up to each change.
                end = elapsed + part.seconds
                while pending and pending[0].at < end:
                    self.wait(pending[0].at - elapsed)
                    elapsed = pending[0].at
                    show_until(elapsed)
                self.wait(end - elapsed)
                elapsed = end
                continue
            elapsed += (
                part.seconds if isinstance(part, Pause) else cue_seconds(part.text, self.locale)
            )
            if isinstance(part, Pause):
                if part.seconds < COUNTDOWN_FROM_SECONDS:
                    if on_speech_line:
                        self._write(" ...")
                    self.wait(part.seconds)
                    continue
                if on_speech_line:
                    self._write("\n")
                    on_speech_line = False
                self.count_down(part.seconds)
                continue
            self._write(" " if on_speech_line else "coach: ")
            on_speech_line = True
            self.say(part.text)
        if pending:
            # What the screen does after the speech (the closing instruction) comes soon after.
            self.wait(pending[-1].at - elapsed)
            show_until(pending[-1].at)
        if on_speech_line:
            self._write("\n")

    def say(self, text: str) -> None:
        if self.voice is not None and self.voice.available:
            self._write(text)
            started = self.monotonic()
            if self.voice.speak(text):
                return
            # Not heard: the words still take their planned time, so the pacing stays real.
            self.wait(cue_seconds(text, self.locale) - (self.monotonic() - started))
            return
        words = text.split()
        for index, word in enumerate(words):
            self._write(f" {word}" if index else word)
            self.wait(cue_seconds(text, self.locale) / len(words))

    def count_down(self, seconds: float) -> None:
        label = f"       ({_seconds_label(seconds)} pause)"
        if self.fast or not self.interactive:
            self._write(label + "\n")
            self.wait(seconds)
            return
        for left in self._waiting(seconds):
            self._write(f"\r{label}  {math.ceil(left)} s left ")
        self._write(f"\r{label}{' ' * 12}\n")

    def wait(self, seconds: float) -> None:
        for _ in self._waiting(seconds):
            pass

    def _waiting(self, seconds: float) -> Iterator[float]:
        """Sleeps until ``seconds`` have passed, yielding the time left before each nap."""
        if self.fast or seconds <= 0:
            return
        end = self.monotonic() + seconds
        while (left := end - self.monotonic()) > 0:
            yield left
            # Naps end on whole seconds left, so a countdown shows each second once.
            nap = left - math.floor(left - 1e-9) if left > 1 else left
            self.sleep(nap)

    def _write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()


def _seconds_label(seconds: float) -> str:
    return f"{seconds:g} s" if seconds == round(seconds, 1) else f"{seconds:.1f} s"


# -- the screen ------------------------------------------------------------------------------

SCREEN_MARGIN = "  screen | "


@dataclass(frozen=True)
class TimedLine:
    """A line shown beside the speech once it has played for `at` seconds."""

    at: float
    text: str


def screen_box(frame: PreviewFrame) -> str:
    """The whole screen as the response starts, as a box of text."""
    rule = "  screen +" + "-" * 60 + "\n"
    return rule + "".join(f"{SCREEN_MARGIN}{line}\n" for line in frame.lines) + rule


def screen_changes(frames: Sequence[PreviewFrame]) -> list[TimedLine]:
    """Each later frame as the lines it changed (the counters, the countdown), at its time."""
    changes = []
    for earlier, later in pairwise(frames):
        changed = [line for line in later.lines if line not in earlier.lines]
        if changed:
            text = f"{SCREEN_MARGIN}{later.at:5.1f} s  " + "  ".join(changed)
            changes.append(TimedLine(later.at, text))
    return changes


# -- the device ------------------------------------------------------------------------------


@dataclass
class DeviceSession:
    """Wraps requests in envelopes as a device does, threading the session between turns."""

    skill_handler: SkillHandler
    clock: SkillClock
    user_id: str
    device_id: str = LOCAL_DEVICE_ID
    skill_id: str = LOCAL_SKILL_ID
    session_id: str | None = None
    attributes: dict = field(default_factory=dict)
    # The timestamp of the last request sent, from which a barge-in is timed.
    last_sent: datetime | None = None
    # The device's supportedInterfaces: SCREEN_INTERFACES for a device with a screen.
    supported_interfaces: dict = field(default_factory=dict)
    # Where the skill reaches Alexa's APIs (the local stand-in); None: nowhere.
    api_endpoint: str | None = None
    # Permissions the user has answered, scope -> "GRANTED" or "DENIED", as Alexa reports them.
    permission_scopes: dict[str, str] = field(default_factory=dict)
    # The AskFor the last response handed to Alexa: the next line answers it.
    permission_asked: dict | None = None
    locale: str = LOCALE
    # The speaker Alexa recognises by voice (--person), by name; None: no one is recognised.
    person: str | None = None

    @property
    def person_id(self) -> str | None:
        if self.person is None:
            return None
        return f"amzn1.ask.person.local-{re.sub(r'[^A-Za-z0-9_-]', '_', self.person)}"

    @property
    def names(self) -> dict[str, str]:
        """Who Alexa would name, by person id (the skill itself never learns the name)."""
        return {self.person_id: self.person} if self.person and self.person_id else {}

    @property
    def alexa_device(self) -> AlexaDevice:
        return AlexaDevice(
            user_id=self.user_id,
            device_id=self.device_id,
            application_id=self.skill_id,
            api_endpoint=self.api_endpoint,
            locale=self.locale,
            supported_interfaces=self.supported_interfaces,
            permission_scopes=self.permission_scopes,
            person_id=self.person_id,
        )

    @property
    def is_open(self) -> bool:
        return self.session_id is not None

    def send(self, request: dict) -> dict:
        """Answer one request; on an exception the session stays as it was."""
        new = self.session_id is None
        session_id = self.session_id or f"amzn1.echo-api.session.{uuid.uuid4()}"
        envelope = self.alexa_device.envelope(
            request,
            session_id=session_id,
            new=new,
            attributes={} if new else self.attributes,
            timestamp=self.clock.now(),
        )
        self.last_sent = self.clock.now()
        response = self.skill_handler(envelope, None)
        self.permission_asked = next(
            (
                directive
                for directive in (response.get("response") or {}).get("directives") or []
                if (
                    directive.get("type") == "Connections.SendRequest"
                    and directive.get("name") == "AskFor"
                )
                or (
                    directive.get("type") == "Connections.StartConnection"
                    and "AskForPermissionsConsent" in str(directive.get("uri"))
                )
            ),
            None,
        )
        if request["type"] == "SessionEndedRequest":
            self.session_id, self.attributes = None, {}
            return response
        body = response.get("response") or {}
        # A response that leaves shouldEndSession out ends the session on a voice-only device.
        if body.get("shouldEndSession", True):
            self.session_id, self.attributes = None, {}
        else:
            self.session_id = session_id
            self.attributes = response.get("sessionAttributes") or {}
        return response

    def end(self, reason: str = "USER_INITIATED") -> dict | None:
        if not self.is_open:
            return None
        return self.send({"type": "SessionEndedRequest", "reason": reason})


# -- the console -----------------------------------------------------------------------------


def banner(storage: str, *, fast: bool, alexa_apis: str | None = None) -> str:
    pace = (
        "--fast: pauses are skipped; the skill's clock moves on by each answer's spoken length."
        " /wait 14 makes your next line barge in 14 s into the last answer."
        if fast
        else "Pauses play in real time (--fast skips them). Ctrl-C as the coach speaks barges in,"
        ' as "Alexa, wait" would.'
    )
    return "\n".join(
        (
            "SI Joint Coach, local console. Type what you would say to Alexa, for example:",
            '  "open s. i. joint coach", "start my routine", "next", "how do I do the bridge",',
            '  "it hurts", "go slower", "stop". Type exit or quit (or Ctrl-D) to leave.',
            "On a device the coach's follow-up question (the reprompt) would play after about",
            "8 s of silence; here the console simply waits for your next line.",
            pace,
            f"Progress is kept in {storage}.",
            *(
                (
                    f"Reminders work: a local stand-in of Alexa's Reminders and settings APIs"
                    f" answers at {alexa_apis};",
                    "  a reminder set here lasts while the console runs (try: remind me every"
                    ' day at eight, "when is my reminder", "stop reminding me").',
                )
                if alexa_apis
                else ()
            ),
            "",
        )
    )


@dataclass
class Console:
    """The read-resolve-send-play loop."""

    device: DeviceSession
    model: InteractionModel
    player: SpeechPlayer
    out: TextIO
    echo_input: bool = False
    prompt: str = "you> "

    def run(self, lines: Iterator[str | None]) -> None:
        for line in lines:
            if line is None or line.strip().lower() in LEAVE_COMMANDS:
                break
            if not line.strip():
                continue
            self.hear(line)
        self.leave()

    def read_lines(self, stdin: TextIO) -> Iterator[str | None]:
        """Lines from the keyboard, or from a pipe echoed after the prompt; None at the end."""
        while True:
            if self.echo_input:
                self.out.write(self.prompt)
                line = stdin.readline()
                if not line:
                    self.out.write("\n")
                    yield None
                    return
                self.out.write(line if line.endswith("\n") else line + "\n")
                self.out.flush()
                yield line.rstrip("\r\n")
                continue
            try:
                yield input(self.prompt)
            except EOFError:
                self.out.write("\n")
                yield None
                return
            except KeyboardInterrupt:
                self.out.write("\n")
                yield None
                return

    def hear(self, line: str) -> None:
        """Resolve one line, send it, play the answer; report errors and carry on."""
        if line.strip().lower().startswith(WAIT_COMMAND):
            self.barge_in(line.strip()[len(WAIT_COMMAND) :])
            return
        try:
            if self.device.permission_asked is not None:
                self.answer_permission(line)
                return
            resolution = self.model.resolve(line)
            if resolution.is_launch and self.device.is_open:
                # Opening the skill again starts afresh, as a new "Alexa, open ..." would.
                self.device.end()
            note = "" if self.device.is_open else "  (new session)"
            self.out.write(f"  -> {resolution.describe()}{note}\n")
            if resolution.intent_name == FALLBACK_INTENT:
                # Show what the line came closest to, to see why it missed.
                for near in self.model.nearest_samples(line):
                    self.out.write(f"     nearest: {near.sample!r} {near.intent_name}\n")
            self.respond(resolution)
        except KeyboardInterrupt:
            self.out.write("\n  (interrupted)\n")
        except Exception as error:
            self.out.write(f"  ! {type(error).__name__}: {_first_line(error)}\n")
            self.out.write("  ! (the console carries on; say that again or try something else)\n")
        self.out.flush()

    def answer_permission(self, line: str) -> None:
        """The user's answer to Alexa's own permission question (a Connections.Response)."""
        asked = self.device.permission_asked or {}
        payload = asked.get("payload") or asked.get("input") or {}
        scopes = payload.get("permissionScopes") or [payload]
        scope = str(scopes[0].get("permissionScope") or "")
        answer = self.model.resolve(line).intent_name
        status = {"AMAZON.YesIntent": "ACCEPTED", "AMAZON.NoIntent": "DENIED"}.get(
            answer or "", "NOT_ANSWERED"
        )
        if status == "ACCEPTED":
            self.device.permission_scopes[scope] = "GRANTED"
        elif status == "DENIED":
            self.device.permission_scopes[scope] = "DENIED"
        if asked.get("type") == "Connections.StartConnection":
            self.out.write(f"  -> SessionResumedRequest ({scope}: {status})\n")
            cause = {
                "type": "ConnectionCompleted",
                "token": asked.get("token") or "",
                "status": {"code": "200", "message": "OK"},
                "result": {"isCardThrown": False, "status": status},
            }
            self.play(self.device.send({"type": "SessionResumedRequest", "cause": cause}))
            return
        self.out.write(f"  -> Connections.Response AskFor ({scope}: {status})\n")
        answered = {
            "permissionScopes": [{"permissionScope": scope, "consentLevel": "ACCOUNT"}],
            "isCardThrown": False,
            "status": status,
        }
        self.play(
            self.device.send(
                {
                    "type": "Connections.Response",
                    "name": "AskFor",
                    "status": {"code": "200", "message": "OK"},
                    "token": asked.get("token") or "",
                    "payload": answered,
                }
            )
        )

    def barge_in(self, argument: str) -> None:
        """`/wait N`: with --fast, the next line is said N seconds after the last request,
        cutting its answer off as "Alexa, wait" would if N is shorter than the answer."""
        clock, sent = self.device.clock, self.device.last_sent
        try:
            seconds = float(argument)
        except ValueError:
            seconds = -1.0
        if not isinstance(clock, SimulatedClock):
            self.out.write(
                "  (/wait is for --fast; in real time, press Ctrl-C as the coach speaks)\n"
            )
        elif seconds < 0 or not math.isfinite(seconds):
            self.out.write("  (/wait takes seconds, for example: /wait 14)\n")
        elif sent is None:
            self.out.write("  (/wait times a barge-in into an answer: say something first)\n")
        else:
            clock.barge_in(sent, seconds)
            self.out.write(f"  (your next words come {seconds:g} s into the last answer)\n")
        self.out.flush()

    def respond(self, resolution: Resolution) -> None:
        self.play(self.device.send(resolution.request_body(self.device.skill_id)))

    def play(self, response: dict) -> None:
        """Play an answer: its speech, the screen beside it, and what Alexa does after."""
        parts = speech_parts(response_ssml(response), self.device.names)
        self.device.clock.spoke(planned_seconds(parts, self.device.locale))
        frames = preview_frames((response.get("response") or {}).get("directives") or [])
        if frames:
            self.out.write(screen_box(frames[0]))
        with keyboard_echo_off(self.player.interactive):
            self.player.play(parts, screen_changes(frames))
        if self.device.permission_asked is not None:
            self.out.write(
                "  (Alexa now asks, in its own words, whether the skill may set reminders:"
                " say yes or no)\n"
            )
        elif not self.device.is_open:
            self.out.write(
                "  (session ended: say open s. i. joint coach, or anything to start afresh)\n"
            )

    def leave(self) -> None:
        try:
            if self.device.is_open:
                self.device.end()
                self.out.write("  (session ended: you left)\n")
        except Exception as error:
            self.out.write(f"  ! {type(error).__name__}: {_first_line(error)}\n")
        self.out.write("Bye.\n")
        self.out.flush()


@contextlib.contextmanager
def keyboard_echo_off(interactive: bool) -> Iterator[None]:
    """While the coach speaks, keys typed ahead stay unseen (and queued for the next line).

    Without this the terminal echoes them into the middle of the speech text.
    """
    try:
        import termios  # noqa: PLC0415  (POSIX only)

        descriptor = sys.stdin.fileno()
        saved = termios.tcgetattr(descriptor) if interactive else None
    except (ImportError, OSError, ValueError, io.UnsupportedOperation):
        saved = None
    if saved is None:
        yield
        return
    quiet = list(saved)
    quiet[3] &= ~termios.ECHO
    termios.tcsetattr(descriptor, termios.TCSANOW, quiet)
    try:
        yield
    finally:
        termios.tcsetattr(descriptor, termios.TCSANOW, saved)


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else "(no message)"


class ShortErrorFormatter(logging.Formatter):
    """The skill's log lines without tracebacks: one line per problem in the console."""

    def format(self, record: logging.LogRecord) -> str:
        message = f"  ! {record.name}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            message += f" ({type(error).__name__}: {_first_line(error)})"
        return message


def configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ShortErrorFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)


def default_user_id() -> str:
    try:
        name = getpass.getuser()
    except Exception:
        name = "someone"
    return f"amzn1.ask.account.local-{re.sub(r'[^A-Za-z0-9_-]', '_', name) or 'someone'}"


def storage_description(environ: Mapping[str, str]) -> str:
    table_name = environ.get("TABLE_NAME")
    if table_name:
        endpoint = environ.get("AWS_ENDPOINT_URL_DYNAMODB") or environ.get("AWS_ENDPOINT_URL")
        return f"the DynamoDB table {table_name}" + (f" at {endpoint}" if endpoint else "")
    from si_coach.storage import embedded_data_dir  # noqa: PLC0415
    from si_coach.storage.embedded import DATABASE_FILE_NAME  # noqa: PLC0415

    return str(embedded_data_dir(environ) / DATABASE_FILE_NAME)


def load_skill_handler() -> SkillHandler:
    """The Lambda's own handler, built from the environment as the Lambda builds it."""
    import lambda_function  # noqa: PLC0415

    return lambda_function.lambda_handler


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m local.console",
        description="Go through the SI joint routine in a terminal: type what you would say. "
        'From a clone: make run, or make run ARGS="--fast".',
        epilog='Piped input works too: printf "open s. i. joint coach\\nstart my routine\\n'
        'next\\nstop\\n" | make run ARGS="--fast"',
    )
    parser.add_argument("--fast", action="store_true", help="skip the pauses (no waiting)")
    parser.add_argument("--voice", action="store_true", help="speak through espeak-ng")
    parser.add_argument(
        "--screen",
        action="store_true",
        help="be a device with a screen: show what it would show, beside the speech",
    )
    parser.add_argument(
        "--user",
        metavar="ID",
        default=default_user_id(),
        help="Alexa user id whose progress is used (default: one per login, kept between runs)",
    )
    parser.add_argument(
        "--person",
        metavar="NAME",
        help="be a person Alexa recognises by voice: their own progress, greeted by name",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="understand only the model's samples as written, not as a statistical NLU would",
    )
    parser.add_argument(
        "--locale",
        default=LOCALE,
        choices=sorted(path.stem for path in MODELS_DIR.glob("*.json")),
        help=f"the device's locale: its language's words and model (default: {LOCALE})",
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        type=Path,
        help="directory of the embedded progress store (sets SI_COACH_DATA_DIR)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    out = sys.stdout
    for stream in (sys.stdin, sys.stdout):
        # Odd bytes or characters in a pipe must not stop the session.
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    if arguments.data_dir is not None:
        os.environ["SI_COACH_DATA_DIR"] = str(arguments.data_dir.expanduser().resolve())
        if os.environ.get("TABLE_NAME"):
            out.write("--data-dir is unused: TABLE_NAME is set, so progress is in DynamoDB.\n")
    configure_logging()
    storage = storage_description(os.environ)
    who = f"user {arguments.user}" + (f", person {arguments.person}" if arguments.person else "")
    with contextlib.ExitStack() as stack:
        apis = stack.enter_context(local_alexa_apis(machine_time_zone()))
        out.write(banner(f"{storage} ({who})", fast=arguments.fast, alexa_apis=apis) + "\n")
        return run_console(arguments, out, apis)


def machine_time_zone() -> str:
    """This machine's IANA time zone, for the stand-in's settings API (UTC if unknown)."""
    zone = os.environ.get("TZ", "").lstrip(":")
    if not zone:
        with contextlib.suppress(OSError):
            zone = Path("/etc/timezone").read_text().strip()
    if not zone:
        with contextlib.suppress(OSError, ValueError):
            zone = str(Path("/etc/localtime").resolve()).split("/zoneinfo/", 1)[1]
    return zone or "UTC"


def run_console(arguments: argparse.Namespace, out: TextIO, apis: str | None) -> int:
    skill_handler = load_skill_handler()
    locale = arguments.locale
    model = InteractionModel.from_file(model_file_of(locale), strict=arguments.strict)
    model.prepare()  # trained once per model and cached, so at start, not on the first line
    voice = Voice.find(out, locale.split("-")[0]) if arguments.voice else None
    interactive = sys.stdin.isatty()
    clock: SkillClock = SimulatedClock() if arguments.fast else WallClock()
    console = Console(
        device=DeviceSession(
            skill_handler,
            clock,
            arguments.user,
            skill_id=os.environ.get("SKILL_ID") or LOCAL_SKILL_ID,
            supported_interfaces=SCREEN_INTERFACES if arguments.screen else {},
            api_endpoint=apis,
            locale=locale,
            person=arguments.person,
        ),
        model=model,
        player=SpeechPlayer(
            out,
            fast=arguments.fast,
            voice=voice,
            interactive=interactive and out.isatty(),
            locale=locale,
        ),
        out=out,
        echo_input=not interactive,
    )
    if interactive:
        # Importing readline gives input() line editing and history.
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401, PLC0415
    with ctrl_c_for_this_process(sys.stdin):
        console.run(console.read_lines(sys.stdin))
    return 0


if __name__ == "__main__":
    sys.exit(main())
