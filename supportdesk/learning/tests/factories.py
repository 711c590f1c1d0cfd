"""Factories of the learning context, building through its actions."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from supportdesk.learning import actions
from supportdesk.learning.models import Event, Release, TrainingItem


class ReleaseFactory(factory.Factory):
    class Meta:
        model = Release

    product = "Docketing Suite"
    version = factory.Sequence(lambda n: f"5.{n}.0")
    released_on = date(2026, 10, 1)
    notes = "Fixes and improvements."
    filename = factory.LazyAttribute(lambda o: f"docketing-{o.version}.zip")
    content = b"PK\x03\x04 release bytes"

    @classmethod
    def _create(cls, model_class, content, **kwargs):  # noqa: ANN001, ANN206
        return actions.add_release(None, upload=io.BytesIO(content), **kwargs)


class TrainingItemFactory(factory.Factory):
    class Meta:
        model = TrainingItem

    kind = "course"
    title = factory.Sequence(lambda n: f"Calendaring basics {n}")
    summary = "Learn to set up court calendars."
    body = "Step 1: open the calendar. Step 2: add the court rules."
    url = "https://learn.example/calendaring"
    category = "Calendaring"

    @classmethod
    def _create(cls, model_class, **kwargs):  # noqa: ANN001, ANN206
        return actions.save_training_item(None, **kwargs)


class EventFactory(factory.Factory):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Webinar {n}: what's new")
    starts_at = factory.LazyFunction(lambda: (timezone.now() + timedelta(days=10)).replace(microsecond=0))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1))
    timezone_name = "America/Toronto"
    capacity = 3
    fee = Decimal("200.00")
    currency = "USD"
    location = "https://meet.example/webinar"

    @classmethod
    def _create(cls, model_class, **kwargs):  # noqa: ANN001, ANN206
        return actions.create_event(None, **kwargs)
