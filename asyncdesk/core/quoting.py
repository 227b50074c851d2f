"""A message's own words: what a reply wrote, without what it quotes or its signature.

Email replies carry the message they answer (``>`` lines under an "On … wrote:" line)
and a signature after ``-- ``. A check-in answer's preview and a thread saved as an
answer both want only what each person wrote; read the same way in both places.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["own_lines"]

#: The line a mail client writes above the quoted message (English, German, French).
QUOTE_HEADER: Final = re.compile(r"^(On .+ wrote:|Am .+ schrieb .+:|Le .+ a écrit ?:)\s*$")


def own_lines(text: str) -> list[str]:
    """``text``'s lines, stripped, up to a signature (``--``), without quoted lines
    and the header above them. Empty lines are kept (paragraphs)."""
    kept: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if line.rstrip() == "--":
            break
        if stripped.startswith(">") or QUOTE_HEADER.match(stripped):
            continue
        kept.append(stripped)
    return kept
