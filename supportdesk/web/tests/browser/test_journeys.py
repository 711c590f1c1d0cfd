"""The main journeys in headless Chromium, one screenshot per step (test-artifacts/browser/<journey>/).

All four journeys of issue 8 are here, plus the portal field error, status/severity history and
countdown-state checks.
"""

from __future__ import annotations

import re
import warnings

import pytest
from django.apps import apps

from supportdesk.accounts.designations import designate
from supportdesk.catalogue.models import SeverityLevel
from supportdesk.factories import ClientUserFactory, StaffFactory, TicketFactory, premium_client
from supportdesk.helpcenter import actions as help_actions
from supportdesk.helpcenter.tests.factories import ArticleFactory
from supportdesk.tickets.models import Ticket

pytestmark = pytest.mark.browser


def expect(locator):  # noqa: ANN001, ANN201
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


def test_journey_3_closed_article_shows_so_with_count_and_no_comment_form(page, login, journey):
    # Given a published guide with two comments, then closed for comments, and a signed-in client user
    reader = ClientUserFactory(client=premium_client())
    article = ArticleFactory(title="Restoring a matter from backup",
                             body="Open the backup console.\n- Choose the matter\n- Restore")
    help_actions.add_comment(reader, article, body="Worked for us, thanks!")
    help_actions.add_comment(StaffFactory(), article, body="Glad it helped.")
    help_actions.set_comments_open(None, article, False)
    login(page, reader)
    # When they open the help center and the article
    page.goto("/help/")
    expect(page.get_by_role("link", name="Restoring a matter from backup")).to_be_visible()
    journey.shot(page, "help center index")
    page.get_by_role("link", name="Restoring a matter from backup").click()
    # Then it says it is closed, shows the count, and offers no comment form
    expect(page.locator(".comments-closed")).to_have_text("Article is closed for comments")
    expect(page.locator(".comment-count")).to_have_text("2 comments")
    expect(page.locator("form.comment-form")).to_have_count(0)
    expect(page.locator("textarea[name=body]")).to_have_count(0)
    journey.shot(page, "closed article")
    # And the seeded page, read anonymously, shows the same with 0 comments
    page.context.clear_cookies()
    page.goto("/help/articles/advanced-support-offerings/")
    expect(page.locator("h1")).to_have_text("Advanced Support Offerings")
    expect(page.locator(".comments-closed")).to_have_text("Article is closed for comments")
    expect(page.locator(".comment-count")).to_have_text("0 comments")
    expect(page.locator("textarea")).to_have_count(0)
    journey.shot(page, "seeded article anonymous")


