"""Where `--output` writes: a file replaced whole, `-` for stdout, and one clear refusal when it cannot be written."""

from __future__ import annotations

import pytest

from supportdesk.factories import premium_client

pytestmark = pytest.mark.django_db


def test_given_an_output_whose_folder_is_a_file_when_exporting_then_exit_2_with_one_line(sd, tmp_path):
    premium_client(name="Acme Law")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    result = sd("export", "clients", "--output", str(blocker / "clients.csv"))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"error: --output: cannot write '{blocker / 'clients.csv'}': "
                                                  "Not a directory"]
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_given_a_report_to_an_unwritable_output_then_exit_2_and_no_partial_file(sd, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    result = sd("report", "at-risk", "--format", "csv", "--output", str(blocker / "risk.csv"))
    assert result.exit_code == 2
    assert "cannot write" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-folder"]


def test_given_output_dash_when_exporting_then_the_data_goes_to_stdout_alone(sd, tmp_path, monkeypatch):
    premium_client(name="Acme Law")
    monkeypatch.chdir(tmp_path)
    result = sd("export", "clients", "--output", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("name,timezone")
    assert "Wrote" not in result.stdout
    assert not (tmp_path / "-").exists()


def test_given_an_existing_file_when_exporting_to_it_then_it_is_replaced_whole(sd, tmp_path):
    premium_client(name="Acme Law")
    target = tmp_path / "clients.csv"
    target.write_text("old contents that are longer than nothing\n" * 100)
    result = sd("export", "clients", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"Wrote 1 client(s) to {target}."
    assert target.read_text().splitlines()[1].startswith("Acme Law,")
    assert "old contents" not in target.read_text()
