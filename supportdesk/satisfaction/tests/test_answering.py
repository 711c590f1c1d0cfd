"""The public survey page: GET shows and preselects, POST (CSRF-checked) records, changes, expires."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from django.test import Client as HttpClient
from django.utils import timezone

from supportdesk.satisfaction import views
from supportdesk.satisfaction.models import Survey, SurveyEvent
from supportdesk.tickets.models import TicketEvent

from .conftest import sent_token


def browser() -> HttpClient:
    return HttpClient(enforce_csrf_checks=True)


def get_then_post(http: HttpClient, token: str, rating: str, comment: str = ""):  # noqa: ANN201
    page = http.get(f"/satisfaction/{token}/?rating={rating}")
    assert page.status_code == 200
    csrf = http.cookies["csrftoken"].value
    return http.post(f"/satisfaction/{token}/", {"rating": rating, "comment": comment,
                                                 "csrfmiddlewaretoken": csrf})


def test_given_a_survey_link_when_opened_then_the_ticket_and_the_preselected_rating_are_shown(desk):
    token = sent_token(desk)
    page = browser().get(f"/satisfaction/{token}/?rating=bad")
    html = page.content.decode()
    assert page.status_code == 200
    assert f"#{desk.ticket.pk}" in html and "Matter database down" in html
    assert re.search(r'<input[^>]*value="bad"[^>]*checked', html) and not re.search(r'value="good"[^>]*checked', html)
    assert 'name="csrfmiddlewaretoken"' in html
    assert page["Referrer-Policy"] == "same-origin" and "no-cache" in page["Cache-Control"]
    assert Survey.objects.get().rating is None  # a GET (a mail scanner following the link) records nothing


def test_given_a_survey_when_answered_good_then_it_is_recorded_without_a_ticket_event(desk):
    token = sent_token(desk)
    http = browser()
    answered = get_then_post(http, token, "good", "Quick and friendly")
    assert answered.status_code == 302 and answered["Location"] == f"/satisfaction/{token}/?answered=1"
    survey = Survey.objects.get()
    assert (survey.rating, survey.comment) == ("good", "Quick and friendly") and survey.answered_at is not None
    assert "your answer (<strong>good</strong>) is recorded" in http.get(answered["Location"]).content.decode()
    assert not TicketEvent.objects.filter(ticket=desk.ticket, kind="satisfaction.rated").exists()


def test_given_a_bad_rating_when_recorded_then_the_ticket_history_shows_it(desk, as_person):
    token = sent_token(desk)
    assert get_then_post(browser(), token, "bad", "Took three days").status_code == 302
    event = TicketEvent.objects.get(ticket=desk.ticket, kind="satisfaction.rated")
    assert event.data["new"] == "bad" and event.data["old"] is None and event.data["comment"] == "Took three days"
    console = as_person(desk.agent).get(f"/console/tickets/{desk.ticket.pk}/").content.decode()
    assert "Satisfaction rating" in console


def test_given_an_answer_when_changed_within_7_days_then_the_new_one_counts(desk, time_machine):
    token = sent_token(desk)
    http = browser()
    get_then_post(http, token, "bad")
    time_machine.move_to(Survey.objects.get().sent_at + timedelta(days=6), tick=False)
    assert get_then_post(http, token, "good").status_code == 302
    assert Survey.objects.get().rating == "good"
    assert list(SurveyEvent.objects.order_by("pk").values_list("kind", flat=True)) == ["sent", "answered", "changed"]
    # moving away from bad is in the history too, so the earlier "bad" does not stand alone
    assert [(e.data["old"], e.data["new"]) for e in TicketEvent.objects.filter(kind="satisfaction.rated")] == [
        (None, "bad"), ("bad", "good")]


def test_given_a_survey_older_than_7_days_when_answering_then_a_closed_page_and_nothing_recorded(desk, time_machine):
    token = sent_token(desk)
    http = browser()
    http.get(f"/satisfaction/{token}/")
    csrf = http.cookies["csrftoken"].value
    time_machine.move_to(Survey.objects.get().sent_at + timedelta(days=7, minutes=1), tick=False)
    closed = http.post(f"/satisfaction/{token}/", {"rating": "bad", "csrfmiddlewaretoken": csrf})
    assert closed.status_code == 410 and "This survey has closed" in closed.content.decode()
    assert http.get(f"/satisfaction/{token}/").status_code == 410
    assert Survey.objects.get().rating is None


def test_given_an_unknown_token_when_opened_or_posted_then_404(desk):
    sent_token(desk)
    http = HttpClient()
    assert http.get("/satisfaction/not-a-real-token/?rating=good").status_code == 404
    assert http.post("/satisfaction/not-a-real-token/", {"rating": "good"}).status_code == 404
    assert http.get(f"/satisfaction/{'x' * 500}/").status_code == 404


def test_given_a_post_without_the_csrf_token_then_it_is_refused(desk):
    token = sent_token(desk)
    refused = browser().post(f"/satisfaction/{token}/", {"rating": "good"})
    assert refused.status_code == 403 and Survey.objects.get().rating is None


def test_given_a_comment_with_html_when_shown_then_it_is_escaped(desk):
    token = sent_token(desk)
    http = browser()
    get_then_post(http, token, "bad", '<script>alert("x")</script><b>bold</b>')
    html = http.get(f"/satisfaction/{token}/").content.decode()
    assert "<script>alert" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_given_invalid_input_when_posted_then_422_with_the_reason_in_place(desk):
    token = sent_token(desk)
    http = browser()
    assert get_then_post(http, token, "meh").status_code == 422
    long = get_then_post(http, token, "good", "x" * 2001)
    assert long.status_code == 422 and "2000" in long.content.decode()
    assert Survey.objects.get().rating is None


def test_given_too_many_posts_when_answering_then_429_with_retry_after(desk, monkeypatch):
    monkeypatch.setattr(views, "PER_SURVEY", 2)
    token = sent_token(desk)
    http = browser()
    with time_machine.travel(timezone.now(), tick=False):  # one rate-limit window: a minute boundary must not split it
        for _ in range(2):
            assert get_then_post(http, token, "good").status_code == 302
        limited = get_then_post(http, token, "bad")
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert Survey.objects.get().rating == "good"
