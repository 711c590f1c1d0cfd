"""CSAT per month, overall and per client; the dashboard card; the summary endpoint and who may read it."""

from __future__ import annotations

import pytest

from supportdesk.factories import ClientUserFactory, TicketFactory, premium_client
from supportdesk.satisfaction import actions, queries
from supportdesk.satisfaction.models import Survey

from .conftest import after_delay


def answered(desk, requester, rating: str) -> Survey:  # noqa: ANN001
    ticket = desk.solve(TicketFactory(requester=requester))
    survey = actions.send_survey(ticket, after_delay(ticket.solved_at))
    assert survey is not None
    return actions.answer(survey, rating=rating)


@pytest.fixture
def known_set(desk):  # noqa: ANN001, ANN201
    """Hartley & Moss: 2 good, 1 bad; Other Co: 1 good; one survey not answered."""
    other = ClientUserFactory(client=premium_client(name="Other Co"))
    for requester, rating in ((desk.requester, "good"), (desk.requester, "good"), (desk.requester, "bad"),
                              (other, "good")):
        answered(desk, requester, rating)
    unanswered = desk.solve(TicketFactory(requester=other))
    actions.send_survey(unanswered, after_delay(unanswered.solved_at))
    return desk


def test_given_3_good_and_1_bad_when_summarised_then_75_percent(known_set):
    summary = queries.csat_summary(known_set.manager, months=6)
    assert (summary.total.good, summary.total.bad, summary.total.answered, summary.total.percent) == (3, 1, 4, 75.0)
    assert len(summary.by_month) == 6 and summary.by_month[-1].percent == 75.0
    assert all(m.answered == 0 and m.percent is None for m in summary.by_month[:-1])
    by_client = {c.client: (c.total.good, c.total.bad, c.total.percent) for c in summary.by_client}
    assert by_client == {"Hartley & Moss LLP": (2, 1, 66.7), "Other Co": (1, 0, 100.0)}


def test_given_a_manager_when_asking_the_api_then_the_summary(known_set, as_person):
    for person in (known_set.manager, known_set.sysadmin):
        response = as_person(person).get("/api/v1/satisfaction/summary?months=6")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["total"] == {"month": "", "good": 3, "bad": 1, "answered": 4, "percent": 75.0}
        assert len(body["by_month"]) == 6 and body["months"] == 6
        assert [c["client"] for c in body["by_client"]] == ["Hartley & Moss LLP", "Other Co"]


def test_given_agents_and_client_people_when_asking_the_api_then_404(known_set, as_person):
    for person in (known_set.agent, known_set.requester,
                   ClientUserFactory(client=known_set.requester.client, client_role="client_admin")):
        response = as_person(person).get("/api/v1/satisfaction/summary")
        assert response.status_code in (403, 404), (person, response.status_code)
        assert response.status_code == 404
    assert as_person(None).get("/api/v1/satisfaction/summary").status_code == 401


def test_given_months_out_of_range_when_asking_then_422(known_set, as_person):
    http = as_person(known_set.manager)
    assert http.get("/api/v1/satisfaction/summary?months=0").status_code == 422
    assert http.get("/api/v1/satisfaction/summary?months=61").status_code == 422


def test_given_the_sla_dashboard_when_a_manager_opens_it_then_the_satisfaction_card_is_there(known_set, as_person):
    html = as_person(known_set.manager).get("/dashboard/?months=6").content.decode()
    assert "<h2>Satisfaction</h2>" in html and "<strong>75.0 %</strong>" in html and "Other Co" in html
    assert as_person(known_set.agent).get("/dashboard/").status_code == 404
