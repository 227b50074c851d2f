"""File ▸ Settings…: each section changes the profile through the services, or says in
one line why not and changes nothing.

Real profiles on real SQLite in Berlin, the clock pinned on Monday 23 November 2026,
14:30; passwords in the test keyring (keyrings.alt, chosen in tests/conftest.py); a real
Dovecot for the one IMAP login that must work (skipped where Dovecot is not installed).
What a section did is read back through the services the command line uses.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QWidget,
)
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from servers.net import free_port

from asyncdesk.core import settings as declared
from asyncdesk.core.accounts import AccountKind
from asyncdesk.core.clock import FixedClock
from asyncdesk.core.schedule import BlockKind, WeeklyBlock, parse_clock, parse_days
from asyncdesk.services.accounts import add_imap_account, build_imap_account, profile_secrets
from asyncdesk.services.deadlines import add_sla_rule, summary
from asyncdesk.services.profile import read_setting
from asyncdesk.services.schedule import change_schedule, load_schedule, set_timezone
from asyncdesk.services.secrets import KeyringSecrets
from asyncdesk.store.database import Store
from asyncdesk.store.promises import Rule
from asyncdesk.ui.settings_dialog import SECTIONS, SettingsDialog, profile_accounts

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 14, 30, tzinfo=BERLIN).astimezone(UTC)
SECRET = "correct horse battery staple"
WAIT = 10_000


def block(kind: BlockKind, days: str, start: str, end: str) -> WeeklyBlock:
    return WeeklyBlock(kind, parse_days(days), parse_clock(start), parse_clock(end, end=True))


MORNING = block(BlockKind.WINDOW, "mon-fri", "09:00", "09:30")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def store(open_store: Callable[[Path], Store], tmp_path: Path, clock: FixedClock) -> Store:
    """A profile in Berlin, otherwise empty."""
    opened = open_store(tmp_path / "profile")
    set_timezone(opened, clock, "Europe/Berlin")
    return opened


@pytest.fixture
def settings(open_settings: Callable[[], SettingsDialog]) -> SettingsDialog:
    return open_settings()


def changed(
    qtbot: QtBot, dialog: SettingsDialog, section: str, action: Callable[[], object]
) -> None:
    """Run ``action`` and wait until ``section`` wrote its change and shows it."""
    with qtbot.waitSignal(
        dialog.changed, timeout=WAIT, check_params_cb=lambda name: name == section
    ):
        action()


def refused(
    qtbot: QtBot, dialog: SettingsDialog, section: str, action: Callable[[], object]
) -> str:
    """Run ``action``; the one line the section shows under its form."""
    with qtbot.waitSignal(dialog.failed, timeout=WAIT) as failed:
        action()
    name, message = failed.args
    assert name == section
    assert "\n" not in message
    shown = dialog.sections[section].error_label
    assert shown.text() == message
    assert shown.isVisibleTo(dialog.sections[section])  # (its tab may be behind another)
    return message


def add_account(store: Store, name: str = "work", password: str = SECRET) -> None:
    account = build_imap_account(
        name, host="imap.example.org", port=993, security="tls", user=f"{name}@example.org"
    )
    add_imap_account(store, FixedClock(NOW), KeyringSecrets, account, password, verify=False)


def rows(dialog_model: object) -> list[list[str]]:
    from PySide6.QtGui import QStandardItemModel

    assert isinstance(dialog_model, QStandardItemModel)
    return [
        [dialog_model.item(row, column).text() for column in range(dialog_model.columnCount())]
        for row in range(dialog_model.rowCount())
    ]


# ------------------------------------------------------------------------- general


def test_the_lists_are_sound_item_models(
    qtbot: QtBot,
    qtmodeltester: ModelTester,
    store: Store,
    clock: FixedClock,
    tmp_path: Path,
    open_settings: Callable[[], SettingsDialog],
) -> None:
    add_account(store)
    change_schedule(store, clock, lambda s: s.with_weekly(MORNING))
    add_sla_rule(store, clock, "domain", "clients.example", timedelta(hours=4))
    dialog = open_settings()
    changed(qtbot, dialog, "calendar", lambda: _import(dialog, _ics(tmp_path)))
    models = [
        dialog.accounts.model,
        dialog.schedule.model,
        dialog.calendar.model,
        dialog.reply_by.rules_model,
    ]
    for model in models:
        assert model.rowCount() == 1
        qtmodeltester.check(model, force_py=True)


def test_show_section_brings_a_tab_to_the_front(settings: SettingsDialog) -> None:
    assert list(settings.sections) == list(SECTIONS)
    settings.show_section("reply_by")
    assert settings.tabs.currentWidget() is settings.reply_by
    settings.show_section("accounts")
    assert settings.tabs.currentWidget() is settings.accounts


def test_every_control_has_an_accessible_name(settings: SettingsDialog) -> None:
    unnamed = [
        f"{type(widget).__name__} {widget.objectName()!r}"
        for widget in controls(settings)
        if not widget.accessibleName()
    ]
    assert unnamed == []


def controls(root: QWidget) -> list[QWidget]:
    """The widgets a user operates, without the parts of composite ones (a combo box's
    line edit and list, a spin box's editor, a table's headers, a tab bar's arrows)."""
    kinds = (
        QAbstractButton,
        QLineEdit,
        QComboBox,
        QAbstractSpinBox,
        QAbstractItemView,
        QPlainTextEdit,
    )
    composite = (QComboBox, QAbstractSpinBox, QAbstractItemView, QTabBar)
    found = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, kinds) or widget.isWindow():
            continue
        ancestor = widget.parentWidget()
        while ancestor is not None and not isinstance(ancestor, composite):
            ancestor = ancestor.parentWidget()
        if ancestor is None:
            found.append(widget)
    return found


