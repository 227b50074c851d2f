"""A deterministic demo source: realistic email and chat for trying AsyncDesk offline.

Why it exists: ``asyncdesk demo`` must show a lived-in inbox (client threads, newsletters,
CI mail, DMs, mentions, overdue and fresh deadlines) with no server and no account, and
tests and benchmarks need the very same data on every run and every machine. So this
source invents its messages from a seed: the same ``(seed, anchor, count, flavour,
timezone)`` always yields the same messages (remote ids, texts, instants) in the same
order. Seeds go through SHA-256, never ``hash()`` (salted per process).

How: messages come in *episodes* (an email thread, a DM exchange, a burst of room chatter,
a chat thread). Episode ``i`` is planned by its own ``random.Random`` seeded from
``(seed, flavour, i)`` and never looks at other episodes, so generation is lazy and
prefix-stable: only one episode and one batch live in memory, a cursor ("episode ``i``,
message ``k``") regenerates exactly the tail a full run would have produced, and ``count``
only cuts the stream (a larger ``count`` extends a smaller one). Messages are emitted
episode by episode, not in global time order; within an episode every message comes
after the one it answers.

Instants are UTC, within the 28 local days up to ``anchor`` and never after it. Most
inbound traffic falls in working hours (Monday to Friday, 08:00-18:00 in ``timezone``,
via zoneinfo so DST is right), a little in evenings and at weekends. The user's replies
come minutes to about two days after what they answer. About a third of inbound messages
need a reply (:func:`asyncdesk.core.classify.needs_reply` with the demo identities) and
about two thirds of those get one, judged as the store judges replies; the rest stay
open, some overdue and some fresh. Chat replies in group rooms go into threads, so they
clear only what they answer.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from asyncdesk.core.accounts import Account
from asyncdesk.core.clock import utc
from asyncdesk.core.messages import Direction, Medium, Message, Sender
from asyncdesk.sources.base import SourceError, SyncBatch

DEMO_NAME = "Alex Morgan"
DEMO_EMAIL_IDENTITY = "alex.morgan@example.com"
DEMO_CHAT_IDENTITY = "@alex:example.org"
STREAM = "all"
WINDOW_DAYS = 28
"""Inbound traffic starts on one of the last 28 local days up to the anchor."""
_RECENT_DAYS = 3
"""Some extra traffic starts on the last 3 local days, so a demo has deadlines ahead."""

Flavour = Literal["email", "chat"]

_CURSOR = re.compile(r"^demo1:([0-9a-f]{8}):(\d{1,12}):(\d{1,12}):(\d{1,6})$")
_EPISODES_PER_DM_PARTNER = 8
"""Chat episodes ``8p .. 8p+7`` share DM partner ``p``: about 2-3 DM exchanges each."""

_ME_EMAIL = Sender(DEMO_EMAIL_IDENTITY, DEMO_NAME)
_ME_CHAT = Sender(DEMO_CHAT_IDENTITY, DEMO_NAME)
_MIN = 60  # seconds


def split_count(total: int) -> tuple[int, int]:
    """Split ``total`` demo messages into (email, chat) shares, about 60/40."""
    if total < 0:
        raise ValueError(f"message count must be >= 0, not {total}")
    email = (total * 3 + 2) // 5
    return email, total - email


# ---------------------------------------------------------------------------- people


@dataclass(frozen=True, slots=True)
class _Person:
    name: str
    first: str
    """How they are greeted and how they sign."""
    email: Sender
    chat: Sender
    handle: str
    """Matrix localpart, also the DM room's name."""


def _person(name: str, first: str, email: str, handle: str) -> _Person:
    return _Person(name, first, Sender(email, name), Sender(f"@{handle}:example.org", name), handle)


_COLLEAGUES: tuple[_Person, ...] = tuple(
    _person(name, first, f"{local}@example.com", handle)
    for name, first, local, handle in (
        ("Priya Nair", "Priya", "priya.nair", "priya"),
        ("Zoë Müller", "Zoë", "zoe.mueller", "zoe"),
        ("José Álvarez", "José", "jose.alvarez", "jose"),
        ("李娜", "李娜", "li.na", "lina"),
        ("Tom Becker", "Tom", "tom.becker", "tom"),
        ("Sam Okafor", "Sam", "sam.okafor", "sam"),
        ("Hannah Schmidt", "Hannah", "hannah.schmidt", "hannah"),
        ("Mateo Rossi", "Mateo", "mateo.rossi", "mateo"),
        ("Yuki Tanaka", "Yuki", "yuki.tanaka", "yuki"),
        ("Ingrid Johansson", "Ingrid", "ingrid.johansson", "ingrid"),
        ("Kwame Mensah", "Kwame", "kwame.mensah", "kwame"),
        ("Chloé Dubois", "Chloé", "chloe.dubois", "chloe"),
        ("Łukasz Nowak", "Łukasz", "lukasz.nowak", "lukasz"),
        ("Aoife Byrne", "Aoife", "aoife.byrne", "aoife"),
        ("Rahul Mehta", "Rahul", "rahul.mehta", "rahul"),
        ("Emily Carter", "Emily", "emily.carter", "emily"),
    )
)

_CLIENTS: tuple[_Person, ...] = tuple(
    _person(name, first, email, email.partition("@")[0].replace(".", ""))
    for name, first, email in (
        ("Daniel Wright", "Daniel", "daniel.wright@northwind.example"),
        ("Sofía García", "Sofía", "sofia.garcia@acme.example"),
        ("Björn Eriksson", "Björn", "bjorn.eriksson@fabrikam.example"),
        ("Amara Okonkwo", "Amara", "amara@contoso.example"),
        ("Marie Lefèvre", "Marie", "marie.lefevre@globex.example"),
        ("Oliver Smith", "Oliver", "oliver.smith@initech.example"),
        ("Fatma Yılmaz", "Fatma", "fatma.yilmaz@example.net"),
        ("Nguyễn Văn An", "An", "an.nguyen@example.org"),
        ("Grace Kim", "Grace", "grace.kim@umbrella.example"),
        ("Lars Pedersen", "Lars", "lars.pedersen@example.net"),
        ("Мария Иванова", "Мария", "maria.ivanova@example.org"),
        ("Siobhán Kelly", "Siobhán", "siobhan.kelly@hooli.example"),
        ("Ahmed Hassan", "Ahmed", "ahmed.hassan@wayne.example"),
        ("Mei Chen", "Mei", "mei.chen@example.net"),
    )
)

