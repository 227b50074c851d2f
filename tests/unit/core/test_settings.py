"""Settings are declared once; bad values are refused with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import open_store

from asyncdesk.core import settings
from asyncdesk.core.errors import BadInput
from asyncdesk.store.settings import get_setting, set_setting


def test_every_setting_has_a_type_default_and_description() -> None:
    for name, setting in settings.SETTINGS.items():
        assert setting.name == name
        assert isinstance(setting.default, setting.type)
        assert len(setting.description) > 20


def test_values_are_parsed_and_checked() -> None:
    assert settings.SLA_DEFAULT_MINUTES.parse("24") == 24
    with pytest.raises(BadInput, match="whole number"):
        settings.SLA_DEFAULT_MINUTES.parse("two days")
    with pytest.raises(BadInput, match="greater than zero"):
        settings.SLA_DEFAULT_MINUTES.parse("0")
    with pytest.raises(BadInput, match="unknown time zone"):
        settings.TIMEZONE.parse("Mars/Olympus")
    assert settings.TIMEZONE.parse("Europe/Berlin") == "Europe/Berlin"
    with pytest.raises(BadInput, match="unknown setting"):
        settings.lookup("nope")


def test_stored_settings_persist_and_defaults_are_not_stored(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        with store.reading() as session:
            assert get_setting(session, settings.SLA_DEFAULT_MINUTES) == 2880
        with store.writing() as session:
            set_setting(session, settings.SLA_DEFAULT_MINUTES, 24)
    with open_store(tmp_path / "p") as store:
        with store.reading() as session:
            assert get_setting(session, settings.SLA_DEFAULT_MINUTES) == 24
        with store.writing() as session:
            set_setting(session, settings.SLA_DEFAULT_MINUTES, 2880)
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM settings").scalar() == 0
