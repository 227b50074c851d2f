"""Every custom item role of AsyncDesk's item models, in one documented enum.

One enum (Trojitá's ``ItemRoles.h``) keeps the numbers unique across models, so a
delegate or a proxy model can read any of them without knowing which model it sits on.
Each value says what ``QAbstractItemModel.data(index, role)`` returns for it. Roles
answer the same on every column of a row. Instants are timezone-aware UTC ``datetime``
objects; turning them into local time is the view's business.
"""

from __future__ import annotations

from enum import IntEnum

# Qt.ItemDataRole.UserRole; spelled as a number so this module needs no Qt import.
_USER_ROLE = 0x0100


class ItemRole(IntEnum):
    """Custom roles; compare with the ``role`` argument of ``data()``, which is an int."""

    MessageIdRole = _USER_ROLE + 1
    """``int``: the store's id of the message (``StoredMessage.id``)."""

    ReceivedAtRole = _USER_ROLE + 2
    """``datetime`` (UTC): when the message arrived."""

    NeedsReplyRole = _USER_ROLE + 3
    """``bool``: whether the message asks for a reply from the user."""

    StateRole = _USER_ROLE + 4
    """``str | None``: the reply-by state (``"open"``, ``"replied"``, ``"snoozed"``,
    ``"dismissed"``), ``None`` when no reply is needed."""

    DueAtRole = _USER_ROLE + 5
    """``datetime | None`` (UTC): the reply-by deadline, ``None`` when none."""

    AccountRole = _USER_ROLE + 6
    """``str``: the account's name."""

    SenderAddressRole = _USER_ROLE + 7
    """``str``: the sender's normalised address or chat id."""

    MessageRole = _USER_ROLE + 8
    """``StoredMessage``: the whole row, for views that need more than one field."""

    LabelsRole = _USER_ROLE + 9
    """``tuple[str, ...]``: the message's labels (``meeting_request``, ``first_contact``,
    ``video``... as ``inbox --json`` has them); empty until they are read, just after
    the page is shown."""

    @classmethod
    def role_names(cls) -> dict[int, bytes]:
        """Names for ``QAbstractItemModel.roleNames()`` (QML, debugging tools)."""
        names: dict[int, bytes] = {}
        for role in cls:
            stem = role.name.removesuffix("Role")
            names[int(role)] = (stem[:1].lower() + stem[1:]).encode()
        return names
