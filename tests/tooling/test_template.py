"""template.yaml: the deployed function and ProgressTable have the settings the skill relies on."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.template_table import (
    PROGRESS_TABLE_LOGICAL_ID,
    TEMPLATE_PATH,
    load_template,
    progress_table_create_arguments,
)

REPO_ROOT = TEMPLATE_PATH.parent
FUNCTION_LOGICAL_ID = "SkillFunction"
TABLE_REF = {"Ref": PROGRESS_TABLE_LOGICAL_ID}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


@pytest.fixture(scope="module")
def skill_function(template: dict[str, Any]) -> dict[str, Any]:
    function = template["Resources"][FUNCTION_LOGICAL_ID]
    assert function["Type"] == "AWS::Serverless::Function"
    return function["Properties"]


@pytest.fixture(scope="module")
def progress_table(template: dict[str, Any]) -> dict[str, Any]:
    table = template["Resources"][PROGRESS_TABLE_LOGICAL_ID]
    assert table["Type"] == "AWS::DynamoDB::Table"
    return table


def test_template_is_a_sam_template(template: dict[str, Any]) -> None:
    assert template["Transform"] == "AWS::Serverless-2016-10-31"
    assert template["Parameters"]["SkillId"]["Type"] == "String"
    assert set(template["Resources"]) == {FUNCTION_LOGICAL_ID, PROGRESS_TABLE_LOGICAL_ID}


def test_snapstart_is_a_parameter_off_by_default(template: dict[str, Any]) -> None:
    parameter = template["Parameters"]["SnapStart"]

    assert parameter["AllowedValues"] == ["Enabled", "Disabled"]
    assert parameter["Default"] == "Disabled"
    assert template["Conditions"]["SnapStartOn"] == {
        "Fn::Equals": [{"Ref": "SnapStart"}, "Enabled"]
    }


def test_snapstart_applies_to_the_published_versions_behind_the_alias(
    skill_function: dict[str, Any],
) -> None:
    assert skill_function["SnapStart"] == {
        "ApplyOn": {"Fn::If": ["SnapStartOn", "PublishedVersions", "None"]}
    }
    assert skill_function["AutoPublishAlias"] == "live"
    # A version's description cannot change: a new one publishes a new version, so
    # switching SnapStart on takes effect without a code change.
    assert "${SnapStart}" in skill_function["VersionDescription"]["Fn::Sub"]


def test_progress_table_is_keyed_by_id_as_the_adapter_expects(
    progress_table: dict[str, Any],
) -> None:
    from si_coach.storage.dynamodb import PARTITION_KEY_NAME

    properties = progress_table["Properties"]
    assert properties["KeySchema"] == [{"AttributeName": PARTITION_KEY_NAME, "KeyType": "HASH"}]
    assert properties["AttributeDefinitions"] == [
        {"AttributeName": PARTITION_KEY_NAME, "AttributeType": "S"}
    ]


def test_progress_table_is_on_demand_encrypted_and_recoverable(
    progress_table: dict[str, Any],
) -> None:
    properties = progress_table["Properties"]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert "ProvisionedThroughput" not in properties
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"]["SSEEnabled"] is True


def test_progress_table_survives_stack_deletion_and_replacement(
    progress_table: dict[str, Any],
) -> None:
    assert progress_table["DeletionPolicy"] == "Retain"
    assert progress_table["UpdateReplacePolicy"] == "Retain"


def test_tests_build_the_table_from_the_template() -> None:
    arguments = progress_table_create_arguments("ProgressTable-test")

    assert arguments["TableName"] == "ProgressTable-test"
    assert arguments["BillingMode"] == "PAY_PER_REQUEST"
    assert arguments["SSESpecification"] == {"Enabled": True}


def test_table_properties_unknown_to_the_tests_are_refused(template: dict[str, Any]) -> None:
    changed = {
        **template,
        "Resources": {
            PROGRESS_TABLE_LOGICAL_ID: {
                "Properties": {
                    **template["Resources"][PROGRESS_TABLE_LOGICAL_ID]["Properties"],
                    "StreamSpecification": {"StreamViewType": "NEW_IMAGE"},
                }
            }
        },
    }

    with pytest.raises(ValueError, match="StreamSpecification"):
        progress_table_create_arguments("ProgressTable-test", changed)


def _python_version(runtime: str) -> tuple[int, int]:
    major, minor = runtime.removeprefix("python").split(".")
    return int(major), int(minor)


def test_runtime_is_supported_as_long_as_the_newest_and_at_most_one_behind(
    skill_function: dict[str, Any],
) -> None:
    # The runtime is the newest Python whose bytecode the build can compile here (the
    # package ships it: scripts/package.py; docs/deploying.md says why), not necessarily the
    # newest Lambda offers. cfn-lint's record of Lambda runtimes (pinned with it) must give
    # it as long a life as the newest, and it may trail the newest by one minor version: a
    # cfn-lint upgrade that knows a newer runtime, or a shorter life, fails this test.
    import cfnlint.data.AdditionalSpecs

    lifecycle = json.loads(
        (
            Path(cfnlint.data.AdditionalSpecs.__file__).parent / "LmbdRuntimeLifecycle.json"
        ).read_text(encoding="utf-8")
    )
    pythons = [name for name in lifecycle if re.fullmatch(r"python3\.\d+", name)]
    newest = max(pythons, key=_python_version)
    runtime = skill_function["Runtime"]

    assert lifecycle[newest]["successor"] is None
    assert runtime in lifecycle
    assert _python_version(newest)[1] - _python_version(runtime)[1] <= 1
    for date in ("deprecated", "create-block", "update-block"):
        assert lifecycle[runtime][date] >= lifecycle[newest][date], date
    assert skill_function["Architectures"] == ["arm64"]


def test_the_code_runs_on_the_runtime_and_on_python_3_11(skill_function: dict[str, Any]) -> None:
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")

    # Lint for the oldest Python the code supports; the Makefile refuses anything older.
    assert pyproject["tool"]["ruff"]["target-version"] == "py311"
    assert "sys.version_info < (3, 11)" in makefile
    assert _python_version(skill_function["Runtime"]) >= (3, 11)
    assert sys.version_info >= (3, 11)


def test_function_answers_within_alexas_deadline(skill_function: dict[str, Any]) -> None:
    assert skill_function["Timeout"] < 8  # Alexa gives up after about 8 s
    assert skill_function["MemorySize"] >= 256


def test_handler_exists_in_the_code_uri(skill_function: dict[str, Any]) -> None:
    module_name, handler_name = skill_function["Handler"].rsplit(".", 1)
    handler_file = REPO_ROOT / skill_function["CodeUri"] / f"{module_name}.py"

    # Parsed, not imported: importing builds the skill, which is not this test's subject.
    top_level_names = set()
    for statement in ast.parse(handler_file.read_text(encoding="utf-8")).body:
        if isinstance(statement, ast.FunctionDef):
            top_level_names.add(statement.name)
        elif isinstance(statement, ast.Assign):
            top_level_names.update(t.id for t in statement.targets if isinstance(t, ast.Name))
    assert handler_name in top_level_names


def test_code_uri_carries_the_runtime_requirements(skill_function: dict[str, Any]) -> None:
    code_requirements = REPO_ROOT / skill_function["CodeUri"] / "requirements.txt"
    requirement_lines = [
        line.strip()
        for line in code_requirements.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]

    # One source of truth: sam build installs the top-level pins through this reference.
    assert requirement_lines == ["-r ../requirements.txt"]
    assert (code_requirements.parent / "../requirements.txt").resolve() == (
        REPO_ROOT / "requirements.txt"
    )


def test_function_may_use_the_progress_table_only(skill_function: dict[str, Any]) -> None:
    assert skill_function["Policies"] == [{"DynamoDBCrudPolicy": {"TableName": TABLE_REF}}]


def test_function_is_told_its_table_and_skill(skill_function: dict[str, Any]) -> None:
    variables = skill_function["Environment"]["Variables"]

    assert variables["TABLE_NAME"] == TABLE_REF
    assert variables["SKILL_ID"] == {"Ref": "SkillId"}


def test_only_the_skill_may_invoke_the_function(skill_function: dict[str, Any]) -> None:
    events = list(skill_function["Events"].values())

    assert events == [{"Type": "AlexaSkill", "Properties": {"SkillId": {"Ref": "SkillId"}}}]


def test_outputs_give_the_endpoint_alias_and_the_table(template: dict[str, Any]) -> None:
    outputs = template["Outputs"]

    assert outputs["SkillEndpointArn"]["Value"] == {"Ref": f"{FUNCTION_LOGICAL_ID}.Alias"}
    assert outputs["ProgressTableName"]["Value"] == TABLE_REF


def test_progress_table_expires_records_by_the_adapters_attribute(
    progress_table: dict[str, Any],
) -> None:
    from si_coach.storage.lifecycle import EXPIRY_ATTRIBUTE

    assert progress_table["Properties"]["TimeToLiveSpecification"] == {
        "AttributeName": EXPIRY_ATTRIBUTE,
        "Enabled": True,
    }


PSEUDO_PARAMETERS = {
    "AWS::AccountId",
    "AWS::NoValue",
    "AWS::NotificationARNs",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
}


def referenced_names(node: Any) -> Iterator[str]:
    """Every logical ID or parameter that a Ref, GetAtt or Sub inside ``node`` names."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref":
                # SAM's generated resources: Function.Alias, Function.Version.
                yield value.split(".")[0] if value.endswith((".Alias", ".Version")) else value
            elif key == "Fn::GetAtt":
                yield value[0]
            elif key == "Fn::Sub":
                text = value if isinstance(value, str) else value[0]
                local_names = set() if isinstance(value, str) else set(value[1])
                for name in re.findall(r"\$\{([^}!]+)\}", text):
                    if name.split(".")[0] not in local_names:
                        yield name.split(".")[0]
            if key != "Ref":
                yield from referenced_names(value)
    elif isinstance(node, list):
        for item in node:
            yield from referenced_names(item)