# ------------------------------------------------------------------------- schedule


def test_a_block_added_in_the_form_is_in_the_profile(
    qtbot: QtBot, settings: SettingsDialog, store: Store
) -> None:
    section = settings.schedule
    assert section.empty_label.isVisibleTo(section)
    section.start_edit.setText("09:00")
    section.end_edit.setText("09:30")
    changed(qtbot, settings, "schedule", section.add_button.click)
    assert load_schedule(store).weekly == (MORNING,)
    assert rows(section.model) == [["Window", "Mon–Fri", "09:00", "09:30"]]
    assert not section.empty_label.isVisibleTo(section)
    assert section.status_label.text() == "Added the window mon-fri 09:00-09:30."

    section.kind_combo.setCurrentIndex(section.kind_combo.findData(BlockKind.DEEP_WORK))
    for day, box in enumerate(section.days.boxes):
        box.setChecked(day in (0, 2))
    section.start_edit.setText("09:30")
    section.end_edit.setText("12:00")
    changed(qtbot, settings, "schedule", section.add_button.click)
    assert set(load_schedule(store).weekly) == {
        MORNING,
        block(BlockKind.DEEP_WORK, "mon,wed", "09:30", "12:00"),
    }
    assert rows(section.model)[1] == ["Deep work", "Mon, Wed", "09:30", "12:00"]


def test_an_overlap_is_one_line_and_changes_nothing(
    qtbot: QtBot, store: Store, clock: FixedClock, open_settings: Callable[[], SettingsDialog]
) -> None:
    change_schedule(store, clock, lambda s: s.with_weekly(MORNING))
    dialog = open_settings()
    section = dialog.schedule
    section.kind_combo.setCurrentIndex(section.kind_combo.findData(BlockKind.DEEP_WORK))
    section.start_edit.setText("09:15")
    section.end_edit.setText("10:00")
    message = refused(qtbot, dialog, "schedule", section.add_button.click)
    assert message == ("Deep-work block mon-fri 09:15-10:00 overlaps window mon-fri 09:00-09:30")
    assert load_schedule(store).weekly == (MORNING,)
    assert section.add_button.isEnabled()
    # The next good change clears the line.
    section.start_edit.setText("09:30")
    changed(qtbot, dialog, "schedule", section.add_button.click)
    assert not section.error_label.isVisibleTo(section)