def test_journey_1_designated_user_opens_severity_1_agent_sees_it_first_and_replies(new_page, login, journey):
    # Given a Premium client with a designated user, an older standard ticket, and an agent
    client = premium_client(name="Hartley & Moss LLP")
    designated = ClientUserFactory(client=client, full_name="Dana Designated")
    designate(None, client=client, user=designated)
    TicketFactory(requester=ClientUserFactory(full_name="Other Client User"), subject="Older standard question")
    agent = StaffFactory(staff_roles=["agent"], full_name="Alex Agent")

    # When the designated user opens a severity 1 ticket in the portal, reading the severity definitions
    portal = login(new_page(), designated)
    portal.goto("/portal/tickets/new/")
    expect(portal.locator(".notice, aside")).to_contain_text("Priority queue")
    s1 = SeverityLevel.objects.get(level=1)
    expect(portal.locator("fieldset.severity")).to_contain_text(s1.definition)
    journey.shot(portal, "portal new ticket with severity definitions")
    portal.fill("#id_subject", "Matter database unavailable for all users")
    portal.check("#id_severity_1")
    portal.fill("#id_body", "Since 9:10 nobody can open matters; error 500.")
    journey.shot(portal, "portal form filled")
    portal.click("#new-ticket button[type=submit]")
    expect(portal.locator("h1")).to_have_text("Matter database unavailable for all users")
    expect(portal.locator(".ticket-head")).to_contain_text("S1")
    journey.shot(portal, "portal ticket opened")
    ticket = Ticket.objects.get(subject="Matter database unavailable for all users")
    assert ticket.queue == "priority" and ticket.severity == 1

    # Then the agent sees it on top of the priority queue with its countdown
    console = login(new_page(), agent)
    console.goto("/console/?queue=priority")
    first = console.locator("table.queue tbody tr").first
    expect(first).to_contain_text("Matter database unavailable for all users")
    expect(first.locator(".sla-cell .countdown")).to_have_count(1)
    console.goto("/console/")
    first = console.locator("table.queue tbody tr").first
    expect(first).to_contain_text("Matter database unavailable for all users")
    if ticket.sla_due_at is not None:
        expect(first.locator(".countdown[data-due]")).to_have_attribute("data-state", re.compile("ok|warn|bad"))
    else:
        warnings.warn("no SLA due time on this branch: the countdown cell shows 'no target' until the sla "
                      "context sets Ticket.sla_due_at", stacklevel=1)
    journey.shot(console, "agent queue priority first")

    # And opens it with the keyboard (n = next ticket), replies with r, and the reply is in the conversation
    console.locator("body").press("n")
    expect(console.locator("h1")).to_have_text("Matter database unavailable for all users")
    expect(console.locator(".glance")).to_contain_text("premium")
    expect(console.locator(".glance")).to_contain_text("designated")
    expect(console.locator(".sla-clocks")).to_have_count(1)
    journey.shot(console, "agent ticket at a glance")
    console.locator("body").press("r")
    expect(console.locator("#reply textarea")).to_be_focused()
    console.keyboard.type("We are on it: restarting the matter service now.")
    journey.shot(console, "agent reply typed")
    console.evaluate("() => { window.sameDocument = true; }")  # gone if the reply reloaded the page
    console.locator("#reply textarea").press("Control+Enter")
    expect(console.locator(".conversation")).to_contain_text("We are on it: restarting the matter service now.")
    assert console.evaluate("() => window.sameDocument === true"), "the reply went through htmx, in place"
    expect(console.locator("#reply textarea")).to_have_value("")
    expect(console.locator("#history")).to_contain_text("Public reply")
    journey.shot(console, "agent replied")

    # And the clock shows met, once the sla context records clocks (asserted after merging the SLA branch)
    if list(apps.get_app_config("sla").get_models()):
        expect(console.locator(".sla-clocks")).to_contain_text("met")
    else:
        warnings.warn("skipped the '.sla-clocks contains met' assertion: the sla context has no models on this "
                      "branch", stacklevel=1)

    # And the client sees the reply in the portal
    portal.reload()
    expect(portal.locator(".conversation")).to_contain_text("We are on it")
    journey.shot(portal, "portal sees the reply")


def test_portal_ticket_with_a_missing_field_shows_the_error_in_place(page, phone_page, login, journey):
    # Given a client user of a Premium client
    user = ClientUserFactory(client=premium_client(), full_name="Chris Clerk")
    login(page, user)
    # When they reach the form with the keyboard (the first Tab lands on the skip link)
    page.goto("/portal/tickets/new/")
    page.keyboard.press("Tab")
    expect(page.locator("a.skip")).to_be_focused()
    expect(page.locator("a.skip")).to_be_in_viewport()
    # And submit a ticket without a subject
    page.fill("#id_body", "Calendar entries appear twice after the upgrade.")
    page.click("#new-ticket button[type=submit]")
    # Then the error shows next to the subject, and what they typed is kept
    error = page.locator('[data-field="subject"] .field-error')
    expect(error).to_have_text("Give the ticket a subject (one line).")
    expect(page.locator('[data-field="subject"]')).to_have_class(re.compile("has-error"))
    expect(page.locator("#id_body")).to_have_value("Calendar entries appear twice after the upgrade.")
    journey.shot(page, "subject error in place")
    # When they fix it and submit again
    page.fill("#id_subject", "Calendar shows duplicate events")
    page.click("#new-ticket button[type=submit]")
    expect(page.locator("h1")).to_have_text("Calendar shows duplicate events")
    journey.shot(page, "ticket opened")
    # And on a phone-sized screen the list reads well
    login(phone_page, user)
    phone_page.goto("/portal/")
    expect(phone_page.get_by_role("link", name="Calendar shows duplicate events")).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390 + 1, "no sideways scrolling"
    journey.shot(phone_page, "phone ticket list")