# Names for people beyond the curated lists (more DM partners, first contacts).
_FIRST_NAMES: tuple[tuple[str, str], ...] = (
    ("Lena", "lena"),
    ("Jonas", "jonas"),
    ("Aisha", "aisha"),
    ("Diego", "diego"),
    ("Noor", "noor"),
    ("Felix", "felix"),
    ("Maya", "maya"),
    ("Ravi", "ravi"),
    ("Elif", "elif"),
    ("Pablo", "pablo"),
    ("Nina", "nina"),
    ("Omar", "omar"),
    ("Clara", "clara"),
    ("Kenji", "kenji"),
    ("Sara", "sara"),
    ("Jakub", "jakub"),
    ("Léa", "lea"),
    ("Tariq", "tariq"),
    ("Ida", "ida"),
    ("Mikko", "mikko"),
    ("Ana", "ana"),
    ("Bruno", "bruno"),
    ("Chiara", "chiara"),
    ("Dana", "dana"),
    ("Émile", "emile"),
    ("Freya", "freya"),
    ("Gustav", "gustav"),
    ("Hiro", "hiro"),
)
_LAST_NAMES: tuple[tuple[str, str], ...] = (
    ("Weber", "weber"),
    ("Haddad", "haddad"),
    ("Costa", "costa"),
    ("Fischer", "fischer"),
    ("Kowalski", "kowalski"),
    ("Moreau", "moreau"),
    ("Jensen", "jensen"),
    ("Sato", "sato"),
    ("Adeyemi", "adeyemi"),
    ("Brennan", "brennan"),
    ("Novak", "novak"),
    ("Lindqvist", "lindqvist"),
    ("Ortiz", "ortiz"),
    ("Petrov", "petrov"),
    ("Rahman", "rahman"),
    ("Schulz", "schulz"),
    ("Takahashi", "takahashi"),
    ("Virtanen", "virtanen"),
    ("Wójcik", "wojcik"),
    ("Yamada", "yamada"),
    ("Zimmermann", "zimmermann"),
    ("Åberg", "aberg"),
    ("Ferreira", "ferreira"),
    ("Dubois", "duboisk"),
)

_ORGS: tuple[tuple[str, str], ...] = (
    ("Bäckerei Sonnenschein", "sonnenschein.example"),
    ("Lumen Architects", "lumen.example"),
    ("Greenfield School", "greenfield.example"),
    ("Harbour & Co", "harbour.example"),
    ("Studio Kōan", "koan.example"),
    ("Riverside Clinic", "riverside.example"),
    ("Tiny Robots Ltd", "tinyrobots.example"),
    ("Café Olé", "cafeole.example"),
)


def _generated_person(k: int, domain: str = "example.org") -> _Person:
    """Person ``k`` beyond the curated lists; distinct ids for every ``k``."""
    n_first, n_last = len(_FIRST_NAMES), len(_LAST_NAMES)
    first, first_slug = _FIRST_NAMES[k % n_first]
    q = k // n_first
    last, last_slug = _LAST_NAMES[(q + 7 * (k % n_first)) % n_last]
    round_ = q // n_last
    slug = f"{first_slug}.{last_slug}" + (str(round_ + 1) if round_ else "")
    return _person(f"{first} {last}", first, f"{slug}@{domain}", slug)


# ----------------------------------------------------------------------- email texts

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")

_CLIENT_TOPICS: tuple[tuple[str, str], ...] = (
    ("Rollout timeline for the new portal", "the rollout timeline"),
    ("Feedback on the wireframes", "the wireframes"),
    ("Question about invoice {n}", "invoice {n}"),
    ("Contract renewal for next year", "the contract renewal"),
    ("Access to the staging environment", "access to staging"),
    ("Budget for phase 2", "the phase 2 budget"),
    ("Data export for the audit", "the audit export"),
    ("Homepage copy – final version", "the homepage copy"),
    ("Workshop agenda", "the workshop agenda"),
    ("Change request: checkout flow", "the checkout change request"),
    ("Translation of the user guide", "the user guide translation"),
    ("Server migration weekend", "the server migration"),
    ("Quote for the mobile app", "the mobile app quote"),
    ("Accessibility report", "the accessibility report"),
    ("Launch date", "the launch date"),
)
_COLLEAGUE_TOPICS: tuple[tuple[str, str], ...] = (
    ("Sprint review notes", "the sprint review notes"),
    ("Hiring: frontend position", "the frontend hiring"),
    ("Draft of the quarterly report", "the quarterly report draft"),
    ("Offsite planning", "the offsite"),
    ("On-call rota for next month", "the on-call rota"),
    ("Design system tokens", "the design tokens"),
    ("Customer interview summary", "the interview summary"),
    ("Roadmap priorities", "the roadmap"),
    ("Security review findings", "the security review"),
    ("Holiday cover", "holiday cover"),
    ("Pricing page experiment", "the pricing experiment"),
    ("Support backlog", "the support backlog"),
)
_DOCS = (
    "the proposal",
    "the slide deck",
    "the spreadsheet",
    "the spec",
    "the contract draft",
    "the timeline",
    "the estimate",
    "the test report",
)
_OPENERS = (
    "I wanted to follow up on {topic}.",
    "Quick question about {topic}.",
    "Could you take a look at {topic} when you have a moment?",
    "We went through {topic} with the team yesterday.",
    "I have attached the latest version of {doc} for {topic}.",
    "Thanks again for the call on {weekday}; here is where we are with {topic}.",
    "Following our last meeting, I have a few questions about {topic}.",
    "Hope your week is going well. I'm writing about {topic}.",
)
_MIDDLES = (
    "The main open point is whether we can keep the current deadline.",
    "Could you confirm the numbers before we send them to finance?",
    "I think we are close, but I would like your opinion on the last two items.",
    "We could also go through it in a short call if that is easier.",
    "{other} mentioned you might have a view on this.",
    "Is the estimate from last week still valid?",
    "Two people on our side found the second option clearer.",
    "Nothing is urgent, but it would help us plan the next sprint.",
    "I've marked the parts that changed in yellow.",
)
_ASKS = (
    "Can you get back to me by {due}?",
    "What do you think?",
    "Would you be able to send your comments this week?",
    "Does that work for you?",
    "Could you let me know which option you prefer?",
    "Shall we go ahead?",
)
_FOLLOWUPS = (
    "Thanks, that helps a lot. One more thing: could you also check {doc}?",
    "Great, thank you! I'll update {topic} accordingly. When would suit you for a short call?",
    "Understood. I checked with {other} and we'd prefer the second option. Is that OK for you?",
    "Perfect, that works for us. Could you send the updated version of {doc}?",
    "Thanks for the quick answer. Just to be sure: is {due} still realistic?",
    "Makes sense. I've made the changes; could you have a final look?",
)
_NUDGES = (
    "Just bumping this in case it got buried. {ask}",
    "Sorry to chase, but we need an answer on {topic} to move forward. {ask}",
    "Any news on this? {ask}",
)
_REPLIES = (
    "I'll look at {topic} today and send comments by {due}.",
    "That works for me, let's go with the second option.",
    "Yes, {due} is fine. I'll send a calendar invite.",
    "I've added my comments to {doc}; the main change is in the summary.",
    "Good catch. I've fixed it and updated {doc}.",
    "Let me check with the team and get back to you tomorrow.",
    "Thanks for the reminder. The numbers are confirmed, please go ahead.",
    "Agreed on all points except the timeline; could we move it by a week?",
)
_SIGNOFFS = ("Best", "Thanks", "Kind regards", "Cheers", "Best wishes", "Many thanks")

