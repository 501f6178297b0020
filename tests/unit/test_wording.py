"""The wording data: checked at load, chosen by locale, and the only place spoken words live."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from si_coach.voice.wording import (
    CHECKED_RECORD,
    GRAMMARS,
    WORDING_DIR,
    WordingError,
    load_wordings,
    wording_for,
    write_checked_record,
)
from si_coach.voice.wording.english import EnglishGrammar
from si_coach.voice.wording.grammar import Gender, Grammar

PACKAGE = Path(__file__).resolve().parents[2] / "lambda"
ENGLISH_LOCALES = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")


@pytest.fixture
def wording_dir(tmp_path: Path) -> Path:
    """A copy of the real wording files, to break one at a time."""
    target = tmp_path / "wording"
    target.mkdir()
    for path in WORDING_DIR.glob("*.toml"):
        shutil.copy(path, target / path.name)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_real_wording_loads_for_every_english_locale() -> None:
    for locale in ENGLISH_LOCALES:
        words = wording_for(locale)
        assert words.line("answers.goodbye") == "Okay. See you next time."
        assert words.variant("bridge").name == "bridge"


def test_an_unsupported_locale_falls_back_to_english() -> None:
    for locale in ("fr-FR", "it-IT", "", None, "xx"):
        assert wording_for(locale).locale == "en"


def test_a_locale_file_overrides_single_lines() -> None:
    british, american = wording_for("en-GB"), wording_for("en-US")
    assert "physiotherapist" in british.safety_advice[-1]
    assert "physical therapist" in american.safety_advice[-1]
    assert british.lines == american.lines
    assert british.variants == american.variants


BREAKAGES: list[tuple[str, Callable[[Path], None], str]] = [
    (
        "unknown placeholder",
        lambda d: edit(
            d / "en.toml", 'goodbye = "Okay. See you', 'goodbye = "Okay {name}. See you'
        ),
        r"answers.goodbye: unknown placeholder \{name\}",
    ),
    (
        "missing key",
        lambda d: edit(d / "en.toml", 'goodbye = "Okay. See you next time."\n', ""),
        "missing key answers.goodbye",
    ),
    (
        "unknown key",
        lambda d: edit(d / "en.toml", "[answers]\n", '[answers]\nfarewell = "Bye."\n'),
        "unknown key answers.farewell",
    ),
    (
        "placeholder with a format spec",
        lambda d: edit(d / "en.toml", "{done} of {total}.", "{done:>3} of {total}."),
        "must be a plain name",
    ),
    (
        "broken braces",
        lambda d: edit(d / "en.toml", "{done} of {total}.", "{done of {total}."),
        "broken braces|unknown placeholder",
    ),
    (
        "an override's unknown key",
        lambda d: (d / "en-AU.toml").write_text('[answers]\ncheerio = "See ya."\n'),
        "en-AU.toml: unknown key answers.cheerio",
    ),
    (
        "an override's unknown placeholder",
        lambda d: (d / "en-AU.toml").write_text('[answers]\ngoodbye = "See ya, {mate}."\n'),
        r"en-AU.toml: answers.goodbye: unknown placeholder \{mate\}",
    ),
    (
        "an override of exercise content",
        lambda d: (d / "en-AU.toml").write_text('[variants.bridge]\nname = "arch"\n'),
        "cannot be overridden",
    ),
    (
        "an override without its language",
        lambda d: (d / "fr-FR.toml").write_text('[answers]\ngoodbye = "Au revoir."\n'),
        "fr-FR.toml: no fr.toml",
    ),
    (
        "a variant the catalogue lacks",
        lambda d: edit(d / "en.toml", "[variants.bridge]", "[variants.cartwheel]"),
        "missing variant bridge",
    ),
    (
        "a side named by a variant without sides",
        lambda d: edit(
            d / "en.toml",
            'action_cue = "Push your knees apart."',
            'action_cue = "Push your {side} knee."',
        ),
        "cannot name a side",
    ),
    (
        "a one-sided variant without its side set-up",
        lambda d: edit(
            d / "en.toml",
            'side_setup = "Lie on your {other_side} side, so your {side} knee is on top."',
            'side_setup = ""',
        ),
        "one-sided needs side_setup",
    ),
    (
        "empty overview",
        lambda d: edit(d / "en.toml", "overview = [\n", "overview = []\nold_overview = [\n"),
        "overview",
    ),
    (
        "a weekday missing",
        lambda d: edit(d / "en.toml", '"Saturday", ', ""),
        "needs 7 items",
    ),
    (
        "no plural form",
        lambda d: edit(d / "en.toml", 'day = ["day", "days"]', 'day = ["day"]'),
        "forms.day needs a singular and a plural",
    ),
    (
        "not TOML",
        lambda d: edit(d / "en.toml", "[answers]", "[answers"),
        "not valid TOML",
    ),
    (
        "a clock pattern with an unknown placeholder",
        lambda d: edit(d / "en.toml", 'on_the_hour = "{hour} {period}"', 'on_the_hour = "{hours}"'),
        r"clock.on_the_hour: unknown placeholder \{hours\}",
    ),
    (
        "clock periods out of order",
        lambda d: edit(d / "en.toml", '  [5, "in the morning"],', '  [25, "in the morning"],'),
        "clock.periods must be",
    ),
    (
        "a clock without noon",
        lambda d: edit(d / "en.toml", 'noon = "noon"\n', ""),
        r"\[clock\] needs exactly",
    ),
]


@pytest.mark.parametrize(("name", "breakage", "message"), BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_broken_wording_stops_start_up_with_a_clear_error(
    wording_dir: Path, name: str, breakage: Callable[[Path], None], message: str
) -> None:
    load_wordings(wording_dir)  # the copy loads before it is broken
    breakage(wording_dir)
    with pytest.raises(WordingError, match=message):
        load_wordings(wording_dir)


def test_a_key_present_in_one_language_but_not_another_stops_start_up(
    wording_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(GRAMMARS, "xx", EnglishGrammar)
    second = (wording_dir / "en.toml").read_text().replace('language = "en"', 'language = "xx"')
    (wording_dir / "xx.toml").write_text(
        second.replace('goodbye = "Okay. See you next time."\n', "")
    )
    with pytest.raises(WordingError, match=r"xx\.toml: missing key answers\.goodbye"):
        load_wordings(wording_dir)
    (wording_dir / "xx.toml").write_text(second)
    shipped = {path.stem for path in WORDING_DIR.glob("*.toml")}
    assert set(load_wordings(wording_dir)) == shipped | {"xx"}


def test_the_skill_refuses_to_start_on_broken_wording(
    wording_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from si_coach import skill
    from si_coach.voice import wording

    edit(wording_dir / "en.toml", 'goodbye = "Okay. See you next time."\n', "")
    monkeypatch.setattr(wording, "WORDING_DIR", wording_dir)
    monkeypatch.setattr(wording.load_wordings, "__defaults__", (wording_dir, None))
    wording.all_wordings.cache_clear()
    try:
        with pytest.raises(WordingError, match=r"missing key answers\.goodbye"):
            skill.create_skill_builder(None)
    finally:
        wording.all_wordings.cache_clear()


def test_start_up_checks_again_only_files_the_build_did_not_check(
    wording_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from si_coach.voice import wording

    record = write_checked_record(wording_dir)
    assert record == wording_dir / "__pycache__" / CHECKED_RECORD
    monkeypatch.setattr(wording, "WORDING_DIR", wording_dir)
    monkeypatch.setattr(wording.load_wordings, "__defaults__", (wording_dir, None))
    wording.all_wordings.cache_clear()
    try:
        wording.check_wordings()
        assert wording.all_wordings.cache_info().currsize == 0  # the digests matched
        # Broken after the build's check: no longer the file it checked.
        edit(wording_dir / "es.toml", 'goodbye = "De acuerdo. Hasta la próxima."\n', "")
        with pytest.raises(WordingError, match=r"es\.toml: missing key answers\.goodbye"):
            wording.check_wordings()
    finally:
        wording.all_wordings.cache_clear()


def test_the_build_records_no_check_of_a_broken_file(wording_dir: Path) -> None:
    edit(wording_dir / "de.toml", "\n[clock]\n", "\n[uhr]\n")
    with pytest.raises(WordingError):
        write_checked_record(wording_dir)
    assert not (wording_dir / "__pycache__" / CHECKED_RECORD).exists()


def test_a_language_loaded_alone_is_the_same_as_loaded_with_the_others() -> None:
    every = load_wordings()
    for language in {name.split("-")[0] for name in every}:
        own = {name: w for name, w in every.items() if name.split("-")[0] == language}
        assert load_wordings(languages=[language]) == own
    assert load_wordings(languages=["xx"]) == {}


# What a fresh interpreter loads: a request's language, and that language's grammar, only.
LANGUAGE_ON_FIRST_USE = """
import sys
from si_coach.voice.wording import wording_for
print(wording_for("en-US").locale, "si_coach.voice.wording.spanish" in sys.modules)
print(wording_for("es-MX").locale, "si_coach.voice.wording.spanish" in sys.modules)
print(wording_for("fr-FR").locale, "si_coach.voice.wording.german" in sys.modules)
"""


def test_a_language_is_loaded_on_its_first_request() -> None:
    root = PACKAGE.parent
    child = subprocess.run(
        [sys.executable, "-c", LANGUAGE_ON_FIRST_USE],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        env={"PYTHONPATH": f"{PACKAGE}:{root}", "HOME": str(root)},
    )
    assert child.stdout.splitlines() == ["en False", "es-MX True", "en False"]


# -- the grammar helper ------------------------------------------------------------------

GRAMMAR = wording_for("en-US").grammar


@pytest.mark.parametrize(
    ("value", "words"),
    [(0, "zero"), (7, "seven"), (15, "fifteen"), (20, "twenty"), (21, "twenty-one"),
     (90, "ninety"), (100, "one hundred"), (360, "three hundred and sixty")],
)  # fmt: skip
def test_numbers_are_words(value: int, words: str) -> None:
    assert GRAMMAR.number(value) == words


def test_counts_durations_and_lists_read_naturally() -> None:
    assert GRAMMAR.count(1, "day") == "one day"
    assert GRAMMAR.count(3, "exercise") == "three exercises"
    assert GRAMMAR.duration(5) == "five seconds"
    assert GRAMMAR.duration(60) == "one minute"
    assert GRAMMAR.duration(90) == "one minute thirty seconds"
    assert GRAMMAR.duration(361) == "six minutes one second"
    assert GRAMMAR.join(["the bridge"]) == "the bridge"
    assert GRAMMAR.join(["a", "b"]) == "a and b"
    assert GRAMMAR.join(["a", "b", "c"]) == "a, b and c"
    with pytest.raises(ValueError):
        GRAMMAR.number(-1)


@pytest.mark.parametrize(
    ("value", "words"),
    [(999, "nine hundred and ninety-nine"), (1000, "one thousand"),
     (1006, "one thousand and six"), (1100, "one thousand one hundred"),
     (20026, "twenty thousand and twenty-six"), (1_000_001, "one million and one"),
     (2_500_000, "two million five hundred thousand"), (10**18, "one quintillion"),
     (10**21 + 5, "one thousand quintillion and five")],
)  # fmt: skip
def test_any_count_the_record_can_hold_is_said_in_words(value: int, words: str) -> None:
    assert GRAMMAR.number(value) == words


def test_the_english_grammar_is_a_grammar_and_ignores_gender() -> None:
    assert isinstance(GRAMMAR, EnglishGrammar)
    grammar: Grammar = GRAMMAR  # the type checker holds it to the protocol
    for gender in (None, *Gender):
        assert grammar.definite("bridge", gender) == "the bridge"


def test_a_variants_gender_is_read_and_checked(wording_dir: Path) -> None:
    edit(wording_dir / "en.toml", "[variants.bridge]\n", '[variants.bridge]\ngender = "feminine"\n')
    assert load_wordings(wording_dir)["en"].variant("bridge").gender is Gender.FEMININE
    edit(wording_dir / "en.toml", 'gender = "feminine"', 'gender = "plural"')
    with pytest.raises(WordingError, match=r"variants\.bridge\.gender must be one of"):
        load_wordings(wording_dir)


# -- no spoken words in code -------------------------------------------------------------

# A sentence: a capital, two or more further words, and closing punctuation.
# (An all-capitals first word is SQL or a constant, not speech.)
SENTENCE = re.compile(r"^(?![A-Z]{2,}\b)[A-Z][\w']*[.,]?(\s+\S+){2,}.*[.?!]$")
LOGGING_CALLS = {"debug", "info", "warning", "error", "exception", "critical"}


def _developer_strings(tree: ast.AST) -> set[int]:
    """Docstrings (of modules, classes, functions and attributes), exception and log messages."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant | ast.JoinedStr):
            found.add(id(node.value))
        elif isinstance(node, ast.Raise) or (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in LOGGING_CALLS
        ):
            found.update(id(inner) for inner in ast.walk(node))
    return found


