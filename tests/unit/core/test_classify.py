"""Needs-reply: direct human messages need one, bulk and machine mail does not; each
decision says why. Headers are shaped after real mail (names and addresses made up)."""

from __future__ import annotations

import dataclasses

import pytest
from factories import ME, chat, email

from asyncdesk.core.classify import (
    AUTO_REPLY_SUBJECTS,
    OUT_OF_OFFICE_SUBJECTS,
    Decision,
    ReplyRules,
    decide,
    is_bulk,
    is_no_reply_sender,
    needs_reply,
    notification_service,
)
from asyncdesk.core.messages import (
    Direction,
    Medium,
    Message,
    address_domain,
    most_specific_domain,
    normalize_domain,
    normalize_message_id,
)

ME_CHAT = "@me:example.org"

# --- real header shapes -------------------------------------------------------------------

GITHUB = {
    "From": "octocat <notifications@github.com>",
    "Reply-To": "acme/web <reply+AAAXYZ5B2EIBQCRTB5WEVVF5NSBHEVBNHHCHKJ3Z2U@reply.github.com>",
    "To": "acme/web <web@noreply.github.com>",
    "Cc": "Me <me@example.com>, Review requested <review_requested@noreply.github.com>",
    "Subject": "Re: [acme/web] Fix login redirect loop on Safari (PR #1234)",
    "Precedence": "list",
    "X-GitHub-Sender": "octocat",
    "X-GitHub-Reason": "review_requested",
    "List-ID": "acme/web <web.acme.github.com>",
    "List-Unsubscribe": "<mailto:unsub+AAAXYZ@reply.github.com>, "
    "<https://github.com/notifications/unsubscribe/AAAXYZ2JRD>",
    "X-Auto-Response-Suppress": "All",
}
GOOGLE_CALENDAR = {
    "From": "Google Calendar <calendar-notification@google.com>",
    "To": "me@example.com",
    "Subject": "Notification: Team sync @ Wed 25 Nov 2026 10:00 - 10:30 (CET)",
    "Auto-Submitted": "auto-generated",
    "X-Google-Calendar-Content-Display": "1",
}
MAILCHIMP = {
    "From": '"Example Shop" <news@shop.example>',
    "Reply-To": "Example Shop <shop@shop.example>",
    "To": "<me@example.com>",
    "Subject": "Black Friday: 30 % on everything, today only!",
    "List-Unsubscribe": "<https://shop.us1.list-manage.com/unsubscribe?u=4f3e2d&id=98f7e6>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    "List-Id": "4f3e2d1c0b9a8f7e6d5c4b3a2mc list "
    "<4f3e2d1c0b9a8f7e6d5c4b3a2.123456.list-id.mcsv.net>",
    "Precedence": "bulk",
    "X-Mailer": "MailChimp Mailer - **CID1a2b3c4d5e6f7a8b9c0d**",
    "Feedback-ID": "123456:654321:mailchimp",
}
JIRA = {
    "From": '"Jane Doe (Jira)" <jira@acme.atlassian.net>',
    "To": "me@example.com",
    "Subject": "[JIRA] (PROJ-123) Login fails on Safari",
    "Auto-Submitted": "auto-generated",
    "Precedence": "bulk",
    "X-JIRA-FingerPrint": "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d",
}
LINKEDIN = {
    "From": "LinkedIn <messages-noreply@linkedin.com>",
    "To": "Me <me@example.com>",
    "Subject": "Ada Lovelace sent you a message",
    "List-Unsubscribe": "<https://www.linkedin.com/comm/psettings/email-unsubscribe?lipi=abc>",
    "X-LinkedIn-Class": "INMAIL",
    "X-LinkedIn-Template": "messaging_digest_02",
}
OUTLOOK_OUT_OF_OFFICE = {
    "From": "Bernd Schoen <bernd.schoen@firma.example>",
    "To": "Me <me@example.com>",
    "Subject": "Automatic reply: Offer for Q3",
    "Thread-Topic": "Offer for Q3",
    "Auto-Submitted": "auto-replied",
    "X-Auto-Response-Suppress": "All",
    "X-MS-Exchange-Inbox-Rules-Loop": "bernd.schoen@firma.example",
}
MAILMAN = {
    "From": "Guido van Rossum via Python-Dev <python-dev@python.example>",
    "Reply-To": "Guido van Rossum <guido@python.example>",
    "To": "Python-Dev <python-dev@python.example>",
    "Cc": "me@example.com",
    "Subject": "[Python-Dev] Re: PEP 999 -- Deferred evaluation, take two",
    "Precedence": "list",
    "List-Id": '"Python core developers\' discussion" <dev.lists.example.org>',
    "List-Unsubscribe": "<mailto:python-dev-leave@python.example>",
    "List-Post": "<mailto:python-dev@python.example>",
}
PERSON = {
    "From": "Müller, Jörg <joerg.mueller@firma.example>",
    "To": "'Me' <me@example.com>",
    "CC": "Schön, Bernd <bernd.schoen@firma.example>, anna.smith@firma.example",
    "Subject": "AW: Angebot für Q3 – bitte prüfen",
    "Thread-Topic": "Angebot für Q3",
    "X-MS-Has-Attach": "yes",
}