_MEETING_SUBJECTS = (
    "Meeting request: {title}",
    "Can we meet on {weekday}?",
    "Call about {topic}?",
    "30 minutes next week?",
)
_MEETING_BODIES = (
    "Would you have 30 minutes on {weekday} at {hour}:00 to talk about {topic}? "
    "I'll send a video link: https://meet.example.com/{code}",
    "Could we find a slot this week to go through {topic}? {weekday} afternoon would be "
    "ideal for me, but I'm flexible.",
    "I'd like to set up a short call about {topic} with you and {other}. "
    "Does {weekday} at {hour}:00 work? We can use https://meet.example.com/{code}",
)
_MEETING_REPLIES = (
    "{weekday} at {hour}:00 works for me, see you then.",
    "I can't make {weekday}, but the following morning is free. Would that work?",
    "Sure, I've accepted the invite.",
)
_INQUIRIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Inquiry: website redesign for {org}",
        (
            "We are looking for someone to help us with a new website and were pointed to you.",
            "Could you send us a rough quote and your availability for the next two months?",
            "Our budget is modest, but the timeline is flexible.",
        ),
    ),
    (
        "Would you speak at our meetup?",
        (
            "We run a local meetup and would love to hear a talk from you in the spring.",
            "About forty people usually come, and we can cover your travel.",
        ),
    ),
    (
        "Question about your article on asynchronous work",
        (
            "I read your article on asynchronous work and shared it with my team.",
            "How do you handle clients who expect an answer within the hour?",
        ),
    ),
    (
        "Request for a quote",
        (
            "A friend recommended your work and I wondered if you take on small projects.",
            "We need a booking page and a simple admin view; could you give us a rough price?",
        ),
    ),
    (
        "Introduction – {org}",
        (
            "{other} from your team suggested I get in touch.",
            "We are planning a small internal tool and would value half an hour of advice.",
        ),
    ),
)
_INQUIRY_REPLIES = (
    "Thanks for reaching out! I'd be happy to hear more. Could you send a short brief?",
    "Thank you for thinking of me. I'm fully booked until next month, but let's talk then.",
    "Happy to help. I've attached my rates; shall we have a short call on {due}?",
)

# ------------------------------------------------------------------ bulk and machines

_NEWSLETTERS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    (
        "Design Weekly",
        "digest@designweekly.example",
        "designweekly.example",
        ("Design Weekly #{n}: {headline}",),
    ),
    (
        "The Remote Work Letter",
        "letters@remote.example.net",
        "remote.example.net",
        ("{headline}", "This week in remote work: {headline}"),
    ),
    (
        "Python Insider Digest",
        "digest@pythonnews.example",
        "pythonnews.example",
        ("Python digest #{n}", "Python digest: {headline}"),
    ),
    (
        "City Library",
        "events@library.example.org",
        "library.example.org",
        ("Events this week at the City Library", "New arrivals and {headline}"),
    ),
    (
        "Example Cloud",
        "updates@cloud.example",
        "cloud.example",
        ("Product update: {headline}", "What's new in Example Cloud"),
    ),
    (
        "Startup Jobs Board",
        "jobs@jobs.example.net",
        "jobs.example.net",
        ("{n} new jobs matching your profile",),
    ),
)
_HEADLINES = (
    "why calm tools win",
    "five ways to run fewer meetings",
    "the state of design systems",
    "async stand-ups that work",
    "dark mode done right",
    "a better way to review code",
    "typing tips for large codebases",
    "the case for deep work",
    "pricing pages that convert",
    "winter reading list",
    "lessons from a year without Slack",
    "writing good changelogs",
)

_REPOS = ("example/webapp", "example/api", "example/design-system", "example/infra")
_PR_TITLES = (
    "Fix login redirect loop",
    "Add CSV export to reports",
    "Bump dependencies",
    "Refactor notification settings",
    "Improve dark mode contrast",
    "Cache user avatars",
    "Add retry to webhook delivery",
    "Remove legacy billing endpoint",
)
_PR_EVENTS = (
    "{who} commented on this pull request.\n\n> Looks good overall, one question about the "
    "error handling.",
    "{who} approved these changes.",
    "{who} requested changes on this pull request.\n\n> Please add a test for the empty case.",
    "Merged #{n} into main.",
    "{who} pushed 2 commits.",
)
_TRACKER_TITLES = (
    "Checkout button misaligned on Safari",
    "Export times out for large accounts",
    "Update privacy policy link",
    "Add Slack icon to integrations page",
    "Search ignores accents",
    "Password reset mail lands in spam",
)

# ---------------------------------------------------------------------------- chat

_ROOMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "design",
        (
            "New iteration of the onboarding screens is up, comments welcome.",
            "Are we keeping the rounded corners on cards?",
            "I pushed the updated icon set.",
            "Colour contrast on the dark theme looks off to me.",
            "Can someone share the latest brand guidelines?",
            "Usability test recordings from yesterday are in the shared drive.",
        ),
    ),
    (
        "ops",
        (
            "Deploy of api 2.14 is done.",
            "Disk usage on db-2 is at 81 %, keeping an eye on it.",
            "Certificate renewal ran fine.",
            "Who is on call this weekend?",
            "Rolling back the cache change, latency went up.",
            "Backups verified, restore test passed.",
        ),
    ),
    (
        "random",
        (
            "Anyone up for lunch at the Thai place?",
            "Happy Friday everyone 🎉",
            "The coffee machine on the third floor is fixed!",
            "Any podcast recommendations for a long train ride?",
            "Look at this sunset from the office roof 🌇",
            "Cake in the kitchen, help yourselves.",
        ),
    ),
    (
        "general",
        (
            "Reminder: all-hands on Thursday at 16:00.",
            "Welcome Jonas, who joins the support team today!",
            "The office is closed on Monday for the public holiday.",
            "New expense policy is in the handbook.",
            "Thanks to everyone who joined the offsite!",
        ),
    ),
    (
        "product",
        (
            "Interview notes from the three customer calls are in the doc.",
            "Should the export live under Settings or Reports?",
            "Draft of next quarter's goals is ready for comments.",
            "Churn dipped again last month 📉",
            "We got great feedback on the new search.",
        ),
    ),
    (
        "frontend",
        (
            "Storybook is broken on main, looking into it.",
            "Heads up: we're moving to the new router next sprint.",
            "Bundle size went down by 12 % after the cleanup.",
            "Can someone review the date picker PR?",
            "Flaky test in checkout again.",
        ),
    ),
)
_ROOM_REPLIES = (
    "+1",
    "Agreed.",
    "I can take this.",
    "Looks good to me 👍",
    "Thanks!",
    "I think we need to check with legal first.",
    "Fixed in the latest build.",
    "Can we move this to tomorrow?",
    "Good point.",
    "On it.",
    "Same here.",
    "Let's discuss in the sync.",
)
_THINGS = (
    "the release notes",
    "PR #{n}",
    "the onboarding flow",
    "the Q4 budget sheet",
    "the status page copy",
    "the new pricing tiers",
    "the customer survey",
    "the demo video",
    "the API changelog",
    "the hiring plan",
)
_MENTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "@alex could you review {thing} today?",
        ("On it, I'll review it after lunch.", "Done, left two comments."),
    ),
    (
        "@alex do you have the numbers for {thing}?",
        ("They're in the sheet, second tab.", "I'll dig them out this afternoon."),
    ),
    (
        "@alex are you OK with shipping {thing} on {due}?",
        ("Yes, ship it 👍", "Let's wait until {other} has tested it."),
    ),
    (
        "@alex quick one: who owns {thing}?",
        ("I do, I'll post an update by {due}.", "{other} owns it now."),
    ),
    (
        "@alex can you sign off on {thing}?",
        ("Signed off ✅", "One question first, see my comment in the doc."),
    ),
    (
        "Thanks @alex! One more question on {thing}: is it blocking?",
        ("Not blocking, go ahead.", "Yes, blocking for now, sorry."),
    ),
    (
        "@alex what's your take on {thing}?",
        ("Looks good to me overall.", "Good point, I'll check with {other}."),
    ),
)
_DM_OPENERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Hey Alex, got a minute?", ("Sure, what's up?", "In a call until 3, then yes.")),
    (
        "Can you look at the draft I shared?",
        ("Looked at it, two small comments in the doc.", "Will do this afternoon."),
    ),
    ("Are we still on for {weekday}?", ("Yes, see you then!", "Can we push it by an hour?")),
    (
        "Do you know who has access to the analytics dashboard?",
        ("{other} is the admin, ask them.", "I do, I've just added you."),
    ),
    (
        "Quick question about {thing}: is it still on track?",
        ("Yes, on track for {due}.", "Slightly delayed, I'll post an update."),
    ),
    (
        "I sent you the slides, let me know what you think.",
        ("Looks great, ship it 👍", "Nice! Slide 4 needs a source."),
    ),
    ("Morning! Could you approve my time off request?", ("Approved, enjoy!", "Done ✅")),
    (
        "Did you see the client's email about {thing}?",
        ("Yes, I'll answer it today.", "Just read it, let's discuss it at the sync."),
    ),
)
_DM_MORE = (
    "No rush, whenever you have a moment.",
    "It's about {thing}.",
    "I need it before {due} if possible.",
    "Happy to jump on a call too.",
)
_DM_FOLLOWUPS = (
    "Thanks!",
    "Perfect, thank you 🙏",
    "Ok, one more thing: can you also check {thing}?",
    "Great, that unblocks me.",
    "Makes sense, I'll do that.",
)


# ------------------------------------------------------------------------- the source


