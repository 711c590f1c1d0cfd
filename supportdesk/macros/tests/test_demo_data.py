"""The demo data brings a few shared replies, written by the demo manager and valid as any other."""

from __future__ import annotations

from supportdesk.demo_data import SAVED_REPLIES, load_demo
from supportdesk.macros.models import SavedReply


def test_given_the_demo_data_then_its_shared_replies_are_there(db):
    load_demo()
    shared = SavedReply.objects.filter(owner__isnull=True, archived=False)
    assert sorted(shared.values_list("title", flat=True)) == sorted(title for title, *_ in SAVED_REPLIES)
    assert shared.get(title="Solved, please confirm").status == "solved"
    assert {r.created_by.email for r in shared} == {"manager@demo.supportdesk.local"}
