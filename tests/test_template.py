"""template.yaml: the deployed function and ProgressTable have the settings the skill relies on."""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
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


def test_runtime_is_the_python_the_tests_run_on(skill_function: dict[str, Any]) -> None:
    assert skill_function["Runtime"] == f"python{sys.version_info.major}.{sys.version_info.minor}"
    assert skill_function["Architectures"] == ["arm64"]


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


def test_outputs_give_the_endpoint_and_the_table(template: dict[str, Any]) -> None:
    output_values = [output["Value"] for output in template["Outputs"].values()]

    assert {"Fn::GetAtt": [FUNCTION_LOGICAL_ID, "Arn"]} in output_values
    assert TABLE_REF in output_values


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
                yield value
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