class DemoSource:
    """Invented, reproducible messages for one demo account (one ``flavour``).

    ``anchor`` is the instant the data is "as of" (no message after it); ``timezone``
    places working hours. ``count`` messages in total (inbound and outbound), yielded by
    :meth:`sync` on the single stream ``"all"`` in batches of ``batch_size``. The
    account's ``identities`` should contain :data:`DEMO_EMAIL_IDENTITY` (email) or
    :data:`DEMO_CHAT_IDENTITY` (chat): the messages are addressed to those.
    """

    def __init__(
        self,
        account: Account,
        *,
        seed: int,
        anchor: datetime,
        count: int,
        flavour: Flavour,
        timezone: str = "Europe/Berlin",
        batch_size: int = 2000,
    ) -> None:
        if flavour not in ("email", "chat"):
            raise ValueError(f"demo flavour must be 'email' or 'chat', not {flavour!r}")
        if count < 0:
            raise ValueError(f"demo message count must be >= 0, not {count}")
        if batch_size < 1:
            raise ValueError(f"batch size must be >= 1, not {batch_size}")
        try:
            self._tz = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SourceError(f"unknown time zone {timezone!r} for the demo source") from None
        self.account = account
        self.seed = seed
        self.anchor = utc(anchor)
        self.count = count
        self.flavour: Flavour = flavour
        self.timezone = timezone
        self.batch_size = batch_size

        digest = hashlib.sha256(f"asyncdesk-demo|{seed}|{flavour}".encode()).digest()
        self._base = int.from_bytes(digest[:8], "big")
        self._fingerprint = hashlib.sha256(
            f"{seed}|{self.anchor.isoformat()}|{flavour}|{timezone}".encode()
        ).hexdigest()[:8]
        colleagues = list(_COLLEAGUES)
        random.Random(self._base).shuffle(colleagues)
        self._colleagues: tuple[_Person, ...] = tuple(colleagues)

        local_anchor = self.anchor.astimezone(self._tz)
        days = [local_anchor.date() - timedelta(days=back) for back in range(WINDOW_DAYS)]
        self._weekdays: tuple[date, ...] = tuple(d for d in days if d.weekday() < 5)
        self._weekends: tuple[date, ...] = tuple(d for d in days if d.weekday() >= 5) or tuple(days)
        self._days: tuple[date, ...] = tuple(days)
        recent = days[:_RECENT_DAYS]
        self._recent_weekdays: tuple[date, ...] = tuple(
            d for d in recent if d.weekday() < 5
        ) or tuple(recent)

    @classmethod
    def from_account(cls, account: Account, *, batch_size: int = 2000) -> DemoSource:
        """The source described by ``account.config`` (as written by :meth:`config`).

        The anchor is part of the data's identity: a demo account must keep the anchor it
        was created with, or its saved cursor no longer fits (and is refused).
        """
        config = account.config
        try:
            return cls(
                account,
                seed=int(config["seed"]),
                anchor=datetime.fromisoformat(str(config["anchor"])),
                count=int(config["count"]),
                flavour=config["flavour"],
                timezone=str(config.get("timezone", "Europe/Berlin")),
                batch_size=batch_size,
            )
        except (KeyError, TypeError, ValueError) as error:
            raise SourceError(
                f"demo account {account.name} has an unusable configuration: {error}"
            ) from None

    def config(self) -> dict[str, str | int]:
        """The parameters to keep in ``Account.config`` (JSON-safe; the anchor in UTC)."""
        return {
            "seed": self.seed,
            "anchor": self.anchor.isoformat(),
            "count": self.count,
            "flavour": self.flavour,
            "timezone": self.timezone,
        }

    # -- the Source protocol ------------------------------------------------------------

    def streams(self) -> Sequence[str]:
        return [STREAM]

    def sync(self, stream: str, cursor: str | None) -> Iterator[SyncBatch]:
        """Yield the messages after ``cursor`` (all of them for ``None``) in batches.

        Each batch carries the cursor after its last message; resuming from it yields
        exactly what a full run yields after that point. Raises :class:`SourceError` for
        an unknown stream or a cursor this source did not make.
        """
        if stream != STREAM:
            raise SourceError(f"demo account {self.account.name} has no stream {stream!r}")
        done, episode, offset = self._parse_cursor(cursor)
        return self._batches(stream, done, episode, offset)

    def close(self) -> None:
        """Nothing to release; safe to call any number of times."""

    # -- cursors and batches -------------------------------------------------------------

    def _cursor(self, done: int, episode: int, offset: int) -> str:
        return f"demo1:{self._fingerprint}:{done}:{episode}:{offset}"

    def _parse_cursor(self, cursor: str | None) -> tuple[int, int, int]:
        if cursor is None:
            return 0, 0, 0
        shown = cursor if len(cursor) <= 60 else cursor[:57] + "..."
        prefix = f"demo account {self.account.name}: cannot resume from cursor {shown!r}"
        match = _CURSOR.match(cursor)
        if match is None:
            raise SourceError(f"{prefix}: not a demo cursor")
        if match.group(1) != self._fingerprint:
            raise SourceError(f"{prefix}: it belongs to demo data with another seed or anchor")
        done, episode, offset = (int(match.group(i)) for i in (2, 3, 4))
        if done > self.count or episode + offset > done:
            raise SourceError(f"{prefix}: it points past the {self.count} demo messages")
        if done < self.count and offset > len(self._episode(episode)):
            raise SourceError(f"{prefix}: no such position in the demo data")
        return done, episode, offset

    def _batches(self, stream: str, done: int, episode: int, offset: int) -> Iterator[SyncBatch]:
        batch: list[Message] = []
        while done < self.count:
            messages = self._episode(episode)
            while offset < len(messages) and done < self.count:
                batch.append(messages[offset])
                offset += 1
                done += 1
                if len(batch) == self.batch_size or done == self.count:
                    yield SyncBatch(
                        stream=stream,
                        messages=tuple(batch),
                        cursor=self._cursor(done, episode, offset),
                        done=done,
                        total=self.count,
                    )
                    batch = []
            episode += 1
            offset = 0

    # -- time ------------------------------------------------------------------------

    def _local(self, day: date, minute: int, second: int) -> datetime:
        hour, minute = divmod(minute, 60)
        local = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=self._tz)
        return local.astimezone(UTC)

    def _start(self, rng: random.Random) -> datetime:
        """When an episode begins: mostly working hours, some evenings and weekends, and a
        little more in the last few days so that a fresh demo has deadlines coming up."""
        for _ in range(12):
            r = rng.random()
            if r < 0.15:
                day = rng.choice(self._recent_weekdays)
                minute = rng.randrange(8 * 60, 18 * 60)
            elif r < 0.86:
                day = rng.choice(self._weekdays) if self._weekdays else rng.choice(self._days)
                minute = rng.randrange(8 * 60, 18 * 60)
            elif r < 0.94:
                day = rng.choice(self._days)
                minute = rng.randrange(18 * 60, 22 * 60 + 30)
            else:
                day = rng.choice(self._weekends)
                minute = rng.randrange(9 * 60, 21 * 60)
            start = self._local(day, minute, rng.randrange(60))
            if start <= self.anchor - timedelta(minutes=5):
                return start
        return self.anchor - timedelta(minutes=rng.randrange(10, 600))

    def _next_working(self, instant: datetime, rng: random.Random) -> datetime:
        local = instant.astimezone(self._tz)
        if local.weekday() < 5 and 8 <= local.hour < 18:
            return instant
        day = local.date()
        if local.weekday() >= 5 or local.hour >= 18:
            day += timedelta(days=1)
            while day.weekday() >= 5:
                day += timedelta(days=1)
        return self._local(day, 8 * 60 + rng.randrange(0, 150), rng.randrange(60))

    def _later(
        self,
        after: datetime,
        rng: random.Random,
        low_min: float,
        high_min: float,
        working: float = 0.85,
    ) -> datetime | None:
        """An instant ``low_min``-``high_min`` minutes after ``after``, pushed into working
        hours with probability ``working``; ``None`` if it would pass the anchor."""
        seconds = rng.randrange(int(low_min * _MIN), int(high_min * _MIN) + 1)
        instant = after + timedelta(seconds=seconds)
        if working and rng.random() < working:
            instant = self._next_working(instant, rng)
        return instant if instant <= self.anchor else None

    def _reply_time(self, after: datetime, rng: random.Random) -> datetime | None:
        """When the user answers: minutes to about two days later, usually in work time."""
        r = rng.random()
        if r < 0.45:
            low, high = 8.0, 180.0
        elif r < 0.85:
            low, high = 180.0, 26 * 60.0
        else:
            low, high = 26 * 60.0, 50 * 60.0
        seconds = rng.randrange(int(low * _MIN), int(high * _MIN) + 1)
        instant = after + timedelta(seconds=seconds)
        if rng.random() < 0.7:
            snapped = self._next_working(instant, rng)
            if snapped - after <= timedelta(hours=52):
                instant = snapped
        return instant if instant <= self.anchor else None

    # -- episodes ----------------------------------------------------------------------

    def _rng(self, episode: int) -> random.Random:
        return random.Random((self._base << 40) | episode)

    def _episode(self, episode: int) -> list[Message]:
        """Every message of episode ``episode``, in order; depends on nothing else."""
        rng = self._rng(episode)
        if self.flavour == "email":
            return _EmailEpisode(self, episode, rng).build()
        return _ChatEpisode(self, episode, rng).build()


def _values(rng: random.Random, other: str, **values: str) -> dict[str, str]:
    """One episode's words, so that every message of it talks about the same things."""
    weekday, due = rng.sample(_WEEKDAYS, 2)
    n = str(rng.randrange(100, 999))
    return {
        "weekday": weekday,
        "due": due,
        "n": n,
        "doc": rng.choice(_DOCS),
        "thing": rng.choice(_THINGS).format(n=n),
        "other": other,
        "hour": str(rng.randrange(9, 17)),
        **values,
    }


