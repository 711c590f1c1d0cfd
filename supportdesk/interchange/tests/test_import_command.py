"""`supportdesk import clients|people`: checked first, all or nothing (or --skip-invalid), re-runs harmless,
through the accounts actions so every created row has its event."""

from __future__ import annotations

import io

import pytest
from django.db import transaction

from supportdesk.accounts.models import AccountEvent, Client, ClientRole, User
from supportdesk.factories import ClientFactory, ClientUserFactory, StaffFactory
from supportdesk.progress import LONG, progress_bar

pytestmark = pytest.mark.django_db

CLIENTS = "name,timezone,domains,phones,address\n" \
          "Acme Law,America/Vancouver,acme.example;acme-law.example,+1 604 555 0100,\"1 Main St\nVancouver\"\n" \
          "Birch LLP,,birch.example,,\n"
PEOPLE = "email,full_name,client,role\n" \
         "Dana@Acme.example,Dana Admin,Acme Law,client_admin\n" \
         "sam@acme.example,Sam User,acme law,\n" \
         "tess@vendor.example,Tess Tam,,agent;tam\n"


@pytest.fixture
def write(tmp_path):  # noqa: ANN001, ANN201
    def to_file(text: str, name: str = "data.csv", encoding: str = "utf-8") -> str:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return str(path)

    return to_file


def test_given_a_clients_file_when_imported_then_clients_are_created_with_their_events(sd, write):
    result = sd("import", "clients", write(CLIENTS))
    assert result.exit_code == 0, result.output
    assert "3 row(s)" not in result.stdout and "2 row(s): 2 created, 0 skipped (already there), 0 bad." in result.stdout
    acme = Client.objects.get(name="Acme Law")
    assert acme.timezone == "America/Vancouver" and acme.address == "1 Main St\nVancouver"
    assert sorted(acme.domains.values_list("domain", flat=True)) == ["acme-law.example", "acme.example"]
    assert list(acme.phones.values_list("number", flat=True)) == ["+16045550100"]
    assert Client.objects.get(name="Birch LLP").timezone == "America/Toronto"
    assert AccountEvent.objects.filter(kind="client.created").count() == 2


def test_given_a_people_file_when_imported_then_client_people_and_staff_get_their_roles(sd, write):
    sd("import", "clients", write(CLIENTS, "clients.csv"))
    result = sd("import", "people", write(PEOPLE, "people.csv"))
    assert result.exit_code == 0, result.output
    dana = User.objects.get(email="dana@acme.example")
    assert dana.client.name == "Acme Law" and dana.client_role == ClientRole.ADMIN
    assert dana.timezone == "America/Vancouver" and not dana.has_usable_password()
    assert User.objects.get(email="sam@acme.example").client_role == ClientRole.USER
    tess = User.objects.get(email="tess@vendor.example")
    assert tess.client is None and sorted(tess.role_grants.values_list("role", flat=True)) == ["agent", "tam"]
    assert AccountEvent.objects.filter(kind="person.created").count() == 3


def test_given_an_imported_file_when_imported_again_then_every_row_is_skipped_and_counted(sd, write):
    path = write(CLIENTS)
    sd("import", "clients", path)
    again = sd("import", "clients", path)
    assert again.exit_code == 0, again.output
    assert "2 row(s): 0 created, 2 skipped (already there), 0 bad." in again.stdout
    assert Client.objects.count() == 2


def test_given_bad_rows_when_imported_then_each_is_named_by_line_and_column_and_nothing_is_written(sd, write):
    ClientFactory(name="Taken LLP", domains=["taken.example"])
    events = AccountEvent.objects.count()
    text = ("name,timezone,domains\n"
            "Good Firm,,good.example\n"
            ",America/Toronto,\n"
            "Mars Law,Mars/Olympus,\n"
            "Grabber Law,,taken.example\n")
    result = sd("import", "clients", write(text))
    assert result.exit_code == 2
    assert "data.csv line 3: name: a name is required" in result.stderr
    assert "data.csv line 4: timezone: Unknown time zone 'Mars/Olympus'" in result.stderr
    # The rows the first pass accepts still go through the action in the same run: its refusal is named too, and
    # the counts add up to the rows (the good one counted as to create, since nothing was imported)
    assert "data.csv line 5: domains: Mail domain(s) already belong to another client: taken.example." in result.stderr
    assert "4 row(s): 1 to create, 0 skipped (already there), 3 bad; nothing was imported" in result.stderr
    assert not Client.objects.filter(name="Good Firm").exists() and AccountEvent.objects.count() == events


def test_given_bad_rows_and_skip_invalid_when_imported_then_good_rows_are_kept_and_bad_ones_listed(sd, write):
    sd("import", "clients", write(CLIENTS, "clients.csv"))
    text = ("email,full_name,client,role\n"
            "ok@acme.example,Ok,Acme Law,client_user\n"
            "not-an-email,Bad,Acme Law,\n"
            "who@acme.example,Who,Nobody LLP,\n"
            "boss@acme.example,Boss,Acme Law,emperor\n"
            "staff@vendor.example,Staff,,\n")
    result = sd("import", "people", write(text), "--skip-invalid")
    assert result.exit_code == 1
    assert "5 row(s): 1 created, 0 skipped (already there), 4 bad." in result.stdout
    assert "line 3: email: A valid email address is required" in result.stderr
    assert "line 4: client: no client 'Nobody LLP' (import the clients first)" in result.stderr
    assert "line 5: role: 'emperor' is not a client role" in result.stderr
    assert "line 6: role: a person without a client is vendor staff" in result.stderr
    assert list(User.objects.filter(client__name="Acme Law").values_list("email", flat=True)) == ["ok@acme.example"]


