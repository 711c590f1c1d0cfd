"""`supportdesk export tickets|clients|people|orders`: the policy's rows, CSV safe for spreadsheets, JSON exact."""

from __future__ import annotations

import csv
import io
import json

import pytest

from supportdesk.accounts.designations import designate
from supportdesk.factories import ClientUserFactory, StaffFactory, TicketFactory, premium_client
from supportdesk.tickets import actions as tickets
from supportdesk.tickets.exports import CSV_HEADER

pytestmark = pytest.mark.django_db


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def desk():  # noqa: ANN201
    """Two clients; Acme has one open and one solved ticket, Birch one open ticket."""
    acme, birch = premium_client(name="Acme Law"), premium_client(name="Birch LLP")
    agent = StaffFactory(staff_roles=["agent"])
    dana = ClientUserFactory(client=acme, email="dana@acme.example", full_name="=Dana", client_role="client_admin")
    designate(None, client=acme, user=dana)
    open_one = TicketFactory(requester=dana, subject="=HYPERLINK(\"http://evil\")")
    solved = TicketFactory(requester=dana, subject="Printing fails")
    tickets.update_ticket(agent, solved, expected_version=solved.version, status="solved")
    other = TicketFactory(requester=ClientUserFactory(client=birch), subject="Birch outage")
    return {"acme": acme, "birch": birch, "open": open_one, "solved": solved, "other": other}


def test_given_tickets_when_exported_then_csv_has_the_web_export_columns_filtered_by_client_and_status(sd, desk):
    result = sd("export", "tickets", "--client", "acme law", "--status", "solved")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == ",".join(CSV_HEADER)
    assert [r["number"] for r in rows(result.stdout)] == [str(desk["solved"].pk)]
    open_only = rows(sd("export", "tickets", "--open-only").stdout)
    assert {r["number"] for r in open_only} == {str(desk["open"].pk), str(desk["other"].pk)}


def test_given_a_formula_in_a_subject_when_exported_then_csv_neutralises_it_and_json_keeps_it(sd, desk):
    [row] = rows(sd("export", "tickets", "--client", "Acme Law", "--open-only").stdout)
    assert row["subject"] == "'=HYPERLINK(\"http://evil\")"
    as_json = json.loads(sd("export", "tickets", "--client", str(desk["acme"].pk), "--format", "json").stdout)
    assert {t["subject"] for t in as_json} == {"=HYPERLINK(\"http://evil\")", "Printing fails"}
    assert set(as_json[0]) == set(CSV_HEADER)


def test_given_clients_when_exported_as_json_then_each_nests_its_people_roles_and_designation(sd, desk):
    result = sd("export", "clients", "--format", "json")
    assert result.exit_code == 0, result.output
    acme = next(c for c in json.loads(result.stdout) if c["name"] == "Acme Law")
    assert acme["domains"] == ["acmelaw.example"] and acme["timezone"] == "America/Toronto"
    dana = next(p for p in acme["people"] if p["email"] == "dana@acme.example")
    assert dana["role"] == "client_admin" and dana["designated"] is True
    [row] = rows(sd("export", "clients", "--client", "Acme Law").stdout)
    assert row["name"] == "Acme Law" and row["people"] == str(len(acme["people"]))


def test_given_people_when_exported_then_client_people_and_staff_roles_come_out_spreadsheet_safe(sd, desk):
    people = rows(sd("export", "people").stdout)
    dana = next(p for p in people if p["email"] == "dana@acme.example")
    assert dana["full_name"] == "'=Dana" and dana["designated"] == "yes" and dana["client"] == "Acme Law"
    staff = [p for p in people if not p["client"]]
    assert staff and all(p["role"] == "agent" for p in staff)


def test_given_orders_when_exported_then_csv_has_a_row_per_line_and_json_nests_the_lines(sd, desk):
    lines = rows(sd("export", "orders", "--client", "Birch LLP").stdout)
    assert [(r["client"], r["kind"], r["offering"], r["agreed_price"]) for r in lines] == [
        ("Birch LLP", "form", "premium", "1000.00")]
    [order] = json.loads(sd("export", "orders", "--client", "Birch LLP", "--format", "json").stdout)
    assert order["lines"][0]["offering"] == "premium" and order["effective_from"] == "2026-01-01"


def test_given_an_output_file_when_exported_then_the_file_holds_the_rows_and_stdout_the_count(sd, desk, tmp_path):
    target = tmp_path / "tickets.json"
    result = sd("export", "tickets", "--format", "json", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"Wrote 3 ticket(s) to {target}."
    assert len(json.loads(target.read_text())) == 3
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize(("args", "says"), [
    (["export", "tickets", "--client", "Nobody LLP"], "no client 'Nobody LLP'"),
    (["export", "tickets", "--status", "lost"], "Unknown status 'lost'"),
    (["export", "clients", "--format", "xml"], "--format: 'xml' is not one of csv, json"),
    (["export", "orders", "--output", "/no/such/folder/orders.csv"], "does not exist"),
])
def test_given_bad_input_when_exporting_then_one_line_on_stderr_and_exit_2(sd, desk, args, says):
    result = sd(*args)
    assert result.exit_code == 2
    assert says in result.stderr and result.stderr.strip().count("\n") == 0
    assert result.stdout == ""