class _EmailEpisode:
    """One email thread (or a single bulk message), built oldest first."""

    def __init__(self, source: DemoSource, episode: int, rng: random.Random) -> None:
        self.source = source
        self.episode = episode
        self.rng = rng
        self.messages: list[Message] = []
        self.subject = ""

    def colleague(self, *exclude: _Person) -> _Person:
        while True:
            person = self.rng.choice(self.source._colleagues)
            if person not in exclude:
                return person

    def values(self, topic: str, **values: str) -> dict[str, str]:
        return _values(self.rng, self.colleague().first, topic=topic, **values)

    def say(self, templates: Sequence[str], values: dict[str, str]) -> str:
        return self.rng.choice(templates).format(**values)

    def letter(self, greet: str, lines: str, sign: str) -> str:
        return f"Hi {greet},\n\n{lines}\n\n{self.rng.choice(_SIGNOFFS)},\n{sign}"

    def add(
        self,
        sender: Sender,
        when: datetime,
        body: str,
        *,
        to: tuple[str, ...],
        cc: tuple[str, ...] = (),
        subject: str | None = None,
        headers: dict[str, str] | None = None,
        message_id: str | None = None,
    ) -> Message:
        """Append a message answering the previous one (threading headers and all)."""
        k = len(self.messages)
        domain = sender.address.partition("@")[2]
        mid = message_id or f"{self.rng.getrandbits(40):010x}.{self.episode}.{k}@{domain}"
        parent = self.messages[-1] if self.messages else None
        if subject is None:
            subject = self.subject
            if parent is not None and not subject.lower().startswith("re:"):
                subject = f"Re: {subject}"
        all_headers = {"message-id": f"<{mid}>"}
        references: tuple[str, ...] = ()
        in_reply_to = None
        if parent is not None and parent.message_id is not None:
            in_reply_to = parent.message_id
            references = (*parent.references, in_reply_to)
            if len(references) > 8:  # as mail clients do: keep the root and the newest
                references = (references[0], *references[-7:])
            all_headers["in-reply-to"] = f"<{in_reply_to}>"
            all_headers["references"] = " ".join(f"<{r}>" for r in references)
        if headers:
            all_headers.update(headers)
        message = Message(
            remote_id=f"email-{self.episode}-{k}",
            direction=Direction.OUTBOUND if sender is _ME_EMAIL else Direction.INBOUND,
            medium=Medium.EMAIL,
            conversation=self.messages[0].conversation if self.messages else mid,
            sender=sender,
            subject=subject,
            received_at=when,
            body_text=body,
            to=to,
            cc=cc,
            message_id=mid,
            in_reply_to=in_reply_to,
            references=references,
            headers=all_headers,
        )
        self.messages.append(message)
        return message

    def build(self) -> list[Message]:
        r = self.rng.random()
        if r < 0.16:
            self.conversation(client=True)
        elif r < 0.28:
            self.conversation(client=False)
        elif r < 0.31:
            self.meeting()
        elif r < 0.34:
            self.inquiry()
        elif r < 0.36:
            self.forward()
        elif r < 0.48:
            self.cc_only()
        elif r < 0.66:
            self.newsletter()
        else:
            self.notification()
        return self.messages

    def exchange(
        self,
        person: _Person,
        first_body: str,
        values: dict[str, str],
        replies: Sequence[str],
        *,
        cc: tuple[str, ...] = (),
        reply_p: float = 0.7,
    ) -> None:
        """They write; the user may answer; they may write back or chase; and so on."""
        rng, source = self.rng, self.source
        me = (DEMO_EMAIL_IDENTITY,)
        them = (person.email.address,)
        when = source._start(rng)
        self.add(person.email, when, first_body, to=me, cc=cc)
        nudged = False
        for _round in range(4):
            reply_at = source._reply_time(when, rng) if rng.random() < reply_p else None
            if reply_at is None:
                if nudged or rng.random() >= 0.2:
                    return
                nudge_at = source._later(when, rng, 40 * 60, 96 * 60)
                if nudge_at is None:
                    return
                ask = self.say(_ASKS, values)
                body = self.say(_NUDGES, {**values, "ask": ask})
                self.add(
                    person.email, nudge_at, self.letter("Alex", body, person.first), to=me, cc=cc
                )
                when, nudged = nudge_at, True
                continue
            line = self.say(replies, values)
            self.add(_ME_EMAIL, reply_at, self.letter(person.first, line, "Alex"), to=them, cc=cc)
            when = reply_at
            if rng.random() >= 0.45:
                return
            back_at = source._later(when, rng, 20, 30 * 60)
            if back_at is None:
                return
            line = self.say(_FOLLOWUPS, values)
            self.add(person.email, back_at, self.letter("Alex", line, person.first), to=me, cc=cc)
            when = back_at

    def conversation(self, *, client: bool) -> None:
        """A client's or colleague's thread addressed to the user."""
        rng = self.rng
        person = rng.choice(_CLIENTS) if client else self.colleague()
        title, topic = rng.choice(_CLIENT_TOPICS if client else _COLLEAGUE_TOPICS)
        number = str(rng.randrange(2000, 2999))
        self.subject = title.format(n=number)
        values = self.values(topic.format(n=number))
        cc = (self.colleague(person).email.address,) if rng.random() < 0.25 else ()
        lines = " ".join(self.say(pool, values) for pool in (_OPENERS, _MIDDLES, _ASKS))
        body = self.letter("Alex", lines, person.first)
        self.exchange(person, body, values, _REPLIES, cc=cc)

    def meeting(self) -> None:
        rng = self.rng
        person = rng.choice(_CLIENTS) if rng.random() < 0.4 else self.colleague()
        title, topic = rng.choice(_COLLEAGUE_TOPICS + _CLIENT_TOPICS)
        number = str(rng.randrange(2000, 2999))
        letters = "abcdefghijkmnpqrstuvwxyz"
        code = "-".join("".join(rng.choice(letters) for _ in range(n)) for n in (3, 4, 3))
        values = self.values(topic.format(n=number), title=title.format(n=number), code=code)
        self.subject = self.say(_MEETING_SUBJECTS, values)
        body = self.letter("Alex", self.say(_MEETING_BODIES, values), person.first)
        self.exchange(person, body, values, _MEETING_REPLIES, reply_p=0.75)

    def inquiry(self) -> None:
        """First contact from someone the user has never written with."""
        rng = self.rng
        org, domain = rng.choice(_ORGS)
        person = _generated_person(rng.randrange(600), domain)
        subject, lines = rng.choice(_INQUIRIES)
        values = self.values("your inquiry", org=org)
        self.subject = subject.format(**values)
        text = " ".join(lines).format(**values)
        body = (
            f"Hello,\n\nmy name is {person.name} and I work at {org}. {text}\n\n"
            f"Kind regards,\n{person.name}\n{org}"
        )
        self.exchange(person, body, values, _INQUIRY_REPLIES, reply_p=0.6)

    def forward(self) -> None:
        rng = self.rng
        person = self.colleague()
        client = rng.choice(_CLIENTS)
        title, topic = rng.choice(_CLIENT_TOPICS)
        number = str(rng.randrange(2000, 2999))
        title = title.format(n=number)
        self.subject = f"Fwd: {title}"
        values = self.values(topic.format(n=number))
        quoted = " ".join(self.say(pool, values) for pool in (_OPENERS, _MIDDLES, _ASKS))
        body = self.letter(
            "Alex",
            f"Forwarding this from {client.name}; could you take it? I'm out until "
            f"{values['due']}.\n\n---------- Forwarded message ---------\n"
            f"From: {client.email.display}\nSubject: {title}\n\nHi {person.first},\n\n{quoted}",
            person.first,
        )
        self.exchange(person, body, values, _REPLIES)

    def cc_only(self) -> None:
        """Mail between others with the user in Cc: worth reading, no reply expected."""
        rng, source = self.rng, self.source
        author = self.colleague()
        recipient = rng.choice(_CLIENTS) if rng.random() < 0.5 else self.colleague(author)
        title, topic = rng.choice(_CLIENT_TOPICS + _COLLEAGUE_TOPICS)
        number = str(rng.randrange(2000, 2999))
        self.subject = title.format(n=number)
        values = self.values(topic.format(n=number))
        lines = " ".join(self.say(pool, values) for pool in (_OPENERS, _MIDDLES))
        lines += " (Alex in Cc for visibility.)"
        cc = (DEMO_EMAIL_IDENTITY,)
        when = source._start(rng)
        body = self.letter(recipient.first, lines, author.first)
        self.add(author.email, when, body, to=(recipient.email.address,), cc=cc)
        if rng.random() < 0.4:
            answer_at = source._later(when, rng, 30, 24 * 60)
            if answer_at is not None:
                body = self.letter(author.first, self.say(_REPLIES, values), recipient.first)
                self.add(recipient.email, answer_at, body, to=(author.email.address,), cc=cc)
                when = answer_at
        if rng.random() < 0.06:
            reply_at = source._reply_time(when, rng)
            if reply_at is not None:
                line = "Thanks for keeping me posted, all good from my side."
                to = (author.email.address, recipient.email.address)
                self.add(_ME_EMAIL, reply_at, self.letter("both", line, "Alex"), to=to)

    def newsletter(self) -> None:
        rng = self.rng
        name, address, domain, subjects = rng.choice(_NEWSLETTERS)
        headlines = rng.sample(_HEADLINES, 3)
        number = str(rng.randrange(40, 400))
        self.subject = rng.choice(subjects).format(n=number, headline=headlines[0].capitalize())
        body = (
            f"{name}, issue {number}\n\nIn this issue: {headlines[0]}; {headlines[1]}; "
            f"and {headlines[2]}.\n\nRead online: https://{domain}/issues/{number}\n"
            f"You receive this because you subscribed as {DEMO_EMAIL_IDENTITY}. "
            f"Unsubscribe: https://{domain}/unsubscribe"
        )
        token = f"{rng.getrandbits(48):012x}"
        headers = {
            "list-id": f"{name} <news.{domain}>",
            "list-unsubscribe": f"<https://{domain}/unsubscribe?u={token}>, "
            f"<mailto:unsubscribe@{domain}?subject={token}>",
            "list-unsubscribe-post": "List-Unsubscribe=One-Click",
            "precedence": "list",
        }
        when = self.source._start(rng)
        self.add(Sender(address, name), when, body, to=(DEMO_EMAIL_IDENTITY,), headers=headers)

    def notification(self) -> None:
        """Machine mail: code review, CI, tickets, invoices, alerts."""
        rng, source = self.rng, self.source
        auto = {"auto-submitted": "auto-generated"}
        me = (DEMO_EMAIL_IDENTITY,)
        when = source._start(rng)
        r = rng.random()
        if r < 0.4:
            repo = rng.choice(_REPOS)
            number = str(100 + self.episode)  # one PR per episode: its thread root id is unique
            self.subject = f"[{repo}] {rng.choice(_PR_TITLES)} (PR #{number})"
            root = f"{repo}/pull/{number}@github.example"
            for k in range(rng.randint(1, 4)):
                if k:
                    later = source._later(when, rng, 5, 20 * 60)
                    if later is None:
                        break
                    when = later
                who = self.colleague()
                sender = Sender("notifications@github.example", who.name)
                body = rng.choice(_PR_EVENTS).format(who=who.name, n=number)
                body += f"\n\nView it on GitHub: https://github.example/{repo}/pull/{number}"
                reason = rng.choice(("review_requested", "author", "subscribed"))
                headers = {**auto, "x-github-reason": reason}
                mid = root if k == 0 else None
                self.add(sender, when, body, to=me, headers=headers, message_id=mid)
        elif r < 0.65:
            project = rng.choice(("webapp", "api", "infra"))
            number = str(rng.randrange(1000, 9999))
            failed = rng.random() < 0.35
            status = "failed" if failed else "passed"
            branch = rng.choice(("main", "release/2.14", "feature/export"))
            self.subject = f"[{project}] Pipeline #{number} {status} on {branch}"
            body = (
                f"Pipeline #{number} for {project} {status} on {branch}.\n\n"
                f"Triggered by {self.colleague().name}. "
                + ("Job 'test' failed after 4 min 12 s." if failed else "All 6 jobs passed.")
                + f"\n\nhttps://ci.example.net/{project}/pipelines/{number}"
            )
            self.add(Sender("noreply@ci.example.net", "CI"), when, body, to=me, headers=auto)
        elif r < 0.8:
            key = f"OPS-{rng.randrange(100, 999)}"
            self.subject = f"[Tracker] {key}: {rng.choice(_TRACKER_TITLES)}"
            sender = Sender("notifications@tracker.example.com", "Tracker")
            for k in range(rng.randint(1, 3)):
                if k:
                    later = source._later(when, rng, 30, 30 * 60)
                    if later is None:
                        break
                    when = later
                who = self.colleague()
                action = rng.choice(("created", "commented on", "changed the status of"))
                body = f"{who.name} {action} {key}.\n\nhttps://tracker.example.com/browse/{key}"
                self.add(sender, when, body, to=me, headers=auto)
        elif r < 0.92:
            number = f"INV-{rng.randrange(10000, 99999)}"
            amount = f"{rng.randrange(19, 480)}.{rng.randrange(100):02d}"
            self.subject = f"Your invoice {number} is available"
            body = (
                f"Hello Alex Morgan,\n\nyour invoice {number} over EUR {amount} is available "
                "in your account. It will be charged to your card on file.\n\n"
                "This is an automated message, please do not reply."
            )
            sender = Sender("no-reply@billing.example.net", "Example Cloud Billing")
            self.add(sender, when, body, to=me, headers=auto)
        else:
            service = rng.choice(("api", "search", "checkout"))
            sender = Sender("alerts@status.example.net", "Status monitor")
            self.subject = f"[FIRING] High latency on {service}"
            body = f"p95 latency on {service} is above 800 ms for 10 minutes."
            self.add(sender, when, body, to=me, headers=auto)
            later = source._later(when, rng, 5, 90, working=0.0)
            if later is not None:
                body = f"Resolved: p95 latency on {service} is back to normal."
                subject = f"[RESOLVED] High latency on {service}"
                self.add(sender, later, body, to=me, headers=auto, subject=subject)