@pytest.mark.parametrize(
    ("start", "end", "days", "message"),
    [
        ("9h", "10:00", "mon", "Not a time of day: '9h' (write HH:MM, e.g. 09:30)"),
        (
            "10:00",
            "09:00",
            "mon",
            "The end 09:00 must be after the start 10:00 (blocks cannot "
            "cross midnight; split them in two)",
        ),
        ("09:00", "10:00", "", "Tick at least one day."),
    ],
)
def test_a_block_that_cannot_be_is_refused_in_one_line(
    qtbot: QtBot,
    settings: SettingsDialog,
    store: Store,
    start: str,
    end: str,
    days: str,
    message: str,
) -> None:
    section = settings.schedule
    chosen = parse_days(days) if days else frozenset()
    section.days.set_days(chosen)
    section.start_edit.setText(start)
    section.end_edit.setText(end)
    assert refused(qtbot, settings, "schedule", section.add_button.click) == message
    assert load_schedule(store).weekly == ()


def test_removing_the_selected_block(
    qtbot: QtBot, store: Store, clock: FixedClock, open_settings: Callable[[], SettingsDialog]
) -> None:
    focus = block(BlockKind.DEEP_WORK, "mon-fri", "09:30", "12:00")
    change_schedule(store, clock, lambda s: s.with_weekly(MORNING).with_weekly(focus))
    dialog = open_settings()
    section = dialog.schedule
    assert not section.remove_button.isEnabled()
    section.select_row(1)
    assert section.selected() == focus
    changed(qtbot, dialog, "schedule", section.remove_button.click)
    assert load_schedule(store).weekly == (MORNING,)
    assert rows(section.model) == [["Window", "Mon–Fri", "09:00", "09:30"]]
    assert not section.remove_button.isEnabled()


def test_the_time_zone(qtbot: QtBot, settings: SettingsDialog, store: Store) -> None:
    section = settings.schedule
    assert section.zone_combo.currentText() == "Europe/Berlin"
    section.zone_combo.setCurrentText("Asia/Tokyo")
    changed(qtbot, settings, "schedule", section.zone_button.click)
    assert load_schedule(store).zone == ZoneInfo("Asia/Tokyo")
    section.zone_combo.setCurrentText("Berlin")
    message = refused(qtbot, settings, "schedule", section.zone_button.click)
    assert message == "Unknown time zone 'Berlin' (use an IANA name like Europe/Berlin)"
    assert load_schedule(store).zone == ZoneInfo("Asia/Tokyo")


# ------------------------------------------------------------------------- reply-by


def test_the_default_promise(qtbot: QtBot, settings: SettingsDialog, store: Store) -> None:
    section = settings.reply_by
    assert section.default_spin.value() == 48
    section.default_spin.setValue(24)
    changed(qtbot, settings, "reply_by", section.default_button.click)
    assert summary(store, FixedClock(NOW)).default == timedelta(hours=24)
    assert section.status_label.text() == "Promise: 24 h."


def test_adding_and_removing_a_rule(qtbot: QtBot, settings: SettingsDialog, store: Store) -> None:
    section = settings.reply_by
    section.rule_kind_combo.setCurrentIndex(section.rule_kind_combo.findData("sender"))
    section.rule_value_edit.setText(" Boss@Example.com ")
    section.rule_hours_spin.setValue(4)
    changed(qtbot, settings, "reply_by", section.rule_add_button.click)
    assert summary(store, FixedClock(NOW)).rules == [Rule("sender", "boss@example.com", 240)]
    assert rows(section.rules_model) == [["Sender", "boss@example.com", "4 h"]]
    assert section.rule_value_edit.text() == ""

    section.rule_kind_combo.setCurrentIndex(section.rule_kind_combo.findData("domain"))
    section.rule_value_edit.setText("clients.example")
    section.rule_hours_spin.setValue(72)
    changed(qtbot, settings, "reply_by", section.rule_add_button.click)
    assert len(summary(store, FixedClock(NOW)).rules) == 2

    section.select_rule("sender", "boss@example.com")
    changed(qtbot, settings, "reply_by", section.rule_remove_button.click)
    assert summary(store, FixedClock(NOW)).rules == [Rule("domain", "clients.example", 72 * 60)]
    assert rows(section.rules_model) == [["Domain", "clients.example", "72 h"]]