def test_every_reference_names_something_defined(template: dict[str, Any]) -> None:
    # Neither cfn-lint nor `sam validate` notices a misspelt !Ref in a SAM template.
    defined = set(template["Parameters"]) | set(template["Resources"]) | PSEUDO_PARAMETERS
    assert all(
        name in template["Conditions"]
        for name in re.findall(r"'Fn::If': \['(\w+)'", repr(template["Resources"]))
    )
    dangling = {
        name
        for section in ("Resources", "Outputs")
        for name in referenced_names(template[section])
        if name not in defined
    }

    assert dangling == set()


def test_a_misspelt_reference_is_noticed() -> None:
    assert list(referenced_names({"Value": {"Ref": "ProgressTabel"}})) == ["ProgressTabel"]
    assert list(referenced_names({"Fn::Sub": "arn:${AWS::Partition}:x:${Missing.Arn}"})) == [
        "AWS::Partition",
        "Missing",
    ]


def test_cfn_lint_finds_no_errors_or_warnings() -> None:
    from cfnlint.api import lint_file

    findings = [
        str(match)
        for match in lint_file(TEMPLATE_PATH)
        if match.rule.severity in ("error", "warning")
    ]

    assert findings == []


# -- the template as CloudFormation sees it, after the SAM transform ---------------------------

