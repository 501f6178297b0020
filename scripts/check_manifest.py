"""Checks the skill manifest (interaction_model/skill.json) against the models and the code.

`python scripts/check_manifest.py [--release]` prints every finding and exits 1 if there is
one. It finds:

- locales: the manifest's locales (publishing information, and privacy details if given)
  differ from the interaction models in interaction_model/interactionModels/custom/;
- undeclared uses: the code under lambda/ uses a permission, an interface or a skill event
  (as scripts/manifest_rules.toml describes each) that the manifest does not declare;
- endpoints: an endpoint without a URI; and in a release build (`--release`, which
  `make package RELEASE=1` passes), an endpoint still carrying the placeholder, or not the
  function's alias from template.yaml (AutoPublishAlias), which is all the skill may invoke.

`make test` runs it without --release (tests/tooling/test_manifest.py): the placeholder is allowed
while developing, nothing else is.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
MANIFEST = REPO_ROOT / "interaction_model" / "skill.json"
MODELS_DIR = REPO_ROOT / "interaction_model" / "interactionModels" / "custom"
CODE_DIR = REPO_ROOT / "lambda"
RULES = Path(__file__).resolve().parent / "manifest_rules.toml"
TEMPLATE = REPO_ROOT / "template.yaml"

# The endpoint skill.json ships with until a deploy gives the real one (docs/deploying.md),
# and the documentation's example account it uses.
PLACEHOLDER_MARKERS = ("REPLACE_WITH", "123456789012")
LAMBDA_ALIAS_ARN = re.compile(
    r"arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+:(?P<alias>[A-Za-z0-9_-]+)"
)


@dataclass(frozen=True)
class Rule:
    """One thing the code may use, and how the manifest must declare it."""

    use: str
    names: frozenset[str]
    strings: tuple[str, ...]
    section: str  # "permission", "interface" or "event"
    declaration: str

    @property
    def where(self) -> str:
        return {
            "permission": "manifest.permissions[].name",
            "interface": "manifest.apis.custom.interfaces[].type",
            "event": "manifest.events.subscriptions[].eventName",
        }[self.section]


def load_rules(path: Path = RULES) -> list[Rule]:
    rules = []
    for entry in tomllib.loads(path.read_text(encoding="utf-8"))["rule"]:
        sections = [key for key in ("permission", "interface", "event") if key in entry]
        if len(sections) != 1:
            raise ValueError(
                f"{path.name}: {entry['use']!r} must name one of permission, interface or event"
            )
        rules.append(
            Rule(
                use=entry["use"],
                names=frozenset(entry.get("names", ())),
                strings=tuple(entry.get("strings", ())),
                section=sections[0],
                declaration=entry[sections[0]],
            )
        )
    return rules


@dataclass(frozen=True)
class CodeWord:
    """A name or a string literal in the code, and where it is (``path`` from lambda/'s parent)."""

    text: str
    is_string: bool
    path: Path
    line: int


def code_words(code_dir: Path = CODE_DIR) -> Iterator[CodeWord]:
    """Every identifier and string literal of the Python files under ``code_dir``.

    Docstrings and comments are left out: describing a feature is not using it.
    """
    for source in sorted(code_dir.rglob("*.py")):
        path = source.relative_to(code_dir.parent)
        tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(path))
        docstrings = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                body = node.body
                if (
                    body
                    and isinstance(body[0], ast.Expr)
                    and isinstance(body[0].value, ast.Constant)
                ):
                    docstrings.add(id(body[0].value))
        for node in ast.walk(tree):
            line = getattr(node, "lineno", 0)
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if id(node) not in docstrings:
                    yield CodeWord(node.value, True, path, line)
            elif isinstance(node, ast.Name):
                yield CodeWord(node.id, False, path, line)
            elif isinstance(node, ast.Attribute):
                yield CodeWord(node.attr, False, path, line)
            elif isinstance(node, ast.Import | ast.ImportFrom):
                for alias in node.names:
                    for part in alias.name.split("."):
                        yield CodeWord(part, False, path, line)


def uses(rule: Rule, word: CodeWord) -> bool:
    if word.is_string:
        return any(fragment in word.text for fragment in rule.strings)
    return word.text in rule.names


