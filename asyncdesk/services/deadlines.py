"""Reply-by promises: the rules (SLA, needs-reply overrides) and what changing them does.

Rules live in the profile; the decisions are made by the core (:mod:`asyncdesk.core.
classify`, :mod:`asyncdesk.core.deadlines`). This module loads the rules once per use,
applies them as messages arrive (:func:`triage`), and keeps stored decisions in step
when the user changes a rule: a new promise re-computes every deadline still open; a
needs-reply rule or a per-message override re-classifies the messages it covers. A
message already answered stays answered, and keeps its deadline (replied late is a
fact the stats keep).

Thread contract: every function here blocks on disk; the CLI calls them on its main
thread, the UI from the task runner's database worker.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from asyncdesk.core import settings as declared
from asyncdesk.core.accounts import Account
from asyncdesk.core.classify import ReplyRules, decide
from asyncdesk.core.clock import Clock
from asyncdesk.core.deadlines import SlaRules, WorkingHours, format_duration
from asyncdesk.core.errors import BadInput
from asyncdesk.core.messages import Message, ReplyState, Triage
from asyncdesk.core.schedule import format_clock, parse_clock, parse_days
from asyncdesk.services.profile import user_timezone
from asyncdesk.store import promises
from asyncdesk.store.accounts import get_account
from asyncdesk.store.database import Store
from asyncdesk.store.promises import Commitment
from asyncdesk.store.settings import get_setting, set_setting

log = logging.getLogger(__name__)

SLA_KINDS = ("sender", "domain", "account")
_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class Rules:
    """Everything that decides needs-reply and due times, loaded at once."""

    sla: SlaRules
    reply: ReplyRules


# ------------------------------------------------------------------------- loading


def parse_working_hours(text: str, zone: ZoneInfo) -> WorkingHours | None:
    """``"mon-fri 09:00-17:00"`` → :class:`WorkingHours` in ``zone``; ``""`` → None."""
    cleaned = text.strip()
    if not cleaned:
        return None
    days_text, _, span = cleaned.rpartition(" ")
    start_text, dash, end_text = span.partition("-")
    if not days_text or not dash:
        raise BadInput(f"working hours look like 'mon-fri 09:00-17:00', not {text!r}")
    start, end = parse_clock(start_text), parse_clock(end_text, end=True)
    if end <= start:
        raise BadInput(f"working hours must end after they start, not {span!r}")
    if end == 24 * 60:
        raise BadInput("working hours must end by 23:59")
    return WorkingHours(
        days=parse_days(days_text),
        start=time(start // 60, start % 60),
        end=time(end // 60, end % 60),
        zone=zone,
    )


def format_working_hours(days: frozenset[int], start: int, end: int) -> str:
    """The setting's text for these days and minutes (the inverse of the parser)."""
    names = ",".join(_DAY_NAMES[day] for day in sorted(days))
    return f"{names} {format_clock(start)}-{format_clock(end)}"


def load_rules(store: Store) -> Rules:
    zone = user_timezone(store)
    with store.reading() as session:
        default = timedelta(minutes=get_setting(session, declared.SLA_DEFAULT_MINUTES))
        hours_text = get_setting(session, declared.SLA_WORKING_HOURS)
        stored = promises.sla_rules(session)
        senders, domains = promises.reply_rules(session)
    by_kind: dict[str, dict[str, timedelta]] = {kind: {} for kind in SLA_KINDS}
    for rule in stored:
        by_kind.setdefault(rule.kind, {})[rule.value] = timedelta(minutes=rule.minutes)
    try:
        hours = parse_working_hours(hours_text, zone)
    except BadInput as error:  # a hand-edited profile: say so, count every hour
        log.warning("ignoring the working hours setting: %s", error.message)
        hours = None
    sla = SlaRules(
        default=default,
        senders=by_kind["sender"],
        domains=by_kind["domain"],
        accounts=by_kind["account"],
        working_hours=hours,
    )
    return Rules(sla=sla, reply=ReplyRules(senders=senders, domains=domains))


def triage(message: Message, account: Account, rules: Rules) -> Triage:
    """Needs-reply (with its reason) and, if it does, the due time, as a message arrives."""
    decision = decide(message, account.identities, rules.reply)
    if not decision.needs_reply:
        return Triage(needs_reply=False, reason=decision.reason)
    due = rules.sla.due_at(message.received_at, message.sender.address, account.name)
    return Triage(needs_reply=True, due_at=due, reason=decision.reason)


# ---------------------------------------------------------------------- commitments


def deadlines(store: Store, at: datetime, *, overdue: bool = False) -> list[Commitment]:
    """Commitments open at ``at``, soonest first; with ``overdue``, only those past due."""
    with store.reading() as session:
        return promises.open_commitments(session, at, due_before=at if overdue else None)


