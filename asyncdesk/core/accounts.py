"""Accounts: where messages come from, and who "me" is in each of them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from asyncdesk.core.errors import BadInput


class AccountKind(StrEnum):
    """The protocol behind an account; the value is the ``kind`` in ``inbox --json``."""

    EMAIL = "email"
    MATRIX = "matrix"
    SLACK = "slack"
    DEMO = "demo"


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def check_account_name(name: str) -> str:
    """Account names appear in commands and file names: keep them plain."""
    if not _NAME.match(name):
        raise BadInput(
            f"invalid account name {name!r}: use 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return name


@dataclass(frozen=True, slots=True)
class Account:
    """A configured source. ``identities`` are the user's own addresses or chat ids there.

    ``config`` holds connection settings only; secrets never live here (they are in
    the system keyring, looked up by account name).
    """

    name: str
    kind: AccountKind
    identities: tuple[str, ...]
    config: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