def declarations(manifest: dict[str, Any], section: str) -> set[str]:
    body = manifest.get("manifest", {})
    if section == "permission":
        return {entry.get("name") for entry in body.get("permissions", [])}
    if section == "interface":
        interfaces = body.get("apis", {}).get("custom", {}).get("interfaces", [])
        return {entry.get("type") for entry in interfaces}
    subscriptions = body.get("events", {}).get("subscriptions", [])
    return {entry.get("eventName") for entry in subscriptions}


def undeclared_uses(
    manifest: dict[str, Any], rules: Sequence[Rule], words: Sequence[CodeWord]
) -> list[str]:
    findings = []
    for rule in rules:
        evidence = next((word for word in words if uses(rule, word)), None)
        if evidence is None or rule.declaration in declarations(manifest, rule.section):
            continue
        where = f"{evidence.path}:{evidence.line}"
        findings.append(
            f"{where} uses {rule.use} ({evidence.text!r}), but skill.json does not declare "
            f"{rule.declaration!r} in {rule.where}"
        )
    return findings


def locale_findings(manifest: dict[str, Any], model_locales: set[str]) -> list[str]:
    body = manifest.get("manifest", {})
    sections = {
        "publishingInformation.locales": body.get("publishingInformation", {}).get("locales"),
        "privacyAndCompliance.locales": body.get("privacyAndCompliance", {}).get("locales"),
    }
    findings = []
    for name, locales in sections.items():
        if locales is None and name != "publishingInformation.locales":
            continue
        declared = set(locales or {})
        if declared != model_locales:
            findings.append(
                f"skill.json {name} {sorted(declared)} differ from the interaction models "
                f"{sorted(model_locales)}: missing models {sorted(declared - model_locales)}, "
                f"undeclared models {sorted(model_locales - declared)}"
            )
    return findings


def endpoint_uris(manifest: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(where, uri) for the custom skill's endpoint and the events' endpoint, by region too."""
    body = manifest.get("manifest", {})
    for name, owner in (
        ("apis.custom", body.get("apis", {}).get("custom")),
        ("events", body.get("events")),
    ):
        if owner is None:
            continue
        if name == "apis.custom" or "endpoint" in owner:
            yield f"{name}.endpoint.uri", owner.get("endpoint", {}).get("uri")
        for region, settings in owner.get("regions", {}).items():
            yield f"{name}.regions.{region}.endpoint.uri", settings.get("endpoint", {}).get("uri")


def endpoint_findings(manifest: dict[str, Any], release: bool, alias: str | None) -> list[str]:
    findings = []
    for where, uri in endpoint_uris(manifest):
        if not isinstance(uri, str) or not uri:
            findings.append(f"skill.json {where} is missing")
        elif not release:
            continue
        elif any(marker in uri for marker in PLACEHOLDER_MARKERS):
            findings.append(
                f"skill.json {where} is still the placeholder {uri!r}: put the stack's "
                "SkillEndpointArn output there (docs/deploying.md)"
            )
        elif uri.startswith("https://"):
            continue
        elif (match := LAMBDA_ALIAS_ARN.fullmatch(uri)) is None or match["alias"] != alias:
            findings.append(
                f"skill.json {where} {uri!r} is not the function's alias {alias!r}: the skill "
                "may invoke only the alias (output SkillEndpointArn)"
            )
    return findings


def published_alias(template: Path = TEMPLATE) -> str | None:
    found = re.findall(r"^\s+AutoPublishAlias:\s*(\S+)\s*$", template.read_text(), re.MULTILINE)
    return found[0] if len(found) == 1 else None


def check(
    *,
    release: bool,
    manifest_path: Path = MANIFEST,
    models_dir: Path = MODELS_DIR,
    code_dir: Path = CODE_DIR,
    rules_path: Path = RULES,
) -> list[str]:
    """Every finding about the manifest (see the module docstring); empty when all is well."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    model_locales = {path.stem for path in models_dir.glob("*.json")}
    words = list(code_words(code_dir))
    return [
        *locale_findings(manifest, model_locales),
        *undeclared_uses(manifest, load_rules(rules_path), words),
        *endpoint_findings(manifest, release, published_alias()),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/check_manifest.py", description=__doc__)
    parser.add_argument(
        "--release", action="store_true", help="a release build: refuse the placeholder endpoint"
    )
    arguments = parser.parse_args(argv)
    findings = check(release=arguments.release)
    for finding in findings:
        print(f"check_manifest: {finding}", file=sys.stderr)
    if not findings:
        mode = "release" if arguments.release else "development"
        print(f"check_manifest: skill.json is consistent ({mode} build)", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