def mail(
    headers: dict[str, str],
    sender: str,
    *,
    to: tuple[str, ...] = (ME,),
    cc: tuple[str, ...] = (),
) -> Message:
    """An inbound email from ``sender`` with these headers, as a source hands it over."""
    subject = headers.get("Subject", "Hello")
    return email("m", sender=sender, subject=subject, headers=headers, to=to, cc=cc)


def verdict(message: Message, rules: ReplyRules | None = None) -> Decision:
    identities = [ME_CHAT] if message.medium is Medium.CHAT else [ME]
    return decide(message, identities, rules)


# --- email from people --------------------------------------------------------------------


def test_a_person_writing_to_me_with_others_in_cc_needs_a_reply() -> None:
    message = mail(
        PERSON,
        "joerg.mueller@firma.example",
        to=(ME,),
        cc=("bernd.schoen@firma.example", "anna.smith@firma.example"),
    )
    assert verdict(message) == Decision(True, "Sent to you by a person")


def test_addresses_are_matched_whatever_their_case() -> None:
    assert needs_reply(email("a", to=("Me@Example.com",)), ["ME@example.COM"])


def test_me_only_in_cc_needs_none() -> None:
    message = mail(PERSON, "joerg.mueller@firma.example", to=("anna@firma.example",), cc=(ME,))
    assert verdict(message) == Decision(False, "You are only in Cc")


def test_mail_not_addressed_to_me_at_all_needs_none() -> None:
    message = email("a", to=("team@firma.example",))  # Bcc, or a forward rule
    assert verdict(message) == Decision(False, "Not addressed to you (Bcc or forwarded)")


def test_auto_submitted_no_is_a_person() -> None:
    assert verdict(email("a", headers={"Auto-Submitted": "no"})).needs_reply


# --- services, lists, bulk and machines -----------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "sender", "to", "cc", "reason"),
    [
        (GITHUB, "notifications@github.com", ("web@noreply.github.com",), (ME,), "GitHub"),
        (GOOGLE_CALENDAR, "calendar-notification@google.com", (ME,), (), "Google Calendar"),
        (JIRA, "jira@acme.atlassian.net", (ME,), (), "Jira"),
        (LINKEDIN, "messages-noreply@linkedin.com", (ME,), (), "LinkedIn"),
    ],
    ids=["github", "google-calendar", "jira", "linkedin"],
)
def test_notification_services_need_none_and_are_named(
    headers: dict[str, str], sender: str, to: tuple[str, ...], cc: tuple[str, ...], reason: str
) -> None:
    message = mail(headers, sender, to=to, cc=cc)
    assert verdict(message) == Decision(False, f"From a notification service ({reason})")
    assert is_bulk(message)


def test_a_linkedin_subdomain_is_linkedin_too() -> None:
    assert notification_service("jobs-listings@e.linkedin.com") == "LinkedIn"
    assert notification_service("ada@notlinkedin.com") is None


