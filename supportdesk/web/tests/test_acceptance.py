"""Acceptance checks of issue 8's web promises (SPEC §11): each page as the people who use it see it."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import Client as HttpClient

from supportdesk.billing.actions import grant_credit
from supportdesk.factories import (
    PASSWORD,
    ClientFactory,
    ClientUserFactory,
    OrderFactory,
    StaffFactory,
    TicketFactory,
    premium_client,
)
from supportdesk.tickets.actions import add_message


def signed_in(user) -> HttpClient:  # noqa: ANN001
    http = HttpClient()
    assert http.login(email=user.email, password=PASSWORD)
    return http


@pytest.mark.django_db
def test_given_a_sydney_client_whose_plan_starts_on_its_tomorrow_when_the_page_is_opened_without_on_then_it_shows_the_clients_date():
    client = ClientFactory(name="Harbour Partners", timezone_name="Australia/Sydney")
    OrderFactory(client=client, offerings=["premium"], signed_on=date(2026, 3, 1), effective_from=date(2026, 3, 15))
    # 20:00 on 14 March in Toronto (the vendor) is already 11:00 on 15 March in Sydney.
    with time_machine.travel("2026-03-15T00:00:00Z", tick=False):
        html = signed_in(StaffFactory()).get(f"/console/clients/{client.pk}/").content.decode()
    assert "Entitlements on March 15, 2026" in html or "Entitlements on 2026-03-15" in html
    assert 'value="2026-03-15"' in html
    assert '<span class="badge">premium</span>' in html


@pytest.mark.django_db
def test_given_a_toronto_client_when_it_is_already_tomorrow_in_utc_then_the_page_still_shows_the_clients_today():
    client = ClientFactory(name="Bay Street LLP", timezone_name="America/Toronto")
    OrderFactory(client=client, offerings=["premium"], signed_on=date(2026, 3, 1), effective_from=date(2026, 3, 15))
    with time_machine.travel("2026-03-15T02:00:00Z", tick=False):  # 22:00 on 14 March in Toronto
        html = signed_in(StaffFactory()).get(f"/console/clients/{client.pk}/").content.decode()
    assert 'value="2026-03-14"' in html and "best-efforts" in html


def test_given_a_client_user_and_a_client_admin_when_they_open_the_portal_then_only_the_admin_is_offered_invoices(db):
    client = premium_client(name="Invoice Firm LLP")
    user = ClientUserFactory(client=client)
    admin = ClientUserFactory(client=client, client_role="client_admin")
    assert 'href="/portal/invoices/"' not in signed_in(user).get("/portal/").content.decode()
    assert 'href="/portal/invoices/"' in signed_in(admin).get("/portal/").content.decode()


def test_given_an_agent_when_a_client_page_opens_then_it_offers_no_links_to_designations_or_billing_it_would_refuse(db):
    client = premium_client(name="Linked Firm LLP")
    agent_html = signed_in(StaffFactory()).get(f"/console/clients/{client.pk}/").content.decode()
    manager_html = signed_in(StaffFactory(staff_roles=["manager"])).get(f"/console/clients/{client.pk}/").content.decode()
    assert f"/console/clients/{client.pk}/designated/" not in agent_html
    assert f"/billing/clients/{client.pk}/" not in agent_html
    assert f"/console/clients/{client.pk}/designated/" in manager_html and f"/billing/clients/{client.pk}/" in manager_html


def test_given_a_bad_what_if_count_when_quoting_then_the_error_sits_under_the_what_if_field_and_the_quote_stays(db):
    html = signed_in(StaffFactory()).get("/billing/quote/", {"offering": "support-24x7", "users": "5", "currency": "USD",
                                                             "what_if": "lots"}).content.decode()
    assert re.search(r'data-field="what_if">.*?class="field-error"', html, re.S)
    assert 'class="card quote"' in html  # the quote for 5 users is still shown


def test_given_many_pending_credits_when_billing_opens_the_client_then_they_are_paged(db):
    client = premium_client(name="Credit Heavy LLP")
    billing = StaffFactory(staff_roles=["billing"])
    for n in range(27):
        grant_credit(billing, client=client, description=f"Goodwill {n}", amount="1.00", currency="USD")
    http = signed_in(billing)
    first = http.get(f"/billing/clients/{client.pk}/").content.decode()
    second = http.get(f"/billing/clients/{client.pk}/", {"credits_page": "2"}).content.decode()
    assert first.count("<small class=\"muted\">credit</small>") == 25 and "Page 1 of 2 · 27 credits" in first
    assert second.count("<small class=\"muted\">credit</small>") == 2


def test_given_an_open_ticket_when_someone_replies_then_the_pages_polling_fetch_brings_the_reply_without_a_reload(db):
    client = premium_client(name="Live Firm LLP")
    ticket = TicketFactory(requester=ClientUserFactory(client=client), subject="Live one")
    agent = StaffFactory()
    console, portal = signed_in(agent), signed_in(ticket.requester)
    for http, url in ((console, f"/console/tickets/{ticket.pk}/"), (portal, f"/portal/tickets/{ticket.pk}/")):
        html = http.get(url).content.decode()
        assert re.search(r'id="live-conversation" hx-get="' + url + r'" hx-trigger="every \d+s" hx-select="#live-conversation"',
                         html)
        assert 'id="live-clocks"' in html
    add_message(agent, ticket, body="We are restoring the index now.", kind="public")
    for http, url in ((console, f"/console/tickets/{ticket.pk}/"), (portal, f"/portal/tickets/{ticket.pk}/")):
        polled = http.get(url, HTTP_HX_REQUEST="true").content.decode()
        live = polled[polled.index('id="live-conversation"'):polled.index("</ol>", polled.index('id="live-conversation"'))]
        assert "We are restoring the index now." in live


def test_given_a_decided_clock_when_a_manager_opens_the_dashboard_then_each_attainment_row_carries_a_bar(db):
    client = premium_client(name="Charted Firm LLP")
    ticket = TicketFactory(requester=ClientUserFactory(client=client), severity=1)
    add_message(StaffFactory(), ticket, body="Looking now.", kind="public")
    html = signed_in(StaffFactory(staff_roles=["manager"])).get("/dashboard/").content.decode()
    assert re.search(r'Charted Firm LLP.*?<meter min="0" max="100"[^>]*value="100.0"', html, re.S)


def test_given_an_unknown_address_when_it_is_opened_then_the_404_page_is_a_full_page_with_title_and_skip_link(db):
    response = signed_in(StaffFactory()).get("/console/tickets/999999/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "<title>Page not found · supportdesk</title>" in html
    assert 'name="viewport"' in html and 'class="skip" href="#main"' in html and 'href="/console/"' in html


def test_given_a_server_error_when_the_500_page_renders_without_a_request_then_it_has_its_title_and_viewport():
    html = render_to_string("500.html")
    assert "<title>Something went wrong · supportdesk</title>" in html and 'name="viewport"' in html


def test_given_a_long_list_handed_over_whole_when_a_template_pages_it_then_it_shows_that_page_only(rf):
    template = Template('{% load web_tags %}{% paginate items 10 "p" as page %}{% for i in page %}[{{ i }}]{% endfor %}'
                        '{{ page.number }}/{{ page.paginator.num_pages }}')
    html = template.render(Context({"items": list(range(25)), "request": rf.get("/", {"p": "3"})}))
    assert html == "[20][21][22][23][24]3/3"


def test_given_the_stylesheet_when_a_grid_sets_a_minimum_column_width_then_it_never_exceeds_a_phone_screen():
    css = (Path(settings.BASE_DIR) / "static" / "supportdesk" / "app.css").read_text()
    # minmax(300px, 1fr) overflows a 320 px screen once the page's padding is taken off; min(300px, 100%) never does.
    assert not re.findall(r"minmax\(\s*\d+(?:px|rem)\s*,", css)