def test_given_a_dry_run_when_imported_then_it_counts_everything_and_writes_nothing(sd, write):
    StaffFactory(email="tess@vendor.example")
    sd("import", "clients", write(CLIENTS, "clients.csv"))
    people = User.objects.count()
    result = sd("import", "people", write(PEOPLE + "sam@acme.example,Sam Again,Acme Law,\n"), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "4 row(s): 2 to create, 2 skipped (already there), 0 bad. Dry run: nothing was written." in result.stdout
    assert User.objects.count() == people


@pytest.mark.parametrize(("content", "says"), [
    ("fullname,email\nA,a@b.example\n", "line 1: unknown column(s) 'fullname'"),
    ("full_name\nA\n", "missing column(s) email"),
    ("", "people.csv is empty"),
    ("email,client\na@b.example,\"Acme\n", "people.csv line 2: not valid CSV"),
    ("email,client\na@b.example,Acme,extra\n", "line 2: 3 cells but the header has 2 columns"),
    ("email,client\na@b.example,Acme\nc@d.example,Ac\x00me\n", "people.csv line 3: a NUL character"),
])
def test_given_a_malformed_file_when_imported_then_one_line_and_exit_2(sd, write, content, says):
    result = sd("import", "people", write(content, "people.csv"))
    assert result.exit_code == 2
    assert says in result.stderr and result.stderr.strip().count("\n") == 0


def test_given_a_file_not_in_utf8_or_missing_when_imported_then_one_line_and_exit_2(sd, write, tmp_path):
    latin = sd("import", "clients", write("name\nCafé Légal\n", "clients.csv", encoding="latin-1"))
    assert latin.exit_code == 2 and "clients.csv line 2: not UTF-8 text" in latin.stderr
    missing = sd("import", "clients", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 2 and "no file" in missing.stderr
    bom = sd("import", "clients", write("name\nCafé Légal\n", "bom.csv", encoding="utf-8-sig"))
    assert bom.exit_code == 0 and Client.objects.filter(name="Café Légal").exists()


def test_given_the_same_person_twice_in_a_file_then_the_second_is_skipped_as_a_repeat(sd, write):
    ClientUserFactory(client=ClientFactory(name="Acme Law"), email="old@acme.example")
    text = "email,client\nnew@acme.example,Acme Law\nNEW@acme.example,Acme Law\nold@acme.example,Acme Law\n"
    result = sd("import", "people", write(text))
    assert result.exit_code == 0, result.output
    assert "3 row(s): 1 created, 2 skipped (already there), 0 bad." in result.stdout


def test_given_an_empty_database_when_an_export_is_imported_then_clients_and_people_come_back(sd, tmp_path):
    # Given clients, people and staff, exported, after which the database is emptied again
    with transaction.atomic():
        acme = ClientFactory(name="Acme Law", timezone_name="Europe/London", domains=["acme.example"],
                             phones=["+442071234567"], address="1 Strand")
        ClientUserFactory(client=acme, email="dana@acme.example", full_name="Dana", client_role="client_admin")
        ClientFactory(name="-Minus & Co", domains=[])
        StaffFactory(email="mo@vendor.example", full_name="Mo", staff_roles=["manager", "tam"])
        for what in ("clients", "people"):
            result = sd("export", what, "--output", str(tmp_path / f"{what}.csv"))
            assert result.exit_code == 0, result.output
        transaction.set_rollback(True)
    assert not Client.objects.exists() and not User.objects.exists()
    # When both files are imported into it
    assert sd("import", "clients", str(tmp_path / "clients.csv")).exit_code == 0
    assert sd("import", "people", str(tmp_path / "people.csv")).exit_code == 0
    # Then the same clients, people and roles are there; the export's spreadsheet guard ("'-Minus & Co") is undone
    assert Client.objects.filter(name="-Minus & Co").exists()
    acme = Client.objects.get(name="Acme Law")
    assert (acme.timezone, acme.address) == ("Europe/London", "1 Strand")
    assert list(acme.domains.values_list("domain", flat=True)) == ["acme.example"]
    assert list(acme.phones.values_list("number", flat=True)) == ["+442071234567"]
    assert User.objects.get(email="dana@acme.example").client_role == "client_admin"
    mo = User.objects.get(email="mo@vendor.example")
    assert sorted(mo.role_grants.values_list("role", flat=True)) == ["manager", "tam"]


def test_a_long_job_shows_a_progress_bar_and_a_short_one_does_not():
    stream = io.StringIO()
    with progress_bar(LONG, "Importing people", stream=stream) as advance:
        for _ in range(LONG):
            advance()
    assert "Importing people" in stream.getvalue() and f"{LONG}/{LONG}" in stream.getvalue()
    quiet = io.StringIO()
    with progress_bar(LONG - 1, "Importing people", stream=quiet) as advance:
        advance()
    assert quiet.getvalue() == ""
