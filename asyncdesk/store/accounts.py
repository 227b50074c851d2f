"""Accounts in the profile."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.errors import BadInput
from asyncdesk.store.schema import AccountRow


def _to_account(row: AccountRow) -> Account:
    return Account(
        id=row.id,
        name=row.name,
        kind=AccountKind(row.kind),
        identities=tuple(row.identities),
        config=dict(row.config),
    )


def add_account(session: Session, account: Account, created_at: datetime) -> Account:
    row = AccountRow(
        name=account.name,
        kind=account.kind.value,
        identities=list(account.identities),
        config=dict(account.config),
        created_at=created_at,
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise BadInput(f"an account named {account.name!r} already exists") from None
    return _to_account(row)


def list_accounts(session: Session) -> list[Account]:
    rows = session.scalars(select(AccountRow).order_by(AccountRow.name))
    return [_to_account(row) for row in rows]


def find_account(session: Session, name: str) -> Account | None:
    row = session.scalars(select(AccountRow).where(AccountRow.name == name)).first()
    return None if row is None else _to_account(row)


def get_account(session: Session, name: str) -> Account:
    account = find_account(session, name)
    if account is None:
        raise BadInput(f"no account named {name!r} (see: asyncdesk account list)")
    return account


def update_account(session: Session, account: Account) -> Account:
    """Replace the settings and identities of the account named ``account.name``.

    Its id stays, and with it its messages, deadlines and sync state.
    """
    result = session.execute(
        update(AccountRow)
        .where(AccountRow.name == account.name, AccountRow.kind == account.kind.value)
        .values(identities=list(account.identities), config=dict(account.config))
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise BadInput(f"no {account.kind.value} account named {account.name!r}")
    return get_account(session, account.name)


def remove_account(session: Session, name: str) -> None:
    """Remove an account and, by cascade, its messages and sync state."""
    result = session.execute(delete(AccountRow).where(AccountRow.name == name))
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise BadInput(f"no account named {name!r} (see: asyncdesk account list)")
