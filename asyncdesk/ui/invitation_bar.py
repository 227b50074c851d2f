"""A slim bar above the inbox offering pending chat invitations: Join or Decline.

"Ann (@ann:example.org) invited you to Offsite · chat" with **Join** and **Decline**,
and "1 more" when there are others; hidden when there are none. The list is read on
the database worker (services.chat_invitations.offers) when the profile opens and
after each sync; answering goes to the homeserver on the network pool, then the
invitation is forgotten on the database worker and the next one shown. A failure is
said in the bar and changes nothing.

Threading contract: GUI thread only; tasks get the store and values as arguments.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from asyncdesk.core.errors import AsyncDeskError
from asyncdesk.services.chat_invitations import Offer
from asyncdesk.store.database import Store
from asyncdesk.ui.tasks import TaskRunner

log = logging.getLogger(__name__)


class InvitationBar(QFrame):
    """Signals: ``loaded(int)`` pending invitations shown (their count); ``answered(str)``
    the room joined or declined; ``failed(str)`` one line."""

    loaded = Signal(int)
    answered = Signal(str)
    failed = Signal(str)

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("invitationBar")
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self._tasks = tasks
        self._store: Store | None = None
        self._offers: list[Offer] = []
        self._generation = 0
        self.label = QLabel(self)
        self.label.setObjectName("invitationText")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.join_button = QPushButton(self.tr("&Join"), self)
        self.join_button.setAutoDefault(False)
        self.join_button.clicked.connect(lambda: self.answer(join=True))
        self.decline_button = QPushButton(self.tr("Decline"), self)
        self.decline_button.setAutoDefault(False)
        self.decline_button.clicked.connect(lambda: self.answer(join=False))
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 6, 12, 6)
        row.setSpacing(12)
        row.addWidget(self.label, 1)
        row.addWidget(self.join_button)
        row.addWidget(self.decline_button)
        self.hide()

    @property
    def offers(self) -> list[Offer]:
        return list(self._offers)

    def set_store(self, store: Store | None) -> None:
        self._store = store
        self._offers = []
        self._generation += 1
        self.hide()
        if store is not None:
            self.reload()

    def reload(self) -> None:
        store = self._store
        if store is None:
            return
        self._generation += 1
        generation = self._generation

        def read() -> list[Offer]:
            from asyncdesk.services.chat_invitations import offers

            return offers(store)

        self._tasks.run_db(
            read,
            success=self._show,
            failure=self._on_failed,
            is_current=lambda: generation == self._generation,
        )

    def _show(self, offers: list[Offer]) -> None:
        self._offers = offers
        if not offers:
            self.hide()
        else:
            first = offers[0].invitation
            who = first.inviter or self.tr("Someone")
            text = self.tr("{inviter} invited you to {room} · {account}").format(
                inviter=who, room=first.name, account=first.account
            )
            if len(offers) > 1:
                text = self.tr("{invitation}  (%n more)", "", len(offers) - 1).format(
                    invitation=text
                )
            self.label.setText(text)
            self._set_busy(False)
            self.show()
        self.loaded.emit(len(offers))

    def _set_busy(self, busy: bool) -> None:
        self.join_button.setEnabled(not busy)
        self.decline_button.setEnabled(not busy)

    def answer(self, *, join: bool) -> None:
        """Join the first offered room, or decline it."""
        if not self._offers or self._store is None:
            return
        offer, store, tasks = self._offers[0], self._store, self._tasks
        self._set_busy(True)

        def on_server() -> None:
            from asyncdesk.services.chat_invitations import answer_on_server

            answer_on_server(offer, join=join)

        def forget(_: object) -> None:
            from asyncdesk.services.chat_invitations import forget as forget_offer

            tasks.run_db(
                lambda: forget_offer(store, offer),
                success=lambda _: self._on_answered(offer.invitation.room_id),
                failure=self._on_failed,
            )

        tasks.run_net(on_server, success=forget, failure=self._on_failed)

    def _on_answered(self, room_id: str) -> None:
        self.answered.emit(room_id)
        self.reload()

    def _on_failed(self, error: BaseException) -> None:
        message = error.message if isinstance(error, AsyncDeskError) else str(error)
        log.warning("chat invitation: %s", message)
        self.label.setText(
            self.tr("Could not answer the invitation: {reason}").format(reason=message)
        )
        self._set_busy(False)
        self.failed.emit(message)
