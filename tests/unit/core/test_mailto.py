"""``mailto:`` links as a draft: RFC 6068's own examples, and links from the wild.

A link is someone else's text: a user clicking it must see exactly what it asked for
(or one clear line), never a crash and never a header it smuggled in.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asyncdesk.core.errors import BadInput
from asyncdesk.core.mailto import MAX_LINK_CHARS, MailtoDraft, is_mailto, parse_mailto


@pytest.mark.parametrize(
    ("link", "draft"),
    [
        # RFC 6068 section 6.1
        ("mailto:chris@example.com", MailtoDraft(to=("chris@example.com",))),
        (
            "mailto:infobot@example.com?subject=current-issue",
            MailtoDraft(to=("infobot@example.com",), subject="current-issue"),
        ),
        (
            "mailto:infobot@example.com?body=send%20current-issue",
            MailtoDraft(to=("infobot@example.com",), body="send current-issue"),
        ),
        (
            "mailto:infobot@example.com?body=send%20current-issue%0D%0Asend%20index",
            MailtoDraft(to=("infobot@example.com",), body="send current-issue\nsend index"),
        ),
        (
            "mailto:list@example.org?In-Reply-To=%3C3469A91.D10AF4C@example.com%3E",
            MailtoDraft(to=("list@example.org",), in_reply_to="3469A91.D10AF4C@example.com"),
        ),
        (
            "mailto:joe@example.com?cc=bob@example.com&body=hello",
            MailtoDraft(to=("joe@example.com",), cc=("bob@example.com",), body="hello"),
        ),
        (
            "mailto:?to=joe@example.com&cc=bob@example.com&body=hello",
            MailtoDraft(to=("joe@example.com",), cc=("bob@example.com",), body="hello"),
        ),
        (
            "mailto:gorby%25kremvax@example.com",
            MailtoDraft(to=("gorby%kremvax@example.com",)),
        ),
        # section 6.2: UTF-8 in the subject
        (
            "mailto:user@example.org?subject=caf%C3%A9",
            MailtoDraft(to=("user@example.org",), subject="café"),
        ),
        # the wild: upper-case scheme and field names, a fragment, an address twice,
        # '+' kept (it is not a space in mailto:), semicolons between addresses
        (
            "MAILTO:a@x.org,b@x.org?SUBJECT=Hi+there&To=a@x.org;c@x.org#top",
            MailtoDraft(to=("a@x.org", "b@x.org", "c@x.org"), subject="Hi+there"),
        ),
    ],
)
def test_links_give_the_draft_they_ask_for(link: str, draft: MailtoDraft) -> None:
    assert parse_mailto(link) == draft


def test_fields_a_link_may_not_set_are_ignored() -> None:
    """RFC 6068 section 7: a link must not set From, Bcc-like routing or other headers."""
    draft = parse_mailto("mailto:a@x.org?from=boss@x.org&reply-to=evil@x.org&X-Mailer=1&subject=ok")
    assert draft == MailtoDraft(to=("a@x.org",), subject="ok")


def test_a_subject_is_one_line() -> None:
    assert parse_mailto("mailto:a@x.org?subject=one%0D%0ABcc:%20b@x.org").subject == (
        "one Bcc: b@x.org"
    )


@pytest.mark.parametrize(
    ("link", "line"),
    [
        ("http://example.org", "not a mailto: link (it must start with 'mailto:')"),
        ("mailto:someone", "the mailto: link's address: 'someone' is not an email address"),
        ("mailto:a@x.org?subject=50%", "the mailto: link has a stray '%' in its subject"),
        ("mailto:a@x.org?subject=%FF", "the mailto: link's subject is not UTF-8 text"),
        ("mailto:a@x.org\n", "the mailto: link holds control characters"),
        ("mailto:?cc=<a@x.org>", "the mailto: link's cc: '<a@x.org>' is not an email address"),
        (
            "mailto:" + "a" * MAX_LINK_CHARS,
            f"the mailto: link is longer than {MAX_LINK_CHARS} characters",
        ),
    ],
)
def test_a_link_that_cannot_be_read_is_one_clear_line(link: str, line: str) -> None:
    with pytest.raises(BadInput) as raised:
        parse_mailto(link)
    assert raised.value.message == line


def test_the_scheme_is_recognised_in_any_case() -> None:
    assert is_mailto("MailTo:a@x.org")
    assert not is_mailto("mailto")
    assert not is_mailto("--profile")


@given(st.text(max_size=300))
def test_any_text_after_the_scheme_gives_a_draft_or_one_line(rest: str) -> None:
    try:
        draft = parse_mailto("mailto:" + rest)
    except BadInput as error:
        message = error.message
    else:
        message = ""
        assert "\n" not in draft.subject
        assert all("@" in address for address in draft.recipients)
        assert not any("," in address for address in draft.recipients)
    assert "\n" not in message
