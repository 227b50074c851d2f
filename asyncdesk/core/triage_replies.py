"""The texts of the triage replies: ask for the topic, offer office hours, propose an
introduction.

Each is a starting point the user reads and edits in the reply window before sending
(nothing is sent by itself). They carry the discipline AsyncDesk rests on: ask what a
meeting is about and whether writing would do; prefer a group session (office hours)
to a one-to-one; meet a new person live once, briefly.

Times are the slots' own phrases (:meth:`~asyncdesk.core.office_hours.Slot.phrase`):
local to the user, with the zone's letters at each slot, so two slots either side of
a DST change say CET and CEST. English only, as the auto-replies are (the reader's
language is not known).

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

from asyncdesk.core.office_hours import Slot
from asyncdesk.core.schedule import DEFAULT_OFFICE_HOURS_TITLE

__all__ = ["ask_for_topic", "greeting", "offer_office_hours", "propose_introduction"]


def greeting(sender_name: str) -> str:
    """``Hi Sam,`` from "Sam Jones" (or "Jones, Sam"); ``Hi,`` without a usable name."""
    name = " ".join(sender_name.replace('"', " ").split())
    if "," in name:
        name = name.partition(",")[2].strip()
    first = name.split(" ")[0] if name else ""
    if not first or "@" in first or not any(ch.isalpha() for ch in first):
        return "Hi,"
    return f"Hi {first},"


def _slot_lines(slots: Sequence[Slot]) -> str:
    return "\n".join(f"- {slot.phrase()}" for slot in slots)


def ask_for_topic(sender_name: str) -> str:
    """A reply to a meeting request that asks what it is about before agreeing to it."""
    return (
        f"{greeting(sender_name)}\n\n"
        "Happy to help. What is it about, and could we settle it in writing? "
        "A few lines on the question and what you need from me usually get you an "
        "answer sooner than finding a time for a call.\n\n"
        "If it turns out we need to talk, we'll find a slot.\n"
    )


def offer_office_hours(sender_name: str, slots: Sequence[Slot], *, invitation: bool) -> str:
    """A reply offering the next office-hours slots (``slots`` not empty).

    ``invitation``: an .ics for the first slot is attached (email); in chat there is
    none, and the text says to just join.
    """
    if not slots:
        raise ValueError("offer_office_hours needs at least one slot")
    title = slots[0].title
    named = "" if title == DEFAULT_OFFICE_HOURS_TITLE else f" ({title})"
    if invitation:
        join = (
            f"The invitation for {slots[0].phrase()} is attached; "
            "any of the others works just as well."
        )
    else:
        join = "Just join whichever suits you; no need to book."
    return (
        f"{greeting(sender_name)}\n\n"
        f"Happy to talk it through. I hold office hours{named}, a group session anyone "
        "can join, at:\n\n"
        f"{_slot_lines(slots)}\n\n"
        f"{join}\n\n"
        "And if it can be settled in writing, just send me the question: that is "
        "usually quicker.\n"
    )


def propose_introduction(
    sender_name: str, slots: Sequence[Slot], *, office_hours: bool, invitation: bool = False
) -> str:
    """A reply to someone writing for the first time proposing a short live introduction.

    ``slots``: office-hours slots (``office_hours``), else the next communication
    windows; none at all and the text asks them for times instead.
    """
    opening = (
        f"{greeting(sender_name)}\n\n"
        "Thanks for getting in touch. As we haven't spoken before, how about a short "
        "live introduction, 15 minutes, so we each know who is on the other end?"
    )
    closing = "\n\nAfter that, writing works best for me: I answer messages in set windows.\n"
    if not slots:
        return f"{opening} Send me two or three times that suit you and I'll pick one.{closing}"
    if office_hours:
        where = " You're welcome at my office hours, a group session, at:"
        attached = f"\n\nThe invitation for {slots[0].phrase()} is attached." if invitation else ""
    else:
        where = " I'm free around these times:"
        attached = ""
    return f"{opening}{where}\n\n{_slot_lines(slots)}{attached}{closing}"