def test_agent_changes_status_and_severity_and_history_shows_it(page, login, journey):
    # Given an open severity 3 ticket and an agent on it
    ticket = TicketFactory(requester=ClientUserFactory(client=premium_client()), subject="Export to Excel is slow")
    agent = StaffFactory(staff_roles=["agent"], full_name="Alex Agent")
    login(page, agent)
    page.goto(f"/console/tickets/{ticket.pk}/")
    journey.shot(page, "ticket before")
    # When they set it to open and severity 2
    page.select_option("#id_status", "open")
    page.select_option("#id_severity", "2")
    page.click("#ticket-fields button[type=submit]")
    # Then the badges and the history show both changes
    expect(page.locator(".ticket-head .badges")).to_contain_text("S2")
    expect(page.locator(".ticket-head .badges")).to_contain_text("Open")
    history = page.locator("#history")
    expect(history).to_contain_text("Status: New → Open")
    expect(history).to_contain_text("Severity: S3 → S2")
    journey.shot(page, "history shows the changes")
    # And the keyboard help opens with ? and closes with Escape
    page.locator("body").press("?")
    expect(page.locator("dialog#shortcuts")).to_be_visible()
    journey.shot(page, "keyboard shortcuts")
    page.keyboard.press("Escape")
    expect(page.locator("dialog#shortcuts")).to_be_hidden()


def test_countdowns_turn_amber_before_the_due_time_and_red_after(page, journey):
    # Given countdowns, each with its clock's warning instant (data-warn): due in 2 hours (warns in 1¾ h), due in
    # 10 minutes (warned 5 minutes ago), a fresh 30-minute severity 1 clock (warns in 15 minutes), 5 minutes overdue
    page.goto("/help/")
    page.evaluate("""() => {
        const now = Date.now(), iso = (ms) => new Date(now + ms).toISOString();
        const box = document.createElement("div");
        box.id = "clocks";
        box.innerHTML =
          `<time class="countdown" id="later" data-due="${iso(2 * 3600e3)}" data-warn="${iso(105 * 60e3)}">later</time>
           <time class="countdown" id="soon" data-due="${iso(10 * 60e3)}" data-warn="${iso(-5 * 60e3)}">soon</time>
           <time class="countdown" id="fresh" data-due="${iso(30 * 60e3)}" data-warn="${iso(15 * 60e3)}">fresh</time>
           <time class="countdown" id="late" data-due="${iso(-5 * 60e3)}" data-warn="${iso(-20 * 60e3)}">late</time>`;
        document.querySelector("main").prepend(box);
    }""")
    # When the page's clock ticks (every second)
    expect(page.locator("#later")).to_have_attribute("data-state", "ok")
    # Then each shows how long is left, amber from its own warning instant, red once overdue
    expect(page.locator("#soon")).to_have_attribute("data-state", "warn")
    expect(page.locator("#fresh")).to_have_attribute("data-state", "ok")  # not amber from its start
    expect(page.locator("#late")).to_have_attribute("data-state", "bad")
    expect(page.locator("#later")).to_have_text(re.compile(r"^1h 59m left$|^2h 0m left$"))
    expect(page.locator("#late")).to_contain_text("overdue")
    expect(page.locator("#soon")).to_have_class(re.compile(r"\bwarn\b"))
    journey.shot(page, "countdown states")


def test_journey_4_manager_sees_the_dashboard_charts_with_data(page, login, journey):
    # Given a severity 1 ticket of a Premium client answered by an agent, and a manager
    from supportdesk.tickets import actions as ticket_actions

    client = premium_client(name="Okafor Legal")
    ticket = TicketFactory(requester=ClientUserFactory(client=client), severity=1, subject="Server down")
    ticket_actions.add_message(StaffFactory(staff_roles=["agent"]), ticket, body="On it.")
    manager = StaffFactory(staff_roles=["manager"], full_name="Morgan Manager")
    login(page, manager)
    # When the manager opens the dashboard
    page.goto("/dashboard/")
    # Then the charts (by month and severity, by client, by channel) are drawn and the table has the met response
    charts = page.locator(".sla-chart img")
    expect(charts).to_have_count(3)
    for index in range(3):
        expect(charts.nth(index)).to_be_visible()
    page.wait_for_function("() => [...document.querySelectorAll('.sla-chart img')].every("
                           "i => i.complete && i.naturalWidth > 0)")
    rows = page.locator("table.sla-attainment tbody")
    expect(rows).to_contain_text("Okafor Legal")
    expect(rows).to_contain_text("S1")
    journey.shot(page, "dashboard with data")