SAM_PYTHON = REPO_ROOT / ".venv-sam" / "bin" / "python"
# Run by .venv-sam's Python: SAM's own translator, offline (no managed policies are looked up:
# the template names none). The code is given as an uploaded zip, as `sam deploy` does.
_TRANSLATE = """
import json, sys
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse
class NoManagedPolicies:
    def load(self):
        return {}
template = yaml_parse(open(sys.argv[1], encoding="utf-8").read())
template["Resources"]["SkillFunction"]["Properties"]["CodeUri"] = "s3://bucket/" + sys.argv[3]
parameters = {"SkillId": "amzn1.ask.skill.test", "SnapStart": sys.argv[2]}
print(json.dumps(transform(template, parameters, NoManagedPolicies())))
"""


def translated(snapstart: str, code_key: str = "code.zip") -> dict[str, Any]:
    if not SAM_PYTHON.exists():
        pytest.skip(".venv-sam is missing: `make test` (scripts/validate-template) creates it")
    result = subprocess.run(
        [str(SAM_PYTHON), "-c", _TRANSLATE, str(TEMPLATE_PATH), snapstart, code_key],
        env={**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "SAM_CLI_TELEMETRY": "0"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def resources_of_type(template: dict[str, Any], resource_type: str) -> dict[str, Any]:
    return {
        name: resource
        for name, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


@pytest.mark.parametrize("snapstart", ["Enabled", "Disabled"])
def test_the_skill_may_invoke_only_the_alias_it_is_given(snapstart: str) -> None:
    cloudformation = translated(snapstart)
    ((alias_id, alias),) = resources_of_type(cloudformation, "AWS::Lambda::Alias").items()
    ((version_id, _),) = resources_of_type(cloudformation, "AWS::Lambda::Version").items()
    (permission,) = resources_of_type(cloudformation, "AWS::Lambda::Permission").values()

    assert alias["Properties"]["Name"] == "live"
    assert alias["Properties"]["FunctionVersion"] == {"Fn::GetAtt": [version_id, "Version"]}
    assert permission["Properties"]["FunctionName"] == {"Ref": alias_id}
    assert permission["Properties"]["EventSourceToken"] == {"Ref": "SkillId"}
    assert cloudformation["Outputs"]["SkillEndpointArn"]["Value"] == {"Ref": alias_id}


def test_a_code_change_or_a_snapstart_switch_publishes_a_new_version() -> None:
    def version(snapstart: str, code_key: str) -> tuple[str, dict[str, Any]]:
        cloudformation = translated(snapstart, code_key)
        ((version_id, resource),) = resources_of_type(
            cloudformation, "AWS::Lambda::Version"
        ).items()
        return version_id, resource["Properties"]["Description"]

    off, on, new_code = (
        version("Disabled", "a.zip"),
        version("Enabled", "a.zip"),
        version("Disabled", "b.zip"),
    )

    assert new_code[0] != off[0], "new code, new version resource"
    # The same resource either way, but CloudFormation resolves its description with the
    # parameter's value, and a description is create-only: a new one replaces the version,
    # that is, publishes a new one.
    assert on == off
    assert off[1] == {"Fn::Sub": "SI Joint Coach request handler, SnapStart ${SnapStart}"}
    assert (
        "/properties/Description"
        in cloudformation_schema("AWS::Lambda::Version")["createOnlyProperties"]
    )


def cloudformation_schema(resource_type: str) -> dict[str, Any]:
    """The resource provider schema cfn-lint carries for ``resource_type``."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    return PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", resource_type).schema