def spoken_looking_strings(root: Path) -> list[str]:
    """String literals under `root` that read like a spoken sentence, developer text aside."""
    hits = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        developer = _developer_strings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
            elif isinstance(node, ast.JoinedStr):
                text = "".join(
                    v.value if isinstance(v, ast.Constant) else "{x}" for v in node.values
                )
            else:
                continue
            if id(node) not in developer and SENTENCE.match(" ".join(text.split())):
                hits.append(f"{path.relative_to(root)}:{node.lineno}: {text!r}")
    return hits


@pytest.mark.slow
def test_no_sentence_the_skill_speaks_is_written_in_python_code() -> None:
    assert spoken_looking_strings(PACKAGE) == []


def test_the_scan_finds_a_sentence_written_in_code(tmp_path: Path) -> None:
    (tmp_path / "handler.py").write_text(
        '"""Docstrings are fine. They explain."""\n'
        "import logging\n"
        "def answer(side):\n"
        '    logging.info("Answered the side question.")\n'
        "    if side is None:\n"
        '        raise ValueError("No side was given to me.")\n'
        '    return f"Okay. I\'ll leave out your {side} side."\n'
    )
    assert [hit.split(": ", 1)[0] for hit in spoken_looking_strings(tmp_path)] == ["handler.py:7"]


def test_every_line_key_in_the_contract_is_used_by_the_code() -> None:
    from si_coach.voice.wording import keys

    source = "\n".join(p.read_text() for p in (PACKAGE / "si_coach").rglob("*.py"))
    unused = [
        key
        for key in keys.LINE_PLACEHOLDERS
        if f'"{key}"' not in source and f'"{key.split(".", 1)[1]}"' not in source
    ]
    assert unused == []
