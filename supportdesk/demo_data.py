"""Realistic demo data, loaded through the actions (so events and clocks are real): clients on every plan,
their orders and addenda, people in every role, and tickets in every state."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from supportdesk.accounts import actions as accounts
from supportdesk.accounts.designations import designate
from supportdesk.accounts.models import Client, User
from supportdesk.contracts.actions import LineInput, record_order
from supportdesk.contracts.models import OrderLine
from supportdesk.tickets import actions as tickets

DEMO_PASSWORD = "demo-password-2026"

DEMO_ACCOUNTS = [
    ("system admin", "admin@demo.supportdesk.local"),
    ("agent", "agent@demo.supportdesk.local"),
    ("TAM", "tam@demo.supportdesk.local"),
    ("support manager", "manager@demo.supportdesk.local"),
    ("billing admin", "billing@demo.supportdesk.local"),
    ("client admin", "admin@hartleymoss.example"),
    ("designated user", "dana@hartleymoss.example"),
    ("client user", "chris@hartleymoss.example"),
    ("client admin (24/7)", "admin@okaforlegal.example"),
    ("client user (maint.)", "sam@brightwaterlaw.example"),
]

STAFF = [
    ("admin@demo.supportdesk.local", "Avery Admin", ["sysadmin", "manager", "agent"]),
    ("agent@demo.supportdesk.local", "Alex Agent", ["agent"]),
    ("agent2@demo.supportdesk.local", "Jordan Agent", ["agent"]),
    ("tam@demo.supportdesk.local", "Taylor TAM", ["tam", "agent"]),
    ("manager@demo.supportdesk.local", "Morgan Manager", ["manager", "agent"]),
    ("billing@demo.supportdesk.local", "Bailey Billing", ["billing"]),
]


def load_demo() -> bool:
    """Idempotent: returns False when the demo data is already there."""
    if Client.objects.filter(slug="hartley-moss-llp").exists():
        return False
    with transaction.atomic():
        staff = {email: accounts.create_person(None, email=email, password=DEMO_PASSWORD, full_name=name,
                                               staff_roles=roles) for email, name, roles in STAFF}
        tam = staff["tam@demo.supportdesk.local"]
        agent = staff["agent@demo.supportdesk.local"]
        today = timezone.now().date()
        year_start = date(today.year, 1, 1)
        hartley = _premium_client(tam, year_start)
        okafor = _premium_24x7_client(tam, year_start, today)
        brightwater = _maintenance_client(year_start)
        castellan = _large_24x7_client(year_start, staff["manager@demo.supportdesk.local"])
        _tickets(hartley, okafor, brightwater, castellan, agent)
        _saved_replies(staff["manager@demo.supportdesk.local"])
        _events(staff["manager@demo.supportdesk.local"], hartley)
    return True


def _events(manager: User, hartley: Client) -> None:
    """An upcoming webinar with a designated user's half-price seat, and an onsite user day."""
    from supportdesk.learning.actions import create_event, register

    soon = (timezone.now() + timedelta(days=14)).replace(hour=16, minute=0, second=0, microsecond=0)
    webinar = create_event(manager, title="What's new in the spring release", kind="webinar", starts_at=soon,
                           ends_at=soon + timedelta(hours=1), timezone_name="America/Toronto", capacity=100,
                           fee="200.00", location="https://meet.example/spring-release",
                           description="A tour of the release's new matter templates, with questions at the end.")
    later = (timezone.now() + timedelta(days=45)).replace(hour=14, minute=0, second=0, microsecond=0)
    create_event(manager, title="Toronto user day", kind="event", starts_at=later, ends_at=later + timedelta(hours=6),
                 timezone_name="America/Toronto", capacity=40, fee="450.00", location="100 King St W, Toronto",
                 description="Workshops with the product team and other firms.")
    register(hartley.people.get(email="dana@hartleymoss.example"), webinar)  # type: ignore[attr-defined]


SAVED_REPLIES = [
    ("Asking for logs", "public", "waiting",
     "Hello {{requester_first_name}},\n\nTo find out what happened, could you send us the application log of the "
     "time it failed (Help > Diagnostics > Export logs) and the exact time you saw the error?\n\n"
     "Best regards,\n{{agent_name}}"),
    ("Solved, please confirm", "public", "solved",
     "Hello {{requester_first_name}},\n\nWe believe ticket #{{ticket_number}} ({{ticket_subject}}) is solved. "
     "If anything is still not working, reply to this message and we will pick it up again.\n\n"
     "Best regards,\n{{agent_name}}"),
    ("Escalated to the TAM", "internal", "",
     "Escalated to {{tam_name}}, {{client_name}}'s TAM: needs a call with the client."),
]


def _saved_replies(manager: User) -> None:
    from supportdesk.macros.actions import save_reply

    for title, kind, status, body in SAVED_REPLIES:
        save_reply(manager, title=title, body=body, kind=kind, status=status, shared=True)


def _people(client: Client, domain: str, people: list[tuple[str, str, str]]) -> dict[str, User]:
    return {local: accounts.create_person(None, email=f"{local}@{domain}", password=DEMO_PASSWORD, full_name=name,
                                          client=client, client_role=role, timezone_name=client.timezone)
            for local, name, role in people}


