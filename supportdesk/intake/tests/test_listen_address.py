"""SUPPORTDESK_SMTP_LISTEN read one way by `supportdesk serve` and by the SMTP listener itself."""

from __future__ import annotations

import pytest

from supportdesk.intake.smtp import listen_address, main


@pytest.mark.parametrize(("listen", "expected"), [
    ("", ("127.0.0.1", 2525)),
    ("0.0.0.0:25", ("0.0.0.0", 25)),
    ("[::1]:2526", ("::1", 2526)),
    (":2527", ("127.0.0.1", 2527)),
])
def test_the_listen_setting_gives_host_and_port(listen, expected):
    assert listen_address(listen) == expected


def test_a_listen_setting_without_a_port_is_refused_by_name():
    with pytest.raises(ValueError, match="SUPPORTDESK_SMTP_LISTEN must be host:port, not 'mailhost'"):
        listen_address("mailhost")


def test_port_zero_is_refused_before_starting(capsys):
    # Given --port 0 (aiosmtpd's readiness check cannot find "any free port")
    with pytest.raises(SystemExit) as exited:
        main(["--port", "0"])
    # Then the listener exits 2 with one line naming the range
    assert exited.value.code == 2
    assert "the port must be 1 to 65535, not 0" in capsys.readouterr().err
