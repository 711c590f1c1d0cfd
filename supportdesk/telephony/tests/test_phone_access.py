"""The phone line is an entitlement of 24/7 Support: the webhook's answer tells the phone system whether to put
the caller through and, if not, what to tell them; signatures are read in the forms phone systems write them."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
from django.test import Client as HttpClient

from supportdesk.factories import ClientUserFactory
from supportdesk.oncall.tests.factories import client_24x7, client_standard
from supportdesk.telephony.models import CallEvent

pytestmark = pytest.mark.django_db
SECRET = "test-phone-secret"


@pytest.fixture(autouse=True)
def _secret(settings):  # noqa: ANN001, ANN202
    settings.SUPPORTDESK = {**settings.SUPPORTDESK, "PHONE_WEBHOOK_SECRET": SECRET}


def ringing(caller: str, call_id: str = "call-1") -> bytes:
    return json.dumps({"event_id": f"{call_id}-ringing", "call_id": call_id, "type": "ringing",
                       "occurred_at": "2026-03-10T15:00:00Z", "from": caller}).encode()


def post(body: bytes, signature: str, stamp: int):  # noqa: ANN201
    return HttpClient().post("/phone/webhook/", body, content_type="application/json",
                             headers={"X-Supportdesk-Timestamp": str(stamp), "X-Supportdesk-Signature": signature})


def hex_signature(body: bytes, stamp: int) -> str:
    return hmac.new(SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()


def test_given_a_client_without_the_phone_line_when_they_call_then_the_answer_says_how_to_reach_support():
    # Given a client whose plan (Premium, no 24/7 Support) has no phone line
    client = client_standard(phones=["+14165550123"])
    ClientUserFactory(client=client, client_role="client_admin")
    body, stamp = ringing("+14165550123"), int(time.time())
    # When the phone system reports their call
    answer = post(body, "sha256=" + hex_signature(body, stamp), stamp).json()
    # Then the call is kept on a ticket, and the phone system is told not to put them through and what to say
    assert answer["status"] == "processed" and answer["ticket_id"] is not None
    assert answer["entitled"] is False and answer["answer_live"] is False
    assert "does not include the phone line" in answer["message"] and "/portal/" in answer["message"]


def test_given_a_24x7_client_when_they_call_then_the_answer_puts_them_through():
    client = client_24x7(phones=["+14165550124"])
    ClientUserFactory(client=client, client_role="client_admin")
    body, stamp = ringing("+14165550124"), int(time.time())
    answer = post(body, "sha256=" + hex_signature(body, stamp), stamp).json()
    assert (answer["entitled"], answer["answer_live"], answer["message"]) == (True, True, "")


def test_given_an_unknown_number_then_the_answer_says_it_is_not_recognised():
    body, stamp = ringing("+14165550999"), int(time.time())
    answer = post(body, "sha256=" + hex_signature(body, stamp), stamp).json()
    assert answer["entitled"] is False and "do not recognise this number" in answer["message"]


@pytest.mark.parametrize("form", ["bare hex", "upper-case hex", "upper-case prefix"])
def test_given_the_signature_written_without_its_prefix_or_in_capitals_then_it_is_accepted_and_a_replay_is_not(form):
    body, stamp = ringing("+14165550999"), int(time.time())
    digest = hex_signature(body, stamp)
    signature = {"bare hex": digest, "upper-case hex": "sha256=" + digest.upper(),
                 "upper-case prefix": "SHA256=" + digest}[form]
    assert post(body, signature, stamp).status_code == 200
    # The same delivery again, in the documented form this time, is the replay it is
    replay = post(body, "sha256=" + digest, stamp)
    assert replay.status_code == 409 and replay.json()["error"]["code"] == "phone.replayed"
    assert CallEvent.objects.count() == 1


def test_given_a_wrong_bare_signature_then_it_is_still_refused():
    body, stamp = ringing("+14165550999"), int(time.time())
    response = post(body, "0" * 64, stamp)
    assert response.status_code == 401 and not CallEvent.objects.exists()
