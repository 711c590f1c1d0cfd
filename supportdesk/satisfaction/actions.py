"""Changes of the satisfaction context: sending due surveys (the periodic job) and recording an answer.

Sending is decoupled from the ticket code: the job reads tickets that have stayed solved for
SUPPORTDESK["CSAT_DELAY_MINUTES"] and writes, per ticket and in one transaction, the survey, its event and the
outbox email. The unique (ticket, solved_at) constraint makes a rerun or a concurrent run send nothing twice."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from supportdesk.errors import DomainError, Invalid, NotFound
from supportdesk.notifications.actions import enqueue_email
from supportdesk.tickets.actions import record_event
from supportdesk.tickets.models import Status, Ticket

from .errors import SatisfactionError
from .models import MAX_COMMENT, Rating, Survey, SurveyEvent, SurveyEventKind

ANSWER_DAYS = 7  # an answer may be given or changed until this long after sending
# Solves older than the delay plus this are never surveyed: turning the feature on (or a worker back after an
# outage longer than this) does not mail a backlog of old tickets.
CATCH_UP = timedelta(days=3)
BATCH = 500  # tickets per run; the next run (10 minutes later) takes the rest


def delay() -> timedelta:
    return timedelta(minutes=int(settings.SUPPORTDESK.get("CSAT_DELAY_MINUTES", 60)))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def survey_url(token: str, rating: str | None = None) -> str:
    url = f"{settings.SITE_URL}/satisfaction/{token}/"
    return f"{url}?rating={rating}" if rating else url


SURVEYED_STATUSES = (Status.SOLVED, Status.CLOSED)  # closed after its solve (not merged): it was solved too


def due_tickets(now: datetime | None = None) -> list[Ticket]:
    """Tickets solved at least `delay()` ago (and not longer than the catch-up window before that), still solved
    or closed since (a merged duplicate is not: it was never solved), with no survey for that solve and none
    sent in the last ANSWER_DAYS (a reply to the survey email reopens the ticket; its next solve asks no
    second time); oldest solve first. Served by the partial index tickets.ticket_solved_at."""
    now = now or timezone.now()
    latest = now - delay()
    surveyed = Survey.objects.filter(ticket=OuterRef("pk"), solved_at=OuterRef("solved_at"))
    asked_lately = Survey.objects.filter(ticket=OuterRef("pk"), sent_at__gte=now - timedelta(days=ANSWER_DAYS))
    return list(Ticket.objects.filter(status__in=SURVEYED_STATUSES, solved_at__isnull=False, solved_at__lte=latest,
                                      solved_at__gte=latest - CATCH_UP, merged_into__isnull=True,
                                      requester__is_active=True)
                .exclude(Exists(surveyed)).exclude(Exists(asked_lately))
                .select_related("requester").order_by("solved_at", "pk")[:BATCH])


def send_due_surveys(now: datetime | None = None) -> int:
    """The periodic job's work: one survey (and email) per due ticket; returns how many were sent."""
    now = now or timezone.now()
    return sum(1 for ticket in due_tickets(now) if send_survey(ticket, now) is not None)


def send_survey(ticket: Ticket, now: datetime | None = None) -> Survey | None:
    """Check (still solved at the same instant), then in one transaction: survey, event, outbox email.
    None when the ticket moved on or another run already sent this solve's survey."""
    now = now or timezone.now()
    if ticket.solved_at is None:
        return None
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            still = (Ticket.objects.select_for_update().filter(pk=ticket.pk, status__in=SURVEYED_STATUSES,
                                                               solved_at=ticket.solved_at, merged_into__isnull=True))
            if not still.exists():
                return None  # reopened (or solved again) since it was read
            survey = Survey.objects.create(ticket=ticket, requester=ticket.requester, solved_at=ticket.solved_at,
                                           token_hash=hash_token(token), sent_at=now)
            SurveyEvent.objects.create(survey=survey, kind=SurveyEventKind.SENT, created_at=now,
                                       data={"to": ticket.requester.email})
            enqueue_email(topic="satisfaction.survey", to=ticket.requester.email, ticket=ticket,
                          subject=f"[#{ticket.pk}] How did we do?", body=_survey_body(ticket, token),
                          headers={"X-Supportdesk-Ticket": str(ticket.pk), "Auto-Submitted": "auto-generated"})
    except IntegrityError:
        return None  # the unique (ticket, solved_at): a concurrent run wrote it first
    return survey


def _survey_body(ticket: Ticket, token: str) -> str:
    return (f"Your request #{ticket.pk} \"{ticket.subject}\" was solved. How did we do?\n\n"
            f"Good, I'm satisfied: {survey_url(token, Rating.GOOD)}\n"
            f"Bad, I'm not satisfied: {survey_url(token, Rating.BAD)}\n\n"
            f"You can add a comment on the page, and change your answer for {ANSWER_DAYS} days. Please answer "
            "through these links: a reply to this email reopens your request.\n")


def survey_for_token(token: str) -> Survey:
    """The survey a link's token opens (404 for anything else). Looked up by the token's hash, which is then
    compared again in constant time."""
    if not token or len(token) > 100:
        raise NotFound("survey")
    digest = hash_token(token)
    survey = Survey.objects.select_related("ticket", "ticket__client").filter(token_hash=digest).first()
    if survey is None or not hmac.compare_digest(survey.token_hash, digest):
        raise NotFound("survey")
    return survey


def closes_at(survey: Survey) -> datetime:
    return survey.sent_at + timedelta(days=ANSWER_DAYS)


def is_open(survey: Survey, now: datetime | None = None) -> bool:
    return (now or timezone.now()) <= closes_at(survey)


def answer(survey: Survey, *, rating: str, comment: str = "", now: datetime | None = None) -> Survey:
    """Record (or change) the requester's answer. A bad rating, or a change away from one, is written to the
    ticket's history so the agents see it."""
    now = now or timezone.now()
    if rating not in Rating.values:
        raise Invalid(SatisfactionError.BAD_RATING, "Choose good or bad.", fields={"rating": "good or bad"})
    comment = (comment or "").replace("\r\n", "\n").strip()
    if len(comment) > MAX_COMMENT:
        raise Invalid(SatisfactionError.COMMENT_TOO_LONG,
                      f"Comments are limited to {MAX_COMMENT} characters (this one has {len(comment)}).",
                      fields={"comment": f"at most {MAX_COMMENT} characters"})
    if not is_open(survey, now):
        raise DomainError(SatisfactionError.EXPIRED, f"This survey closed {ANSWER_DAYS} days after it was sent.",
                          status=410)
    with transaction.atomic():
        locked = Survey.objects.select_for_update().select_related("ticket").get(pk=survey.pk)
        old_rating, old_comment = locked.rating, locked.comment
        if (old_rating, old_comment) == (rating, comment):
            return locked
        locked.rating, locked.comment, locked.answered_at = rating, comment, now
        locked.save(update_fields=["rating", "comment", "answered_at"])
        SurveyEvent.objects.create(survey=locked, created_at=now, data={"old": old_rating, "new": rating},
                                   kind=SurveyEventKind.CHANGED if old_rating else SurveyEventKind.ANSWERED)
        if Rating.BAD in (rating, old_rating):
            record_event(locked.ticket, None, "satisfaction.rated", "web", old=old_rating, new=rating,
                         comment=comment, survey_id=locked.pk)
    return locked
