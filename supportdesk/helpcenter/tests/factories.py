"""Help center factories, building through the actions so events, sanitising and the index are real."""

from __future__ import annotations

import factory

from supportdesk.helpcenter import actions
from supportdesk.helpcenter.models import Article, Section


class SectionFactory(factory.Factory):
    class Meta:
        model = Section

    name = factory.Sequence(lambda n: f"Guides {n}")

    @classmethod
    def _create(cls, model_class, **kwargs):  # noqa: ANN001, ANN206
        return actions.create_section(None, **kwargs)


class ArticleFactory(factory.Factory):
    """A published article visible to everyone unless told otherwise."""

    class Meta:
        model = Article

    section = factory.SubFactory(SectionFactory)
    title = factory.Sequence(lambda n: f"How to configure thing {n}")
    body = "Open the settings page.\n- Choose a calendar\n- Save"
    publish = True

    @classmethod
    def _create(cls, model_class, **kwargs):  # noqa: ANN001, ANN206
        return actions.create_article(None, **kwargs)