def _commitment(store: Store, message_pk: int) -> promises.Target:
    with store.reading() as session:
        found = promises.target(session, message_pk)
    if found is None:
        raise BadInput(f"no message with id {message_pk}")
    if not found.inbound or not found.needs_reply:
        raise BadInput(f"message {message_pk} has no reply-by deadline (it needs no reply)")
    return found


def dismiss(store: Store, message_pk: int) -> promises.Target:
    """ "No reply needed" for this one message; an answered one stays answered."""
    found = _commitment(store, message_pk)
    if found.state is ReplyState.REPLIED:
        raise BadInput(f"message {message_pk} is already replied: nothing to dismiss")
    with store.writing() as session:
        promises.set_state(session, message_pk, ReplyState.DISMISSED)
    log.info("dismissed the deadline of message %d", message_pk)
    return found


def snooze(store: Store, clock: Clock, message_pk: int, until: datetime) -> promises.Target:
    """Hide the commitment until ``until`` (in the future); it is open again then."""
    if until <= clock.now():
        raise BadInput("--until must be in the future")
    found = _commitment(store, message_pk)
    if found.state in (ReplyState.REPLIED, ReplyState.DISMISSED):
        raise BadInput(f"message {message_pk} is {found.state.value}: nothing to snooze")
    with store.writing() as session:
        promises.set_state(session, message_pk, ReplyState.SNOOZED, snoozed_until=until)
    log.info("snoozed message %d until %s", message_pk, until.isoformat())
    return found


# -------------------------------------------------------------------- the SLA rules


def recompute_deadlines(store: Store) -> int:
    """Every open or snoozed commitment gets the due time today's rules give it."""
    rules = load_rules(store)
    with store.writing() as session:
        inputs = promises.deadline_inputs(session)
        dues = [
            (pk, rules.sla.due_at(received, sender, account))
            for pk, received, sender, account in inputs
        ]
        changed = promises.set_due(session, dues)
    log.info("re-computed %d deadlines (%d changed)", len(dues), changed)
    return changed


def set_default_sla(store: Store, delta: timedelta) -> int:
    minutes = _minutes(delta)
    with store.writing() as session:
        set_setting(session, declared.SLA_DEFAULT_MINUTES, minutes)
    return recompute_deadlines(store)


