"""The periodic job: a survey once per solve, after the delay, never twice; the email and its links."""

from __future__ import annotations

from datetime import timedelta

from django.test import override_settings

from supportdesk.satisfaction import actions, tasks
from supportdesk.satisfaction.models import Survey, SurveyEvent

from .conftest import LINK, after_delay, survey_mails, token_of


def test_given_a_solved_ticket_when_the_delay_has_not_passed_then_no_survey_is_sent(desk):
    ticket = desk.solve()
    sent = actions.send_due_surveys(ticket.solved_at + actions.delay() - timedelta(minutes=1))
    assert sent == 0 and not Survey.objects.exists() and survey_mails(ticket) == []


def test_given_a_solved_ticket_when_the_delay_passed_then_one_survey_and_one_email(desk):
    ticket = desk.solve()
    assert actions.send_due_surveys(after_delay(ticket.solved_at)) == 1
    survey = Survey.objects.get()
    assert (survey.ticket, survey.requester, survey.solved_at) == (ticket, desk.requester, ticket.solved_at)
    assert survey.rating is None and survey.answered_at is None
    assert list(SurveyEvent.objects.values_list("kind", flat=True)) == ["sent"]
    [mail] = survey_mails(ticket)
    assert mail.recipient == desk.requester.email
    assert mail.subject == f"[#{ticket.pk}] How did we do?"
    links = {(m.group(1), m.group(2)) for m in LINK.finditer(mail.body)}
    token = token_of(mail)
    assert links == {(token, "good"), (token, "bad")}
    assert f"http://127.0.0.1:8000/satisfaction/{token}/?rating=good" in mail.body  # SITE_URL
    assert token not in survey.token_hash and survey.token_hash == actions.hash_token(token)  # only the hash


def test_given_surveys_sent_when_the_job_runs_again_then_nothing_is_sent_twice(desk):
    ticket = desk.solve()
    at = after_delay(ticket.solved_at)
    assert actions.send_due_surveys(at) == 1
    assert actions.send_due_surveys(at) == 0
    assert actions.send_due_surveys(at + timedelta(hours=1)) == 0
    assert Survey.objects.count() == 1 and len(survey_mails(ticket)) == 1


def test_given_a_concurrent_run_wrote_the_survey_first_when_sending_then_the_unique_constraint_refuses(desk):
    ticket = desk.solve()
    [due] = actions.due_tickets(after_delay(ticket.solved_at))
    assert actions.send_survey(due) is not None
    assert actions.send_survey(due) is None  # the other run's read is stale: the constraint stops it
    assert Survey.objects.count() == 1 and len(survey_mails(ticket)) == 1


def test_given_a_ticket_reopened_before_the_delay_when_the_job_runs_then_no_survey(desk):
    ticket = desk.solve()
    desk.set_status("open")
    assert actions.send_due_surveys(after_delay(ticket.solved_at)) == 0
    assert not Survey.objects.exists()


def test_given_a_ticket_reopened_and_solved_again_within_the_answer_days_then_no_second_survey(desk):
    # (a reply to the survey email reopens the ticket: its next solve must not ask again)
    first = desk.solve()
    assert actions.send_due_surveys(after_delay(first.solved_at)) == 1
    desk.set_status("open")
    second = desk.solve()
    assert actions.send_due_surveys(after_delay(second.solved_at)) == 0
    assert Survey.objects.count() == 1 and len(survey_mails(second)) == 1


def test_given_a_ticket_solved_again_after_the_answer_days_then_the_new_solve_gets_its_own_survey(desk, time_machine):
    first = desk.solve()
    assert actions.send_due_surveys(after_delay(first.solved_at)) == 1
    time_machine.move_to(first.solved_at + timedelta(days=actions.ANSWER_DAYS + 1))
    desk.set_status("open")
    second = desk.solve()
    assert actions.send_due_surveys(after_delay(second.solved_at)) == 1
    assert Survey.objects.count() == 2 and len(survey_mails(second)) == 2


def test_given_a_ticket_solved_then_closed_within_the_delay_then_it_is_still_surveyed(desk):
    ticket = desk.solve()
    desk.set_status("closed")
    assert actions.send_due_surveys(after_delay(ticket.solved_at)) == 1


def test_given_a_solved_duplicate_merged_into_another_ticket_then_it_is_not_surveyed(desk):
    from supportdesk.factories import TicketFactory
    from supportdesk.tickets.merges import merge_ticket

    duplicate = desk.solve(TicketFactory(requester=desk.requester, subject="Duplicate report"))
    merge_ticket(desk.agent, duplicate, TicketFactory(requester=desk.requester, subject="The one we work on"))
    assert actions.send_due_surveys(after_delay(duplicate.solved_at)) == 0


def test_given_an_old_backlog_of_solves_when_the_job_runs_then_they_are_not_surveyed(desk):
    ticket = desk.solve()
    assert actions.send_due_surveys(after_delay(ticket.solved_at) + actions.CATCH_UP) == 0


@override_settings(SUPPORTDESK={"CSAT_DELAY_MINUTES": 5, "REOPEN_DAYS": 14, "VENDOR_ZONE": "America/Toronto"})
def test_given_a_configured_delay_when_it_passed_then_the_survey_is_sent(desk):
    ticket = desk.solve()
    assert actions.delay() == timedelta(minutes=5)
    assert actions.send_due_surveys(ticket.solved_at + timedelta(minutes=6)) == 1


def test_the_periodic_task_sends_due_surveys(desk, time_machine):
    ticket = desk.solve()
    time_machine.move_to(after_delay(ticket.solved_at), tick=False)
    tasks.send_satisfaction_surveys.call_local()
    assert len(survey_mails(ticket)) == 1