class _ChatEpisode:
    """A DM exchange, a burst of room chatter or a thread in a room."""

    def __init__(self, source: DemoSource, episode: int, rng: random.Random) -> None:
        self.source = source
        self.episode = episode
        self.rng = rng
        self.messages: list[Message] = []
        self.values = _values(rng, self.member().first)

    def member(self, *exclude: _Person) -> _Person:
        while True:
            person = self.rng.choice(self.source._colleagues)
            if person not in exclude:
                return person

    def say(self, template: str) -> str:
        return template.format(**self.values)

    def add(
        self,
        sender: Sender,
        when: datetime,
        body: str,
        *,
        room: str,
        subject: str,
        thread: str | None = None,
        direct: bool = False,
        mention: bool = False,
    ) -> Message:
        message = Message(
            remote_id=f"chat-{self.episode}-{len(self.messages)}",
            direction=Direction.OUTBOUND if sender is _ME_CHAT else Direction.INBOUND,
            medium=Medium.CHAT,
            conversation=room,
            sender=sender,
            subject=subject,
            received_at=when,
            body_text=body,
            thread=thread,
            is_direct=direct,
            mentions_me=mention,
        )
        self.messages.append(message)
        return message

    def build(self) -> list[Message]:
        r = self.rng.random()
        if r < 0.4:
            self.direct()
        elif r < 0.66:
            self.thread()
        else:
            self.chatter()
        return self.messages

    def direct(self) -> None:
        """A colleague DMs the user; the user may answer; they may answer back."""
        rng, source = self.rng, self.source
        partner_index = self.episode // _EPISODES_PER_DM_PARTNER
        colleagues = source._colleagues
        partner = (
            colleagues[partner_index]
            if partner_index < len(colleagues)
            else _generated_person(partner_index - len(colleagues))
        )
        room = f"!dm-{partner.handle}:example.org"
        subject = f"DM: {partner.name}"
        opener, answers = rng.choice(_DM_OPENERS)
        when = source._start(rng)
        self.add(partner.chat, when, self.say(opener), room=room, subject=subject, direct=True)
        for _ in range(rng.choice((0, 0, 1, 2))):
            later = source._later(when, rng, 0.3, 6, working=0.0)
            if later is None:
                return
            when = later
            body = self.say(rng.choice(_DM_MORE))
            self.add(partner.chat, when, body, room=room, subject=subject, direct=True)
        for _round in range(3):
            reply_at = source._reply_time(when, rng) if rng.random() < 0.5 else None
            if reply_at is None:
                return
            when = reply_at
            body = self.say(rng.choice(answers))
            self.add(_ME_CHAT, when, body, room=room, subject=subject, direct=True)
            if rng.random() >= 0.4:
                return
            later = source._later(when, rng, 1, 240)
            if later is None:
                return
            when = later
            body = self.say(rng.choice(_DM_FOLLOWUPS))
            self.add(partner.chat, when, body, room=room, subject=subject, direct=True)
            answers = ("👍", "You're welcome!", "Sure, will do.", "Anytime.")

    def room(self) -> tuple[str, str, tuple[str, ...]]:
        name, lines = self.rng.choice(_ROOMS)
        return f"#{name}:example.org", f"#{name}", lines

    def mention(
        self, author: _Person, when: datetime, room: str, subject: str, thread: str | None
    ) -> tuple[Message, tuple[str, ...]]:
        text, answers = self.rng.choice(_MENTIONS)
        message = self.add(
            author.chat,
            when,
            self.say(text),
            room=room,
            subject=subject,
            thread=thread,
            mention=True,
        )
        return message, answers

    def answer(
        self, mention: Message, answers: tuple[str, ...], room: str, subject: str, thread: str
    ) -> None:
        """The user answers a mention in its thread (clearing only that), or leaves it open."""
        rng = self.rng
        if rng.random() >= 0.6:
            return
        reply_at = self.source._reply_time(mention.received_at, rng)
        if reply_at is not None:
            body = self.say(rng.choice(answers))
            self.add(_ME_CHAT, reply_at, body, room=room, subject=subject, thread=thread)

    def chatter(self) -> None:
        """Top-level room messages, now and then one that mentions the user."""
        rng, source = self.rng, self.source
        room, subject, lines = self.room()
        n = rng.randint(2, 6)
        mention_at = rng.randrange(n) if rng.random() < 0.45 else -1
        when = source._start(rng)
        mentioned: tuple[Message, tuple[str, ...]] | None = None
        for i in range(n):
            if i:
                later = source._later(when, rng, 0.5, 40)
                if later is None:
                    break
                when = later
            author = self.member()
            if i == mention_at:
                mentioned = self.mention(author, when, room, subject, None)
            else:
                pool = lines if i == 0 or rng.random() < 0.6 else _ROOM_REPLIES
                self.add(author.chat, when, rng.choice(pool), room=room, subject=subject)
        if mentioned is not None:
            message, answers = mentioned
            self.answer(message, answers, room, subject, message.remote_id)

    def thread(self) -> None:
        """A thread in a room; the user may be mentioned in its root or a reply."""
        rng, source = self.rng, self.source
        room, subject, lines = self.room()
        author = self.member()
        when = source._start(rng)
        mentioned: tuple[Message, tuple[str, ...]] | None = None
        if rng.random() < 0.12:
            mentioned = self.mention(author, when, room, subject, None)
            root = mentioned[0]
        else:
            root = self.add(author.chat, when, rng.choice(lines), room=room, subject=subject)
        replies = rng.randint(1, 5)
        mention_at = rng.randrange(replies) if mentioned is None and rng.random() < 0.45 else -1
        for i in range(replies):
            later = source._later(when, rng, 1, 90)
            if later is None:
                break
            when = later
            replier = self.member(author) if rng.random() < 0.7 else author
            if i == mention_at:
                mentioned = self.mention(replier, when, room, subject, root.remote_id)
            else:
                body = rng.choice(_ROOM_REPLIES)
                self.add(
                    replier.chat, when, body, room=room, subject=subject, thread=root.remote_id
                )
        if mentioned is not None:
            message, answers = mentioned
            self.answer(message, answers, room, subject, root.remote_id)