def test_journey_2_client_admin_cannot_designate_an_11th_user(page, login, journey):
    # Given a Premium client with 10 designated users, an 11th person and the client admin
    client = premium_client(name="Castellan Legal")
    admin = ClientUserFactory(client=client, client_role="client_admin", full_name="Harriet Admin")
    for _ in range(10):
        designate(None, client=client, user=ClientUserFactory(client=client))
    eleventh = ClientUserFactory(client=client, full_name="Eleventh Person")
    login(page, admin)
    # When the admin opens the designated users page and designates the 11th person
    page.goto("/portal/designated/")
    expect(page.locator(".notice")).to_contain_text("10 of 10")
    journey.shot(page, "ten of ten designated")
    page.select_option("#id_user", str(eleventh.pk))
    page.get_by_role("button", name="Designate", exact=True).click()
    # Then the limit message shows in place and nobody was added
    expect(page.locator(".error-box")).to_contain_text("already has 10 of 10 designated users")
    expect(page.locator('[data-field="user"] .field-error')).to_contain_text("already has 10 of 10 designated users")
    expect(page.locator(".notice")).to_contain_text("10 of 10")
    journey.shot(page, "limit message")


def test_journey_a_requester_answers_the_satisfaction_survey_from_the_emails_link(page, journey):
    # Given a solved ticket whose survey went out (found by hand: a no-referrer page made Chromium send
    # "Origin: null" with the form, and Django's CSRF check refused every answer in a real browser)
    from datetime import timedelta

    from supportdesk.notifications.models import OutboxItem
    from supportdesk.satisfaction import actions as csat
    from supportdesk.satisfaction.models import Survey
    from supportdesk.tickets.actions import update_ticket

    ticket = TicketFactory(subject="Calendar sync stopped")
    ticket = update_ticket(StaffFactory(), ticket, expected_version=ticket.version, status="solved")
    ticket.refresh_from_db()
    assert csat.send_due_surveys(ticket.solved_at + csat.delay() + timedelta(minutes=1)) == 1
    link = re.search(r"/satisfaction/[^/\s]+/\?rating=bad", OutboxItem.objects.get(topic="satisfaction.survey").body)
    assert link is not None
    # When the requester follows the "bad" link (not signed in), adds a comment and sends it
    page.goto(link.group(0))
    expect(page.locator("input[value=bad]")).to_be_checked()
    page.fill("textarea[name=comment]", "Nobody called back.")
    journey.shot(page, "survey form")
    page.locator("form button[type=submit]").click()
    # Then the answer is recorded and thanked for
    expect(page.locator("body")).to_contain_text("Thank you")
    journey.shot(page, "survey answered")
    assert Survey.objects.get().rating == "bad"


def test_a_refreshed_queue_is_announced_once_when_its_count_changes_never_when_it_stays(page, login, journey):
    # Given an agent on the console queue with one open ticket, and a record of every change to its status line
    TicketFactory(subject="Printer queue stuck")
    login(page, StaffFactory(staff_roles=["agent"]))
    page.goto("/console/")
    expect(page.locator("#queue-status")).to_have_attribute("role", "status")
    page.evaluate("""() => { window.said = []; const line = document.getElementById('queue-status');
        new MutationObserver(() => window.said.push(line.textContent))
            .observe(line, {childList: true, characterData: true, subtree: true}); }""")

    def refresh() -> None:
        page.evaluate("htmx.ajax('GET', '/console/', {target: '#queue-rows', swap: 'innerHTML'})")
        page.wait_for_timeout(600)

    # When the queue refreshes with nothing new
    refresh()
    # Then nothing is said (the page as loaded already shows how many tickets it holds)
    assert page.evaluate("window.said") == []
    # When a ticket arrives and the queue refreshes twice
    TicketFactory(subject="Second ticket")
    refresh()
    refresh()
    # Then the new count is said once
    expect(page.get_by_role("link", name=re.compile("Second ticket"))).to_be_visible()
    assert page.evaluate("window.said") == ["2 open tickets in this queue."]
    journey.shot(page, "queue announced once")
