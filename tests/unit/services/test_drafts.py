"""Drafts on real files: kept whole, private, back after a restart, gone when sent."""

from __future__ import annotations

import stat
from pathlib import Path

from asyncdesk.services.drafts import discard_draft, load_draft, save_draft


def test_a_draft_comes_back_and_goes_when_discarded(tmp_path: Path) -> None:
    root = tmp_path / "profile"
    root.mkdir(mode=0o700)
    assert load_draft(root, 7) is None
    save_draft(root, 7, "Dear Ada,\nthe numbers are")
    save_draft(root, 7, "Dear Ada,\nthe numbers are fine.")
    assert load_draft(root, 7) == "Dear Ada,\nthe numbers are fine."
    (only,) = (root / "drafts").iterdir()  # replaced whole, no temporary left behind
    assert stat.S_IMODE(only.stat().st_mode) == 0o600
    assert stat.S_IMODE((root / "drafts").stat().st_mode) == 0o700
    save_draft(root, 7, "   \n")  # emptied: no draft
    assert load_draft(root, 7) is None
    save_draft(root, 8, "x")
    discard_draft(root, 8)
    discard_draft(root, 8)  # twice is fine
    assert list((root / "drafts").iterdir()) == []
