"""No lost mail: kill -9 the worker while it sends; after restart every notification is sent, at most one
duplicate per kill, each copy carrying the same Message-ID; a rolled-back change sends nothing."""

from __future__ import annotations

from collections import Counter

import pytest

from .harness import SmtpSink, kill9, ops, product_env, stop, wait_for, worker

pytestmark = [pytest.mark.slow, pytest.mark.own_database]

MESSAGES = 200


def test_given_a_worker_killed_twice_mid_send_then_every_mail_goes_out_with_at_most_one_duplicate_per_kill(tmp_path):
    with SmtpSink(delay=0.01) as sink:
        env = product_env(tmp_path / "data", smtp_port=sink.port)
        ops(env, "migrate")
        queued = ops(env, "enqueue", str(MESSAGES))
        assert ops(env, "rollback") == {"rows": 0}
        log = tmp_path / "worker.log"
        kills = 0
        for kill_after in (40, 120):
            proc = worker(env, log)
            try:
                wait_for(lambda n=kill_after: len(sink.received) >= n, 40, f"{kill_after} mails at the sink")
            finally:
                kill9(proc)
            kills += 1
            ops(env, "expire-leases")
        proc = worker(env, log)
        try:
            wait_for(lambda: set(sink.ids()) >= set(queued) and ops(env, "status") == {"sent": MESSAGES}, 45,
                     "every mail sent")
        finally:
            stop(proc)
    counts = Counter(sink.ids())
    assert set(counts) == set(queued)  # every notification, and nothing else (not the rolled-back one)
    duplicates = sum(n - 1 for n in counts.values())
    assert duplicates <= kills
    subjects_per_id = {mid: {s for m, s in sink.received if m == mid} for mid in counts}
    assert all(len(s) == 1 for s in subjects_per_id.values())  # a resend is the same mail, same Message-ID
    assert all("ROLLED BACK" not in s for _, s in sink.received)