def _premium_client(tam: User, start: date) -> Client:
    client = accounts.create_client(None, name="Hartley & Moss LLP", timezone_name="America/Toronto",
                                    domains=["hartleymoss.example"], phones=["+14165550100"])
    people = _people(client, "hartleymoss.example", [
        ("admin", "Harriet Hartley", "client_admin"), ("dana", "Dana Designated", "client_user"),
        ("priya", "Priya Patel", "client_user"), ("chris", "Chris Clerk", "client_user"),
    ])
    record_order(None, client=client, number="SOF-2026-001", kind="form", signed_on=start, effective_from=start,
                 lines=[LineInput(offering="premium", agreed_price=Decimal("1500.00"))])
    accounts.assign_tam(None, client=client, tam=tam)
    for key in ("admin", "dana", "priya"):
        designate(None, client=client, user=people[key])
    return client


def _premium_24x7_client(tam: User, start: date, today: date) -> Client:
    client = accounts.create_client(None, name="Okafor Legal", timezone_name="Europe/London",
                                    domains=["okaforlegal.example"], phones=["+442075550111"])
    people = _people(client, "okaforlegal.example", [
        ("admin", "Ngozi Okafor", "client_admin"), ("lee", "Lee Barrister", "client_user"),
    ])
    form = record_order(None, client=client, number="SOF-2026-002", kind="form", signed_on=start, effective_from=start,
                        currency="USD", lines=[LineInput(offering="premium", agreed_price=Decimal("1500.00")),
                                               LineInput(offering="support-24x7", user_count=25)])
    line_24x7 = OrderLine.objects.get(order=form, offering_version__offering__code="support-24x7")
    addendum_day = max(start + timedelta(days=60), min(today, start + timedelta(days=90)))
    record_order(None, client=client, number="SOA-2026-002-1", kind="addendum", amends=form, signed_on=addendum_day,
                 effective_from=addendum_day,
                 lines=[LineInput(action="change", target_line=line_24x7.pk, user_count=35)])
    accounts.assign_tam(None, client=client, tam=tam)
    designate(None, client=client, user=people["admin"])
    return client


def _maintenance_client(start: date) -> Client:
    client = accounts.create_client(None, name="Brightwater Family Law", timezone_name="America/Vancouver",
                                    domains=["brightwaterlaw.example"])
    _people(client, "brightwaterlaw.example", [("admin", "Bo Bright", "client_admin"), ("sam", "Sam Solicitor", "client_user")])
    record_order(None, client=client, number="SOF-2026-003", kind="form", signed_on=start, effective_from=start,
                 lines=[LineInput(offering="maintenance", agreed_price=Decimal("400.00"))])
    return client


def _large_24x7_client(start: date, manager: User) -> Client:
    client = accounts.create_client(None, name="Castellan Partners", timezone_name="America/New_York",
                                    domains=["castellan.example"], phones=["+12125550123"])
    _people(client, "castellan.example", [("admin", "Casey Castellan", "client_admin"), ("robin", "Robin Roe", "client_user")])
    record_order(manager, client=client, number="SOF-2026-004", kind="form", signed_on=start, effective_from=start,
                 lines=[LineInput(offering="maintenance", agreed_price=Decimal("900.00")),
                        LineInput(offering="support-24x7", user_count=140, agreed_price=Decimal("2750.00"),
                                  notes="Custom pricing over 100 users, approved by the support manager")])
    return client


def _tickets(hartley: Client, okafor: Client, brightwater: Client, castellan: Client, agent: User) -> None:
    dana = User.objects.get(email="dana@hartleymoss.example")
    chris = User.objects.get(email="chris@hartleymoss.example")
    lee = User.objects.get(email="lee@okaforlegal.example")
    sam = User.objects.get(email="sam@brightwaterlaw.example")
    robin = User.objects.get(email="robin@castellan.example")
    samples = [
        (dana, 1, "Matter database unavailable for all users", "Since 9:10 nobody can open matters; error 500.", "new"),
        (chris, 3, "Calendar sync shows duplicate events", "Outlook sync duplicates recurring events.", "new"),
        (dana, 2, "Billing module cannot post time entries", "Posting time entries fails with a timeout.", "open"),
        (lee, 2, "Document assembly templates missing", "Templates folder is empty after the update.", "waiting"),
        (sam, 3, "Report export to Excel slow", "Exporting the trust ledger takes minutes.", "on_hold"),
        (robin, 1, "Login failures after SSO change", "All users get 'invalid assertion'.", "solved"),
        (chris, 3, "Change of default font in letters", "How do we change the default font?", "closed"),
    ]
    for requester, severity, subject, body, status in samples:
        ticket = tickets.open_ticket(requester, subject=subject, body=body, severity=severity, notify=False).ticket
        if status == "new":
            continue
        tickets.add_message(agent, ticket, body="Thanks, we are looking into it now.", source="system")
        ticket.refresh_from_db()
        if status != "open":
            path = {"waiting": ["waiting"], "on_hold": ["on_hold"], "solved": ["solved"], "closed": ["solved", "closed"]}
            for next_status in path[status]:
                ticket.refresh_from_db()
                tickets.update_ticket(agent, ticket, expected_version=ticket.version, status=next_status, source="system")
