"""Chat invitations: kept in step by the sync, offered by the window."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from asyncdesk.store.schema import AccountRow, ChatInvitationRow


@dataclass(frozen=True, slots=True)
class PendingInvitation:
    account: str
    room_id: str
    name: str
    inviter: str
    invited_at: datetime


def apply_invitations(
    session: Session,
    account_id: int,
    invitations: Sequence[tuple[str, str, str]],
    *,
    complete: bool,
    gone: Sequence[str],
    now: datetime,
) -> None:
    """``invitations`` are ``(room_id, name, inviter)``; with ``complete`` they are all
    there are. Rooms in ``gone`` are pending no more. Known ones keep their first date."""
    rooms = [room for room, _, _ in invitations]
    if complete:
        session.execute(
            delete(ChatInvitationRow).where(
                ChatInvitationRow.account_id == account_id,
                ChatInvitationRow.room_id.not_in(rooms),
            )
        )
    for room, name, inviter in invitations:
        upsert = insert(ChatInvitationRow).values(
            account_id=account_id, room_id=room, name=name, inviter=inviter, invited_at=now
        )
        session.execute(
            upsert.on_conflict_do_update(
                index_elements=["account_id", "room_id"],
                set_={"name": upsert.excluded.name, "inviter": upsert.excluded.inviter},
            )
        )
    if gone:
        forget_invitations(session, account_id, gone)


def forget_invitations(session: Session, account_id: int, rooms: Sequence[str]) -> None:
    session.execute(
        delete(ChatInvitationRow).where(
            ChatInvitationRow.account_id == account_id, ChatInvitationRow.room_id.in_(rooms)
        )
    )


def pending_invitations(session: Session) -> list[PendingInvitation]:
    """Every pending invitation, oldest first."""
    rows = session.execute(
        select(ChatInvitationRow, AccountRow.name)
        .join(AccountRow, AccountRow.id == ChatInvitationRow.account_id)
        .order_by(ChatInvitationRow.invited_at, ChatInvitationRow.room_id)
    ).all()
    return [
        PendingInvitation(name, row.room_id, row.name, row.inviter, row.invited_at)
        for row, name in rows
    ]