def test_a_rule_for_no_one_is_refused(qtbot: QtBot, settings: SettingsDialog, store: Store) -> None:
    section = settings.reply_by
    section.rule_value_edit.setText("not-an-address")
    message = refused(qtbot, settings, "reply_by", section.rule_add_button.click)
    assert message == "Sender takes an email address, not 'not-an-address'"
    section.rule_kind_combo.setCurrentIndex(section.rule_kind_combo.findData("account"))
    section.rule_value_edit.setText("nowhere")
    assert refused(qtbot, settings, "reply_by", section.rule_add_button.click).startswith(
        "No account"
    )
    assert summary(store, FixedClock(NOW)).rules == []


def test_working_hours(
    qtbot: QtBot,
    settings: SettingsDialog,
    store: Store,
    open_settings: Callable[[], SettingsDialog],
) -> None:
    section = settings.reply_by
    assert not section.hours_check.isChecked()
    assert not section.hours_start_edit.isEnabled()
    section.hours_check.setChecked(True)
    section.hours_days.set_days(parse_days("mon-thu"))
    section.hours_start_edit.setText("08:00")
    section.hours_end_edit.setText("16:00")
    changed(qtbot, settings, "reply_by", section.hours_button.click)
    assert summary(store, FixedClock(NOW)).working_hours == "mon,tue,wed,thu 08:00-16:00"
    assert section.status_label.text() == "Deadlines count Mon–Thu 08:00–16:00 only."

    again = open_settings().reply_by  # what a new dialog shows
    assert again.hours_check.isChecked()
    assert again.hours_days.days() == parse_days("mon-thu")
    assert (again.hours_start_edit.text(), again.hours_end_edit.text()) == ("08:00", "16:00")

    section.hours_end_edit.setText("07:00")
    message = refused(qtbot, settings, "reply_by", section.hours_button.click)
    assert message == "Working hours must end after they start, not '08:00-07:00'"
    assert summary(store, FixedClock(NOW)).working_hours == "mon,tue,wed,thu 08:00-16:00"

    section.hours_check.setChecked(False)
    changed(qtbot, settings, "reply_by", section.hours_button.click)
    assert summary(store, FixedClock(NOW)).working_hours == ""


# ------------------------------------------------------------------------- accounts


def test_removing_an_account_asks_first(
    qtbot: QtBot, store: Store, open_settings: Callable[[], SettingsDialog]
) -> None:
    add_account(store, "work")
    add_account(store, "home", password="another secret")
    dialog = open_settings()
    section = dialog.accounts
    assert rows(section.model) == [
        ["home", "Email (IMAP)", "home@example.org"],
        ["work", "Email (IMAP)", "work@example.org"],
    ]
    asked: list[str] = []

    def decline(title: str, question: str) -> bool:
        asked.append(question)
        return False

    dialog.confirm = decline
    section.select("work")
    section.remove_button.click()
    assert len(asked) == 1
    assert "work" in asked[0]
    assert [a.name for a in profile_accounts(store)] == ["home", "work"]

    dialog.confirm = lambda title, question: True
    changed(qtbot, dialog, "accounts", section.remove_button.click)
    assert [a.name for a in profile_accounts(store)] == ["home"]
    secrets = profile_secrets(store)
    assert secrets.get("work") is None
    assert secrets.get("home") == "another secret"
    assert rows(section.model) == [["home", "Email (IMAP)", "home@example.org"]]
    assert section.status_label.text() == "Removed the account work."


