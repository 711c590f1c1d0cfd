"""Forms of the help center pages; the actions validate again and their refusals show in place."""

from __future__ import annotations

from django import forms

from supportdesk.web.forms import MAX_INTEGER, SubmittedOnce

from .models import Visibility

BODY_HELP = ("Plain text (each line a paragraph, lines starting with “- ” become bullets) or HTML using "
             "p, h2–h4, ul, ol, li, a, strong, em, code, pre, blockquote and table. Anything else is removed.")


class ArticleForm(SubmittedOnce, forms.Form):
    title = forms.CharField(max_length=200)
    section = forms.ChoiceField()
    slug = forms.CharField(max_length=200, required=False, help_text="Part of the address; made from the title when empty")
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 14}), help_text=BODY_HELP)
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.EVERYONE)
    required_offering = forms.ChoiceField(required=False, label="Required offering",
                                          help_text="With “Clients with an active plan”: only clients entitled to "
                                                    "this offering (empty: any plan)")
    client = forms.ChoiceField(required=False, help_text="With “One client only”: the client this guide is for")
    comments_open = forms.BooleanField(required=False, initial=True, label="Open for comments")

    def __init__(self, *args: object, sections: list, offerings: list, clients: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["section"].choices = [(str(s.pk), s.name) for s in sections]  # type: ignore[attr-defined]
        self.fields["required_offering"].choices = [("", "Any plan")] + [  # type: ignore[attr-defined]
            (o.code, o.name) for o in offerings]
        self.fields["client"].choices = [("", "—")] + [(str(c.pk), c.name) for c in clients]  # type: ignore[attr-defined]

    def idempotency_key(self, publish: bool) -> str | None:
        """The new-article page sent twice (a double click on Save or Publish): one article, not a second "-2"."""
        data = self.cleaned_data
        return self.submission_key([data["title"], data["section"], data["slug"], data["body"], data["visibility"],
                                    data["required_offering"], data["client"], data["comments_open"], publish])


class SectionForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(required=False, max_length=500)
    position = forms.IntegerField(required=False, min_value=0, max_value=MAX_INTEGER, initial=0)


class CommentForm(SubmittedOnce, forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, label="Your comment",
                           help_text="Plain text; markup is removed.")

    def idempotency_key(self) -> str | None:
        """Sent twice (a double click, Back and send): one comment; edited and sent again: a second one."""
        return self.submission_key([self.cleaned_data["body"]])


class AttachmentForm(forms.Form):
    file = forms.FileField()