def _minutes(delta: timedelta) -> int:
    minutes = int(delta.total_seconds() // 60)
    if minutes <= 0 or delta.total_seconds() % 60:
        raise BadInput(f"a promise is a whole number of minutes, not {delta}")
    return minutes


def normalize_target(kind: str, value: str, store: Store | None = None) -> str:
    """The rule's key as stored: a lower-case address, domain, or an existing account
    (checking an account needs the ``store``)."""
    cleaned = value.strip()
    if kind == "sender":
        lowered = cleaned.lower()
        local, at, domain = lowered.rpartition("@")
        if not at or not local or "." not in domain or any(ch.isspace() for ch in lowered):
            raise BadInput(f"--sender takes an email address, not {value!r}")
        return lowered
    if kind == "domain":
        lowered = cleaned.lower().lstrip("@").rstrip(".")
        labels = lowered.split(".")
        if len(labels) < 2 or not all(labels) or any(ch.isspace() or ch == "@" for ch in lowered):
            raise BadInput(f"--domain takes a domain like example.com, not {value!r}")
        return lowered
    if kind == "account":
        if store is None:
            raise ValueError("checking an account name needs the store")
        with store.reading() as session:
            return get_account(session, cleaned).name
    raise ValueError(f"unknown rule kind {kind!r}")


def add_sla_rule(store: Store, clock: Clock, kind: str, value: str, delta: timedelta) -> int:
    """Promise ``delta`` for a sender, a domain or an account; returns how many open
    deadlines moved."""
    key = normalize_target(kind, value, store)
    minutes = _minutes(delta)
    with store.writing() as session:
        promises.set_sla_rule(session, kind, key, minutes, clock.now())
    return recompute_deadlines(store)


def remove_sla_rule(store: Store, kind: str, value: str) -> int:
    key = normalize_target(kind, value, store) if kind != "account" else value.strip()
    with store.writing() as session:
        if not promises.remove_sla_rule(session, kind, key):
            raise BadInput(f"there is no promise for {kind} {key}")
    return recompute_deadlines(store)


def set_working_hours(store: Store, days: str | None, start: str, end: str) -> int:
    """Count deadlines only in these hours (``days=None``: every hour again)."""
    if days is None:
        text = ""
    else:
        text = format_working_hours(
            parse_days(days), parse_clock(start), parse_clock(end, end=True)
        )
        parse_working_hours(text, user_timezone(store))  # the same checks as loading
    with store.writing() as session:
        set_setting(session, declared.SLA_WORKING_HOURS, text)
    return recompute_deadlines(store)


@dataclass(frozen=True, slots=True)
class PromiseSummary:
    """What ``sla show`` prints."""

    default: timedelta
    working_hours: str
    timezone: str
    rules: list[promises.Rule]
    open_commitments: int

    def to_json(self) -> dict[str, object]:
        return {
            "default": format_duration(self.default),
            "default_minutes": int(self.default.total_seconds() // 60),
            "working_hours": self.working_hours or None,
            "timezone": self.timezone,
            "rules": [
                {
                    "kind": rule.kind,
                    "value": rule.value,
                    "sla": format_duration(timedelta(minutes=rule.minutes)),
                    "minutes": rule.minutes,
                }
                for rule in self.rules
            ],
        }


def summary(store: Store, clock: Clock) -> PromiseSummary:
    zone = user_timezone(store)
    with store.reading() as session:
        default = timedelta(minutes=get_setting(session, declared.SLA_DEFAULT_MINUTES))
        hours = get_setting(session, declared.SLA_WORKING_HOURS)
        rules = promises.sla_rules(session)
        count = promises.count_open(session, clock.now())
    return PromiseSummary(default, hours, zone.key, rules, count)


# ------------------------------------------------------------- needs-reply overrides

REPLY_RULE_KINDS = ("sender", "domain")


def set_reply_rule(store: Store, clock: Clock, kind: str, value: str, needs_reply: bool) -> int:
    """Always (or never) a reply for this sender or domain; re-classifies their messages.
    Returns how many messages changed between needing and not needing a reply."""
    if kind not in REPLY_RULE_KINDS:
        raise ValueError(f"unknown reply rule kind {kind!r}")
    key = normalize_target(kind, value, store)
    with store.writing() as session:
        promises.set_reply_rule(session, kind, key, needs_reply, clock.now())
    return _reclassify_matching(store, kind, key)


def remove_reply_rule(store: Store, kind: str, value: str) -> int:
    key = normalize_target(kind, value, store)
    with store.writing() as session:
        if not promises.remove_reply_rule(session, kind, key):
            raise BadInput(f"there is no needs-reply rule for {kind} {key}")
    return _reclassify_matching(store, kind, key)


def _reclassify_matching(store: Store, kind: str, key: str) -> int:
    with store.reading() as session:
        if kind == "sender":
            items = promises.inbound_matching(session, sender=key)
        else:
            items = promises.inbound_matching(session, domain=key)
    return _reclassify(store, items)


def override_message(store: Store, message_pk: int, needs_reply: bool | None) -> bool:
    """The user's own call on one message (``None`` hands it back to the rules).
    Returns whether it now needs a reply."""
    with store.reading() as session:
        found = promises.target(session, message_pk)
        if found is None:
            raise BadInput(f"no message with id {message_pk}")
        if not found.inbound:
            raise BadInput(f"message {message_pk} is your own: it needs no reply")
    with store.writing() as session:
        promises.set_override(session, message_pk, needs_reply)
        item = promises.classified(session, message_pk)
    _reclassify(store, [item])
    with store.reading() as session:
        after = promises.target(session, message_pk)
    return after is not None and after.needs_reply


def _reclassify(store: Store, items: list[promises.Classified]) -> int:
    """Apply today's rules to these stored inbound messages; returns how many changed
    between needing and not needing a reply. Answered or dismissed messages keep their
    state; one that now needs a reply and was answered meanwhile is ``replied``."""
    if not items:
        return 0
    rules = load_rules(store)
    changed = 0
    with store.writing() as session:
        for item in items:
            needs, reason = _decision_for(session, item, rules)
            due = (
                rules.sla.due_at(item.received_at, item.sender_address, item.account)
                if needs
                else None
            )
            state: ReplyState | None
            if not needs:
                state = None
            elif item.state in (ReplyState.REPLIED, ReplyState.DISMISSED, ReplyState.SNOOZED):
                state = item.state
            else:
                replied = promises.first_reply_after(session, item.id)
                state = ReplyState.OPEN if replied is None else ReplyState.REPLIED
                if replied is not None:
                    promises.set_replied_at(session, item.id, replied)
            promises.set_needs_reply(
                session, item.id, needs_reply=needs, reason=reason, state=state, due_at=due
            )
            changed += (item.state is not None) != needs
    return changed


def _decision_for(session: Session, item: promises.Classified, rules: Rules) -> tuple[bool, str]:
    message, identities = promises.message_for_rules(session, item.id)
    decision = decide(message, identities, rules.reply, override=item.override)
    return decision.needs_reply, decision.reason