def test_mailchimp_newsletter_is_a_mailing_list() -> None:
    message = mail(MAILCHIMP, "news@shop.example")
    assert verdict(message) == Decision(
        False, "Mailing list (List-Id: 4f3e2d1c0b9a8f7e6d5c4b3a2.123456.list-id.mcsv.net)"
    )


def test_a_mailing_list_with_reply_to_a_person_needs_none() -> None:
    message = mail(MAILMAN, "python-dev@python.example", to=("python-dev@python.example",))
    assert verdict(message) == Decision(False, "Mailing list (List-Id: dev.lists.example.org)")


def test_a_mailing_list_post_to_me_still_needs_none() -> None:
    """Lists that keep the poster's To: me are still lists."""
    message = mail(MAILMAN, "guido@python.example", to=(ME,))
    assert not verdict(message).needs_reply


def test_list_unsubscribe_alone_marks_a_newsletter() -> None:
    message = email("a", headers={"List-Unsubscribe": "<mailto:unsub@news.example>"})
    assert verdict(message) == Decision(False, "Mailing list or newsletter (List-Unsubscribe)")


@pytest.mark.parametrize("value", ["bulk", "list", "junk", "Bulk"])
def test_precedence_bulk_list_junk_is_bulk_mail(value: str) -> None:
    message = email("a", headers={"Precedence": value})
    assert verdict(message) == Decision(False, f"Bulk mail (Precedence: {value.lower()})")


def test_outlook_out_of_office_is_automated() -> None:
    message = mail(OUTLOOK_OUT_OF_OFFICE, "bernd.schoen@firma.example")
    assert verdict(message) == Decision(False, "Automated (Auto-Submitted: auto-replied)")


@pytest.mark.parametrize(
    "value", ["auto-generated", "auto-replied", "auto-notified", "auto-generated (failure)"]
)
def test_auto_submitted_other_than_no_is_automated(value: str) -> None:
    reason = verdict(email("a", headers={"Auto-Submitted": value})).reason
    assert reason == f"Automated (Auto-Submitted: {value.split(' ')[0]})"


@pytest.mark.parametrize(
    ("subject", "shown"),
    [
        ("Automatic reply: Offer for Q3", "Automatic reply"),
        ("Out of Office: Re: invoice", "Out of Office"),
        ("Out of Office AutoReply: lunch", "Out of Office"),
        ("Abwesenheitsnotiz: Angebot", "Abwesenheitsnotiz"),
        ("Automatische Antwort: Angebot für Q3", "Automatische Antwort"),
        ("Réponse automatique : devis", "Réponse automatique"),
        ("AutoReply", "AutoReply"),
    ],
)
def test_auto_reply_subjects_without_headers_are_automated(subject: str, shown: str) -> None:
    """Some servers strip Auto-Submitted, or never set it: the subject gives them away."""
    message = email("a", sender="bernd@firma.example", subject=subject)
    assert verdict(message) == Decision(False, f"Automated (subject: {shown})")


def test_out_of_office_without_a_colon_is_automated_only_on_an_answer() -> None:
    """A person may announce an absence and ask something; an auto-reply answers a mail."""
    announcement = email("a", sender="priya@startup.example", subject="Out of office until 30 Nov")
    assert verdict(announcement) == Decision(True, "Sent to you by a person")
    vacation = dataclasses.replace(announcement, in_reply_to="original-1@mail.example.com")
    assert verdict(vacation) == Decision(False, "Automated (subject: Out of office)")


@pytest.mark.parametrize(
    "subject", ["Re: Out of office next week?", "Auto replies are annoying", "Outofoffice"]
)
def test_subjects_that_only_mention_auto_replies_are_people(subject: str) -> None:
    assert verdict(email("a", subject=subject)).needs_reply


def test_every_listed_auto_reply_subject_is_recognised() -> None:
    for prefix in (*AUTO_REPLY_SUBJECTS, *OUT_OF_OFFICE_SUBJECTS):
        subject = f"{prefix.upper()}: Hello"
        assert not verdict(email("a", subject=subject)).needs_reply, subject


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"X-Autoreply": "yes"}, "Automated (X-Autoreply: yes)"),
        ({"X-Autorespond": "Out of office"}, "Automated (X-Autorespond: Out of office)"),
        ({"X-Autogenerated": "Reply"}, "Automated (X-Autogenerated: Reply)"),
        ({"Precedence": "auto_reply"}, "Automated (Precedence: auto_reply)"),
    ],
)
def test_autoresponder_headers_are_automated(headers: dict[str, str], reason: str) -> None:
    assert verdict(email("a", headers=headers)) == Decision(False, reason)


