"""The manifest check (scripts/check_manifest.py): skill.json against the models and the code.

The real manifest passes in a development build and fails a release build while it carries
the placeholder endpoint. Each kind of mistake is then made on copies (a manifest, a models
folder, a code folder in tmp_path) and must be reported.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = REPO_ROOT / "scripts"
ALIAS_ARN = "arn:aws:lambda:eu-west-1:210987654321:function:si-coach-SkillFunction-AbC123:live"


def _load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


check_manifest = _load_script("check_manifest")


@pytest.fixture
def skill_package(tmp_path: Path) -> dict[str, Path]:
    """Copies of skill.json, the models and the code, for a test to spoil."""
    manifest = tmp_path / "skill.json"
    shutil.copy(check_manifest.MANIFEST, manifest)
    models = tmp_path / "models"
    shutil.copytree(check_manifest.MODELS_DIR, models)
    code = tmp_path / "lambda"
    shutil.copytree(check_manifest.CODE_DIR, code, ignore=shutil.ignore_patterns("__pycache__"))
    return {"manifest_path": manifest, "models_dir": models, "code_dir": code}


@pytest.fixture
def bare_package(skill_package: dict[str, Path]) -> dict[str, Path]:
    """A skill package that declares no feature and whose code uses none yet."""

    def strip(manifest: dict[str, Any]) -> None:
        manifest.pop("permissions", None)
        manifest.pop("events", None)
        manifest["apis"]["custom"].pop("interfaces", None)

    edit_manifest(skill_package, strip)
    code = skill_package["code_dir"]
    shutil.rmtree(code)
    (code / "si_coach").mkdir(parents=True)
    (code / "si_coach" / "__init__.py").write_text('"""The skill."""\n', encoding="utf-8")
    return skill_package


def edit_manifest(paths: dict[str, Path], change: Any) -> None:
    manifest = json.loads(paths["manifest_path"].read_text(encoding="utf-8"))
    change(manifest["manifest"])
    paths["manifest_path"].write_text(json.dumps(manifest), encoding="utf-8")


def run_script(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


# -- the project's own manifest ---------------------------------------------------------------


@pytest.mark.slow
def test_the_manifest_passes_a_development_build() -> None:
    result = run_script(str(SCRIPTS / "check_manifest.py"))

    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_a_release_build_refuses_the_placeholder_endpoint() -> None:
    result = run_script(str(SCRIPTS / "check_manifest.py"), "--release")

    assert result.returncode == 1
    assert "apis.custom.endpoint.uri is still the placeholder" in result.stderr


@pytest.mark.slow
def test_a_release_package_is_not_built_with_the_placeholder(tmp_path: Path) -> None:
    build_dir = tmp_path / "build"

    result = run_script(str(SCRIPTS / "package.py"), "--release", "--build-dir", str(build_dir))

    assert result.returncode == 1
    assert "placeholder" in result.stderr
    assert not build_dir.exists()


# -- endpoints -------------------------------------------------------------------------------


def set_endpoint(uri: str) -> Any:
    def change(manifest: dict[str, Any]) -> None:
        manifest["apis"]["custom"]["endpoint"]["uri"] = uri
        if "events" in manifest:  # skill events go to the same endpoint
            manifest["events"]["endpoint"]["uri"] = uri

    return change


@pytest.mark.parametrize(
    "uri",
    [ALIAS_ARN, "https://coach.example.org/alexa"],
    ids=["the alias", "a web service"],
)
def test_a_release_build_accepts_a_real_endpoint(skill_package: dict[str, Path], uri: str) -> None:
    edit_manifest(skill_package, set_endpoint(uri))

    assert check_manifest.check(release=True, **skill_package) == []


@pytest.mark.slow
@pytest.mark.parametrize(
    "uri",
    [
        ALIAS_ARN.removesuffix(":live"),
        ALIAS_ARN.replace(":live", ":7"),
        "arn:aws:lambda:us-east-1:123456789012:function:si-coach:live",
    ],
    ids=["unqualified function", "a version, not the alias", "the example account"],
)
def test_a_release_build_refuses_what_the_skill_may_not_invoke(
    skill_package: dict[str, Path], uri: str
) -> None:
    edit_manifest(skill_package, set_endpoint(uri))

    findings = check_manifest.check(release=True, **skill_package)

    # The skill's endpoint, and the skill events' endpoint beside it, are each refused.
    assert any("apis.custom.endpoint.uri" in finding for finding in findings)
    assert len(findings) == 1 + ("events.endpoint.uri" in " ".join(findings))


@pytest.mark.slow
def test_the_events_endpoint_is_held_to_the_same_rule(skill_package: dict[str, Path]) -> None:
    def subscribe(manifest: dict[str, Any]) -> None:
        manifest["apis"]["custom"]["endpoint"]["uri"] = ALIAS_ARN
        manifest["events"] = {
            "endpoint": {"uri": "arn:aws:lambda:us-east-1:123456789012:function:REPLACE_WITH"},
            "subscriptions": [{"eventName": "SKILL_DISABLED"}],
        }

    edit_manifest(skill_package, subscribe)

    assert check_manifest.check(release=False, **skill_package) == []
    (finding,) = check_manifest.check(release=True, **skill_package)
    assert "events.endpoint.uri is still the placeholder" in finding


def test_a_missing_endpoint_is_refused_in_any_build(skill_package: dict[str, Path]) -> None:
    edit_manifest(skill_package, lambda manifest: manifest["apis"]["custom"].pop("endpoint"))

    (finding,) = check_manifest.check(release=False, **skill_package)
    assert "apis.custom.endpoint.uri is missing" in finding


# -- locales ---------------------------------------------------------------------------------


def test_a_model_without_a_manifest_locale_is_reported(skill_package: dict[str, Path]) -> None:
    shutil.copy(
        skill_package["models_dir"] / "en-US.json", skill_package["models_dir"] / "fr-FR.json"
    )

    (finding,) = check_manifest.check(release=False, **skill_package)
    assert "undeclared models ['fr-FR']" in finding


def test_a_manifest_locale_without_a_model_is_reported(skill_package: dict[str, Path]) -> None:
    (skill_package["models_dir"] / "en-IN.json").unlink()

    (finding,) = check_manifest.check(release=False, **skill_package)
    assert "missing models ['en-IN']" in finding


def test_privacy_locales_must_match_too(skill_package: dict[str, Path]) -> None:
    def add_privacy_policy(manifest: dict[str, Any]) -> None:
        manifest["privacyAndCompliance"]["locales"] = {
            "en-US": {"privacyPolicyUrl": "https://coach.example.org/privacy"}
        }

    edit_manifest(skill_package, add_privacy_policy)

    (finding,) = check_manifest.check(release=False, **skill_package)
    assert finding.startswith("skill.json privacyAndCompliance.locales")


# -- what the code uses --------------------------------------------------------------------------


RULES = check_manifest.load_rules()


def declare(rule: Any) -> Any:
    def change(manifest: dict[str, Any]) -> None:
        if rule.section == "permission":
            manifest.setdefault("permissions", []).append({"name": rule.declaration})
        elif rule.section == "interface":
            interfaces = manifest["apis"]["custom"].setdefault("interfaces", [])
            interfaces.append({"type": rule.declaration})
        else:
            events = manifest.setdefault("events", {"endpoint": {"uri": ALIAS_ARN}})
            events.setdefault("subscriptions", []).append({"eventName": rule.declaration})

    return change


def use_in_code(code_dir: Path, source: str) -> Path:
    module = code_dir / "si_coach" / "feature_in_use.py"
    module.write_text(f'"""A module using a feature."""\n\n{source}\n', encoding="utf-8")
    return module


@pytest.mark.parametrize("rule", RULES, ids=[rule.use for rule in RULES])
def test_every_rule_finds_a_use_by_name_until_it_is_declared(
    bare_package: dict[str, Path], rule: Any
) -> None:
    name = sorted(rule.names)[0]
    use_in_code(bare_package["code_dir"], f"from ask_sdk_model import {name}\n\nFEATURE = {name}")

    (finding,) = check_manifest.check(release=False, **bare_package)
    assert "si_coach/feature_in_use.py:3" in finding
    assert repr(rule.declaration) in finding and rule.where in finding

    edit_manifest(bare_package, declare(rule))
    assert check_manifest.check(release=False, **bare_package) == []


@pytest.mark.parametrize("rule", RULES, ids=[rule.use for rule in RULES])
def test_every_rule_finds_a_use_by_string(bare_package: dict[str, Path], rule: Any) -> None:
    use_in_code(bare_package["code_dir"], f"REQUEST_TYPE = {rule.strings[0]!r}")

    (finding,) = check_manifest.check(release=False, **bare_package)
    assert repr(rule.declaration) in finding


def test_skill_events_handled_through_the_sdk_predicate_are_found(
    bare_package: dict[str, Path],
) -> None:
    use_in_code(
        bare_package["code_dir"],
        "from ask_sdk_core.utils import is_request_type\n\n"
        'handles = is_request_type("AlexaSkillEvent.SkillDisabled")',
    )

    (finding,) = check_manifest.check(release=False, **bare_package)
    assert "'SKILL_DISABLED' in manifest.events.subscriptions[].eventName" in finding


@pytest.mark.slow
def test_describing_a_feature_is_not_using_it(skill_package: dict[str, Path]) -> None:
    use_in_code(
        skill_package["code_dir"],
        "def reply() -> str:\n"
        '    """Never sends Alexa.Presentation.APL.RenderDocument or a reminder."""\n'
        "    # ReminderManagementServiceClient, alexa::alerts:reminders:skill:readwrite: later\n"
        '    return "plain speech"',
    )

    assert check_manifest.check(release=False, **skill_package) == []
