from __future__ import annotations

from typer.testing import CliRunner

from supportdesk.cli import app
from supportdesk.learning.models import Release


def test_publish_release_from_the_command_line(db, tmp_path):
    path = tmp_path / "suite-9.zip"
    path.write_bytes(b"zip")
    runner = CliRunner()
    result = runner.invoke(app, ["learning", "publish-release", "--product", "Suite", "--version", "9",
                                 "--file", str(path), "--released-on", "2026-11-01"])
    assert result.exit_code == 0, result.output
    assert Release.objects.get(product="Suite", version="9").size == 3
    again = runner.invoke(app, ["learning", "publish-release", "--product", "Suite", "--version", "9", "--file", str(path)])
    assert again.exit_code == 2 and "already in the catalogue" in again.output
    listed = runner.invoke(app, ["learning", "events"])
    assert listed.exit_code == 0