def test_autoresponder_headers_saying_no_are_ignored() -> None:
    assert verdict(email("a", headers={"X-Autoreply": "no"})).needs_reply


@pytest.mark.parametrize(
    "sender",
    [
        "noreply@example.org",
        "no-reply@x.example",
        "no_reply@x.example",
        "do_not_reply@x.example",
        "donotreply@x.example",
        "do-not-reply@x.example",
        "messages-noreply@bank.example",
        "invoice+noreply@shop.example",
        "noreply-42@x.example",
        "notifications@ci.example",
        "notification@ci.example",
        "mailer-daemon@mx.example.org",
        "postmaster@mx.example.org",
        "bounces+123@mail.example",
        "alerts@monitoring.example",
        "newsletter@shop.example",
    ],
)
def test_no_reply_senders_need_none(sender: str) -> None:
    assert is_no_reply_sender(sender)
    message = email("a", sender=sender)
    assert verdict(message) == Decision(False, "Sent from a no-reply address")


@pytest.mark.parametrize(
    "sender", ["noreen@example.org", "replyguy@x.example", "nora.reply@x.example", "ada@noreply.io"]
)
def test_people_with_look_alike_addresses_are_people(sender: str) -> None:
    assert not is_no_reply_sender(sender)
    assert verdict(email("a", sender=sender)).needs_reply


# --- my own messages --------------------------------------------------------------------


def test_my_own_messages_need_none() -> None:
    own = Decision(False, "Your own message")
    assert verdict(email("a", sender=ME)) == own
    assert verdict(email("a", sender="ME@example.com")) == own
    assert verdict(email("a", direction=Direction.OUTBOUND)) == own
    assert verdict(chat("a", sender=ME_CHAT, direct=True)) == own


def test_rules_and_overrides_cannot_make_my_own_messages_need_a_reply() -> None:
    rules = ReplyRules(senders={ME: True}, domains={"example.com": True})
    assert verdict(email("a", sender=ME), rules) == Decision(False, "Your own message")
    assert not decide(email("a", sender=ME), [ME], rules, override=True).needs_reply
    outbound = email("a", direction=Direction.OUTBOUND, sender="client@example.org")
    assert not decide(outbound, [ME], ReplyRules(senders={"client@example.org": True})).needs_reply


# --- chat ---------------------------------------------------------------------------------


def test_a_direct_message_needs_a_reply() -> None:
    assert verdict(chat("a", direct=True)) == Decision(True, "Direct message")


def test_a_mention_needs_a_reply() -> None:
    assert verdict(chat("a", mention=True)) == Decision(True, "Mentions you")


def test_room_chatter_needs_none() -> None:
    assert verdict(chat("a")) == Decision(False, "Room message without a mention")


def test_chat_ignores_email_heuristics() -> None:
    """A DM from a bot-looking handle is still a DM."""
    assert verdict(chat("a", sender="@noreply:example.org", direct=True)).needs_reply


# --- the user's rules -----------------------------------------------------------------------


def test_a_never_rule_for_a_sender_silences_a_person() -> None:
    message = mail(PERSON, "joerg.mueller@firma.example")
    rules = ReplyRules(senders={"Joerg.Mueller@Firma.example": False})
    assert verdict(message, rules) == Decision(
        False, "Your rule: never for joerg.mueller@firma.example"
    )


def test_an_always_rule_for_a_sender_beats_every_automatic_rule() -> None:
    rules = ReplyRules(senders={"notifications@github.com": True})
    message = mail(GITHUB, "notifications@github.com", to=("web@noreply.github.com",))
    assert verdict(message, rules) == Decision(
        True, "Your rule: always for notifications@github.com"
    )
    cc_only = mail(PERSON, "ada@example.org", to=("team@example.org",), cc=(ME,))
    assert verdict(cc_only, ReplyRules(senders={"ada@example.org": True})) == Decision(
        True, "Your rule: always for ada@example.org"
    )