def _imap_form(section: object, *, port: str, host: str = "imap.example.org") -> None:
    from asyncdesk.ui.settings_dialog import AccountsSection

    assert isinstance(section, AccountsSection)
    section.choose_kind(AccountKind.EMAIL)
    section.imap_name.setText("work")
    section.imap_host.setText(host)
    section.imap_port.setText(port)
    section.imap_user.setText("me@example.org")
    section.imap_password.setText(SECRET)


@pytest.mark.parametrize(
    ("port", "message"),
    [
        ("99999", "Port must be between 1 and 65535, not 99999"),
        ("imap", "The IMAP port must be a number between 1 and 65535, not 'imap'"),
    ],
)
def test_an_imap_account_with_a_bad_port_is_not_added(
    qtbot: QtBot,
    settings: SettingsDialog,
    store: Store,
    caplog: pytest.LogCaptureFixture,
    port: str,
    message: str,
) -> None:
    section = settings.accounts
    _imap_form(section, port=port)
    assert refused(qtbot, settings, "accounts", section.add_button.click) == message
    assert profile_accounts(store) == []
    assert profile_secrets(store).get("work") is None
    assert section.imap_password.text() == SECRET  # kept, to correct the port
    assert SECRET not in caplog.text


def test_testing_a_connection_nobody_answers(
    qtbot: QtBot, settings: SettingsDialog, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    section = settings.accounts
    port = free_port()
    _imap_form(section, port=str(port), host="127.0.0.1")
    section.imap_security.setCurrentIndex(section.imap_security.findData("plain"))
    assert section.imap_port.text() == str(port)  # typed by the user: kept
    with qtbot.waitSignal(settings.connection_tested, timeout=WAIT) as tested:
        section.test_button.click()
    ok, message = tested.args
    assert not ok
    assert message.startswith(f"Cannot talk to 127.0.0.1:{port}: ")
    assert "\n" not in message
    assert section.error_label.text() == message
    assert profile_accounts(store) == []
    assert SECRET not in caplog.text


def test_the_usual_port_follows_the_security(settings: SettingsDialog) -> None:
    section = settings.accounts
    assert section.imap_port.text() == "993"
    section.imap_security.setCurrentIndex(section.imap_security.findData("starttls"))
    assert section.imap_port.text() == "143"
    section.smtp_security.setCurrentIndex(section.smtp_security.findData("starttls"))
    assert section.smtp_port.text() == "587"


def test_chat_accounts_that_cannot_be_are_refused_before_any_network(
    qtbot: QtBot, settings: SettingsDialog, store: Store
) -> None:
    section = settings.accounts
    section.choose_kind(AccountKind.MATRIX)
    assert not section.test_button.isVisible()
    section.matrix_name.setText("chat")
    section.matrix_homeserver.setText("http://matrix.example.org")
    section.matrix_user.setText("@me:example.org")
    section.matrix_password.setText(SECRET)
    message = refused(qtbot, settings, "accounts", section.add_button.click)
    assert message == (
        "Homeserver http://matrix.example.org: plain http would send the password and "
        "token in clear; use https"
    )
    section.choose_kind(AccountKind.SLACK)
    section.slack_name.setText("team")
    message = refused(qtbot, settings, "accounts", section.add_button.click)
    assert message == "Paste the Slack user token (xoxp-…)."
    assert profile_accounts(store) == []


def test_a_name_in_use_is_refused_before_logging_in(
    qtbot: QtBot, store: Store, open_settings: Callable[[], SettingsDialog]
) -> None:
    add_account(store, "work")
    dialog = open_settings()
    section = dialog.accounts
    _imap_form(section, port=str(free_port()), host="127.0.0.1")
    message = refused(qtbot, dialog, "accounts", section.add_button.click)
    assert message == "An account named 'work' already exists"


def test_an_imap_account_added_through_the_form(
    qtbot: QtBot,
    settings: SettingsDialog,
    store: Store,
    dovecot: object,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from servers.dovecot import Dovecot

    assert isinstance(dovecot, Dovecot)
    user, password = dovecot.add_user("ada")
    section = settings.accounts
    section.choose_kind(AccountKind.EMAIL)
    section.imap_security.setCurrentIndex(section.imap_security.findData("plain"))
    section.imap_name.setText("mail")
    section.imap_host.setText(dovecot.host)
    section.imap_port.setText(str(dovecot.plain_port))
    section.imap_user.setText(user)
    section.imap_password.setText(password)
    section.imap_address.setText("ada@example.org")
    with qtbot.waitSignal(settings.connection_tested, timeout=WAIT) as tested:
        section.test_button.click()
    assert tested.args == [True, f"Logged in to {dovecot.host}:{dovecot.plain_port}."]
    assert profile_accounts(store) == []  # a test saves nothing

    changed(qtbot, settings, "accounts", section.add_button.click)
    (account,) = profile_accounts(store)
    assert (account.name, account.kind, account.identities) == (
        "mail",
        AccountKind.EMAIL,
        ("ada@example.org",),
    )
    assert profile_secrets(store).get("mail") == password
    assert rows(section.model) == [["mail", "Email (IMAP)", "ada@example.org"]]
    assert section.selected() == "mail"
    assert section.imap_password.text() == ""
    assert section.imap_name.text() == ""
    assert section.status_label.text() == "Added the account mail."
    assert password not in caplog.text
    assert password not in json.dumps(account.config)


def test_an_imap_account_edited_through_the_form(
    qtbot: QtBot,
    store: Store,
    open_settings: Callable[[], SettingsDialog],
    dovecot: object,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The server moved to another port: Edit… shows the account in the form, the
    password field may stay empty (the keyring's is used to log in), and the account
    keeps its name; a wrong new password is refused by the server and changes nothing."""
    from servers.dovecot import Dovecot

    assert isinstance(dovecot, Dovecot)
    user, password = dovecot.add_user("ada")
    moved = build_imap_account(
        "mail", host=dovecot.host, port=free_port(), security="plain", user=user,
        addresses=["ada@example.org", "ada@old.example.org"],
    )  # fmt: skip
    add_imap_account(store, FixedClock(NOW), KeyringSecrets, moved, password, verify=False)
    dialog = open_settings()
    section = dialog.accounts
    section.select("mail")
    assert section.edit_button.isEnabled()
    section.edit_button.click()
    assert section.editing is not None
    assert section.imap_name.text() == "mail"
    assert section.imap_name.isReadOnly()
    assert not section.kind_combo.isEnabled()
    assert section.imap_host.text() == dovecot.host
    assert section.imap_address.text() == "ada@example.org, ada@old.example.org"
    assert section.imap_password.text() == ""
    assert section.add_button.text() == "&Save changes"

    section.imap_port.setText(str(dovecot.plain_port))
    changed(qtbot, dialog, "accounts", section.add_button.click)
    (account,) = profile_accounts(store)
    assert account.config["port"] == dovecot.plain_port
    assert account.identities == ("ada@example.org", "ada@old.example.org")
    assert profile_secrets(store).get("mail") == password  # kept
    assert section.status_label.text() == "Saved the account mail."
    assert section.editing is None  # back to adding, with an empty form
    assert section.imap_name.text() == ""
    assert not section.imap_name.isReadOnly()
    assert section.add_button.text() == "A&dd account"

    section.select("mail")
    section.edit_button.click()
    section.imap_password.setText("not-the-password")
    message = refused(qtbot, dialog, "accounts", section.add_button.click)
    assert message.startswith("Wrong user name or password for imap://ada@")
    assert profile_secrets(store).get("mail") == password
    assert section.editing is not None  # still editing, to correct it
    section.cancel_button.click()
    assert section.editing is None
    assert section.imap_password.text() == ""
    assert password not in caplog.text
    assert "not-the-password" not in caplog.text


@pytest.fixture
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from servers.synapse import Synapse, find_synapse_python

    if find_synapse_python() is None:
        pytest.skip("Synapse is not installed (scripts/test installs it in a venv of its own)")
    server = Synapse(tmp_path_factory.mktemp("synapse"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


def test_a_matrix_account_added_through_the_form(
    qtbot: QtBot,
    settings: SettingsDialog,
    store: Store,
    synapse: object,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from servers.synapse import Synapse

    assert isinstance(synapse, Synapse)
    me, _ = synapse.register("me-settings", SECRET)
    section = settings.accounts
    section.choose_kind(AccountKind.MATRIX)
    section.matrix_name.setText("chat")
    section.matrix_homeserver.setText(synapse.base_url)
    section.matrix_user.setText(me)
    section.matrix_password.setText("not the password")
    message = refused(qtbot, settings, "accounts", section.add_button.click)
    assert "refused the user name or password" in message
    assert profile_accounts(store) == []

    section.matrix_password.setText(SECRET)
    changed(qtbot, settings, "accounts", section.add_button.click)
    (account,) = profile_accounts(store)
    assert (account.name, account.kind, account.identities) == ("chat", AccountKind.MATRIX, (me,))
    kept = json.loads(profile_secrets(store).get("chat") or "{}")
    assert set(kept) == {"access_token", "device_id"}  # the session, not the password
    assert rows(section.model) == [["chat", "Matrix", me]]
    assert section.matrix_password.text() == ""

    # Signed out everywhere (a revoked token): Edit… signs in again.
    synapse.request("POST", "/_matrix/client/v3/logout/all", token=kept["access_token"])
    section.select("chat")
    section.edit_button.click()
    assert section.matrix_user.text() == me
    assert section.matrix_homeserver.isReadOnly()
    message = refused(qtbot, settings, "accounts", section.add_button.click)
    assert message == "Type the password to sign in again."
    section.matrix_password.setText(SECRET)
    changed(qtbot, settings, "accounts", section.add_button.click)
    renewed = json.loads(profile_secrets(store).get("chat") or "{}")
    assert renewed["access_token"] not in ("", kept["access_token"])
    assert [a.id for a in profile_accounts(store)] == [account.id]  # the same account
    assert SECRET not in caplog.text


# ------------------------------------------------------------------------- calendar


def _ics(folder: Path) -> Path:
    """Focus time on Tuesday 24 November 2026, 10:00-11:00 in Berlin, and a holiday."""
    path = folder / "focus.ics"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//AsyncDesk tests//EN",
        "BEGIN:VEVENT",
        "UID:focus-1@example.org",
        "DTSTAMP:20261101T000000Z",
        "DTSTART;TZID=Europe/Berlin:20261124T100000",
        "DTEND;TZID=Europe/Berlin:20261124T110000",
        "SUMMARY:Focus",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:holiday@example.org",
        "DTSTAMP:20261101T000000Z",
        "DTSTART;VALUE=DATE:20261125",
        "DTEND;VALUE=DATE:20261126",
        "SUMMARY:Holiday",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return path


def _import(dialog: SettingsDialog, path: Path) -> None:
    dialog.ask_calendar_file = lambda current: path
    dialog.calendar.browse_button.click()
    assert dialog.calendar.path_edit.text() == str(path)
    dialog.calendar.import_button.click()


def test_importing_a_calendar(
    qtbot: QtBot, settings: SettingsDialog, store: Store, tmp_path: Path
) -> None:
    section = settings.calendar
    assert section.empty_label.isVisibleTo(section)
    path = _ics(tmp_path)
    changed(qtbot, settings, "calendar", lambda: _import(settings, path))
    (imported,) = load_schedule(store).imported
    assert imported.start == datetime(2026, 11, 24, 10, tzinfo=BERLIN)
    assert imported.end == datetime(2026, 11, 24, 11, tzinfo=BERLIN)
    assert imported.summary == "Focus"
    assert section.status_label.text() == (
        "Imported 1 deep-work block from focus.ics. 1 all-day event skipped."
    )
    assert rows(section.model) == [["focus.ics", "1"]]
    assert not section.empty_label.isVisibleTo(section)


def test_a_file_that_is_no_calendar_imports_nothing(
    qtbot: QtBot, settings: SettingsDialog, store: Store, tmp_path: Path
) -> None:
    section = settings.calendar
    assert refused(qtbot, settings, "calendar", section.import_button.click) == (
        "Choose a calendar file (.ics) first."
    )
    notes = tmp_path / "notes.ics"
    notes.write_text("shopping: milk, eggs\n")
    section.path_edit.setText(str(notes))
    message = refused(qtbot, settings, "calendar", section.import_button.click)
    assert message == "Not an iCalendar file: expected BEGIN:VCALENDAR"
    assert load_schedule(store).imported == ()


# ------------------------------------------------------------------------- notifications


def test_notification_settings_persist(
    qtbot: QtBot,
    settings: SettingsDialog,
    store: Store,
    open_settings: Callable[[], SettingsDialog],
) -> None:
    section = settings.notifications
    assert section.reminder_spin.value() == 5
    assert section.vip_edit.toPlainText() == ""
    section.reminder_spin.setValue(10)
    section.vip_edit.setPlainText("CEO@example.com\n\n  school@example.org \nceo@example.com\n")
    changed(qtbot, settings, "notifications", section.save_button.click)
    assert read_setting(store, declared.NOTIFY_REMINDER_MINUTES) == 10
    assert json.loads(read_setting(store, declared.NOTIFY_VIP)) == [
        "ceo@example.com",
        "school@example.org",
    ]
    again = open_settings().notifications
    assert again.reminder_spin.value() == 10
    assert again.vip_edit.toPlainText() == "ceo@example.com\nschool@example.org"

    section.reminder_spin.setValue(0)
    assert section.reminder_spin.text() == "Off"
    changed(qtbot, settings, "notifications", section.save_button.click)
    assert read_setting(store, declared.NOTIFY_REMINDER_MINUTES) == 0


def test_a_vip_that_is_no_address_changes_nothing(
    qtbot: QtBot, settings: SettingsDialog, store: Store
) -> None:
    section = settings.notifications
    section.reminder_spin.setValue(15)
    section.vip_edit.setPlainText("ceo@example.com\nthe boss")
    message = refused(qtbot, settings, "notifications", section.save_button.click)
    assert message == "Not an e-mail address: 'the boss'"
    assert read_setting(store, declared.NOTIFY_REMINDER_MINUTES) == 5
    assert read_setting(store, declared.NOTIFY_VIP) == "[]"


def test_no_error_is_logged_by_a_refusal(
    qtbot: QtBot, settings: SettingsDialog, caplog: pytest.LogCaptureFixture
) -> None:
    section = settings.schedule
    section.start_edit.setText("later")
    refused(qtbot, settings, "schedule", section.add_button.click)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_autostart_switch_writes_and_removes_the_session_entry(
    qtbot: QtBot,
    settings: SettingsDialog,
    store: Store,
    open_settings: Callable[[], SettingsDialog],
) -> None:
    from asyncdesk.services.autostart import autostart_dir

    section = settings.notifications
    entry = autostart_dir() / "app.asyncdesk.AsyncDesk.desktop"
    assert not section.autostart_box.isChecked()
    changed(qtbot, settings, "notifications", section.autostart_box.click)
    assert section.status_label.text() == "AsyncDesk starts when you log in."
    assert f"--background --profile {store.paths.root}" in entry.read_text()
    assert open_settings().notifications.autostart_box.isChecked()
    changed(qtbot, settings, "notifications", section.autostart_box.click)
    assert not entry.exists()
    assert not section.autostart_box.isChecked()
