"""Stored values of the settings declared in :mod:`asyncdesk.core.settings`."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from asyncdesk.core.settings import Setting
from asyncdesk.store.schema import SettingRow

T = TypeVar("T")


def get_setting(session: Session, setting: Setting[T]) -> T:
    stored = session.scalars(
        select(SettingRow.value).where(SettingRow.name == setting.name)
    ).first()
    if stored is None:
        return setting.default
    return setting.validate(stored)


def set_setting(session: Session, setting: Setting[T], value: T) -> None:
    checked = setting.validate(value)
    if checked == setting.default:
        session.execute(delete(SettingRow).where(SettingRow.name == setting.name))
        return
    statement = insert(SettingRow).values(name=setting.name, value=checked)
    session.execute(
        statement.on_conflict_do_update(index_elements=["name"], set_={"value": checked})
    )