def test_a_domain_rule_covers_its_subdomains_only() -> None:
    rules = ReplyRules(domains={"example.com": False})
    assert verdict(email("a", sender="ada@mail.example.com"), rules) == Decision(
        False, "Your rule: never for example.com"
    )
    assert verdict(email("a", sender="ada@example.com"), rules).reason.startswith("Your rule")
    assert verdict(email("a", sender="ada@badexample.com"), rules).needs_reply


def test_a_domain_rule_turns_a_newsletter_on() -> None:
    rules = ReplyRules(domains={"*.shop.example": True})
    message = mail(MAILCHIMP, "news@shop.example")
    assert verdict(message, rules) == Decision(True, "Your rule: always for shop.example")


def test_the_sender_rule_beats_the_domain_rule_and_the_longest_domain_wins() -> None:
    rules = ReplyRules(
        senders={"ada@eng.example.com": True},
        domains={"example.com": True, "eng.example.com": False},
    )
    assert verdict(email("a", sender="ada@eng.example.com"), rules).needs_reply
    assert verdict(email("a", sender="bob@eng.example.com"), rules) == Decision(
        False, "Your rule: never for eng.example.com"
    )
    assert verdict(email("a", sender="cy@www.example.com"), rules) == Decision(
        True, "Your rule: always for example.com"
    )


def test_domain_rules_apply_to_matrix_homeservers() -> None:
    rules = ReplyRules(domains={"@bots.example.org": False})
    message = chat("a", sender="@ci:bots.example.org", mention=True)
    assert verdict(message, rules) == Decision(False, "Your rule: never for bots.example.org")


def test_a_per_message_override_beats_the_rules() -> None:
    rules = ReplyRules(senders={"client@example.org": False})
    chosen = decide(email("a"), [ME], rules, override=True)
    assert chosen == Decision(True, "You marked it as needing a reply")
    assert decide(email("a"), [ME], override=False) == Decision(
        False, "You marked it as needing no reply"
    )


# --- helpers ------------------------------------------------------------------------------


def test_sender_domains() -> None:
    assert address_domain("Ada@Mail.Example.org") == "mail.example.org"
    assert address_domain("@ada:example.org") == "example.org"
    assert address_domain("U024BE7LH") is None
    assert address_domain("MAILER-DAEMON") is None
    assert normalize_domain(" *.Example.COM. ") == "example.com"
    assert normalize_domain("@example.com") == "example.com"
    assert most_specific_domain("a.b.example.com", {"example.com", "b.example.com"}) == (
        "b.example.com"
    )
    assert most_specific_domain("example.com", {"ample.com"}) is None
    assert most_specific_domain(None, {"example.com"}) is None


def test_every_reason_is_one_short_line() -> None:
    messages = [
        mail(headers, sender)
        for headers, sender in [
            (GITHUB, "notifications@github.com"),
            (MAILCHIMP, "news@shop.example"),
            (MAILMAN, "python-dev@python.example"),
            (PERSON, "joerg.mueller@firma.example"),
            (OUTLOOK_OUT_OF_OFFICE, "bernd.schoen@firma.example"),
        ]
    ]
    for message in messages:
        reason = verdict(message).reason
        assert reason, message
        assert "\n" not in reason
        assert len(reason) <= 100, reason


def test_message_ids_are_compared_without_brackets() -> None:
    assert normalize_message_id(" <abc@x.example> ") == "abc@x.example"
    assert normalize_message_id("abc@x.example") == "abc@x.example"
    assert normalize_message_id("<>") is None
    assert normalize_message_id(None) is None


def test_a_bot_message_needs_no_reply_even_in_a_dm_or_mentioning_you() -> None:
    """Matrix notices and Slack bot messages: the source names the bot."""
    for message in (chat("a", direct=True), chat("b", mention=True)):
        from_bot = dataclasses.replace(message, headers={"x-chat-bot": "CI builds"})
        assert verdict(from_bot) == Decision(False, "From a bot (CI builds)")
