"""Chat invitations: what the window offers, and joining or declining one.

The sync keeps the list (store.invitations); answering talks to the homeserver first
(network, on a worker that does not touch the database) and then forgets the
invitation (database), so a failure to reach the server changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.errors import BadInput
from asyncdesk.services.accounts import profile_secrets
from asyncdesk.services.chat_accounts import open_source
from asyncdesk.services.secrets import Secrets
from asyncdesk.store.accounts import get_account
from asyncdesk.store.database import Store
from asyncdesk.store.invitations import PendingInvitation, forget_invitations, pending_invitations

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Offer:
    """A pending invitation with what answering it needs (read on the database worker)."""

    invitation: PendingInvitation
    account: Account
    secrets: Secrets


def offers(store: Store) -> list[Offer]:
    """Every pending invitation, oldest first, ready to answer."""
    with store.reading() as session:
        pending = pending_invitations(session)
        accounts = {p.account: get_account(session, p.account) for p in pending}
    if not pending:
        return []
    secrets = profile_secrets(store)
    return [Offer(p, accounts[p.account], secrets) for p in pending]


def answer_on_server(offer: Offer, *, join: bool) -> None:
    """Join the room or decline the invitation (network only)."""
    if offer.account.kind is not AccountKind.MATRIX:
        raise BadInput(f"account {offer.account.name!r} has no invitations to answer")
    from asyncdesk.sources.matrix import MatrixSource

    source = open_source(offer.account, offer.secrets)
    try:
        assert isinstance(source, MatrixSource)
        if join:
            source.join(offer.invitation.room_id)
        else:
            source.leave(offer.invitation.room_id)
    finally:
        source.close()
    log.info(
        "%s the invitation to %s (%s)",
        "accepted" if join else "declined",
        offer.invitation.room_id,
        offer.account.name,
    )


def forget(store: Store, offer: Offer) -> None:
    """The invitation is answered (database only)."""
    assert offer.account.id is not None
    with store.writing() as session:
        forget_invitations(session, offer.account.id, [offer.invitation.room_id])
