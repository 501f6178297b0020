"""The ProgressTable as template.yaml defines it, for building the same table under moto.

The template is the only place the table's schema is written down; the tests and the
benchmark read it from there instead of repeating key names and billing mode.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

TEMPLATE_PATH = Path(__file__).resolve().parents[1] / "template.yaml"
PROGRESS_TABLE_LOGICAL_ID = "ProgressTable"

# Properties whose CloudFormation shape is the CreateTable API's shape.
_PASSED_THROUGH = (
    "AttributeDefinitions",
    "KeySchema",
    "BillingMode",
    "GlobalSecondaryIndexes",
    "LocalSecondaryIndexes",
    "TableClass",
    "DeletionProtectionEnabled",
)
# Properties that are not CreateTable arguments and have no effect on reads and writes.
_NOT_CREATE_TABLE_ARGUMENTS = ("PointInTimeRecoverySpecification",)
# Properties set by a call after CreateTable (see create_progress_table).
_SET_AFTER_CREATION = ("TimeToLiveSpecification",)


class CloudFormationLoader(yaml.SafeLoader):
    """A safe YAML loader that reads CloudFormation short tags (``!Ref X``) as their long form."""


def _construct_intrinsic(loader: CloudFormationLoader, tag_suffix: str, node: yaml.Node) -> Any:
    function_name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        argument: Any = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":
            argument = argument.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        argument = loader.construct_sequence(node, deep=True)
    else:
        argument = loader.construct_mapping(node, deep=True)
    return {function_name: argument}


CloudFormationLoader.add_multi_constructor("!", _construct_intrinsic)


def load_template(template_path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """The template as plain dicts and lists, intrinsic functions in their long form."""
    with template_path.open(encoding="utf-8") as template_file:
        return yaml.load(template_file, Loader=CloudFormationLoader)


def progress_table_resource(template: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ProgressTable resource (Type, Properties, policies) from the template."""
    template = load_template() if template is None else template
    return template["Resources"][PROGRESS_TABLE_LOGICAL_ID]


def progress_table_create_arguments(
    table_name: str, template: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Keyword arguments for ``create_table`` that make the template's ProgressTable.

    Raises ValueError on a table property this function does not know, so that a change to
    the template cannot be silently left out of the tests' table.
    """
    properties = progress_table_resource(template)["Properties"]
    unknown = set(properties) - {
        *_PASSED_THROUGH,
        *_NOT_CREATE_TABLE_ARGUMENTS,
        *_SET_AFTER_CREATION,
        "SSESpecification",
    }
    if unknown:
        raise ValueError(
            f"{PROGRESS_TABLE_LOGICAL_ID} property not translated for create_table: "
            f"{sorted(unknown)}; extend local/template_table.py"
        )
    arguments = {name: properties[name] for name in _PASSED_THROUGH if name in properties}
    if "SSESpecification" in properties:
        # CloudFormation says SSEEnabled where the API says Enabled.
        cloudformation_sse = dict(properties["SSESpecification"])
        api_sse = {"Enabled": cloudformation_sse.pop("SSEEnabled")}
        api_sse.update(cloudformation_sse)
        arguments["SSESpecification"] = api_sse
    return {"TableName": table_name, **arguments}


def create_progress_table(dynamodb_resource: Any, table_name: str) -> Any:
    """Create the template's ProgressTable as ``table_name`` and wait until it exists."""
    table = dynamodb_resource.create_table(**progress_table_create_arguments(table_name))
    table.wait_until_exists()
    time_to_live = progress_table_resource()["Properties"].get("TimeToLiveSpecification")
    if time_to_live is not None:
        dynamodb_resource.meta.client.update_time_to_live(
            TableName=table_name, TimeToLiveSpecification=time_to_live
        )
    return table
