"""Help center pages: reading and searching (everyone, by policy), commenting, staff editing."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from supportdesk import policy
from supportdesk.accounts.models import Client
from supportdesk.catalogue.models import Offering
from supportdesk.errors import DomainError
from supportdesk.policy import helpcenter as help_policy
from supportdesk.throttling import retry_after_of, with_retry_after
from supportdesk.tickets.attachments import download_response
from supportdesk.web.access import page_for
from supportdesk.web.views.common import attach_error

from . import actions, queries
from .forms import ArticleForm, AttachmentForm, CommentForm, SectionForm
from .models import Article, Comment, Section

PAGE_SIZE = 25
COMMENTS_PAGE_SIZE = 50


def index(request: HttpRequest) -> HttpResponse:
    """Sections with their articles, or search hits for `q`; both a page of PAGE_SIZE articles at a time."""
    q = request.GET.get("q", "").strip()
    found = queries.search_articles(request.user, q) if q else queries.articles_by_section(request.user)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "helpcenter/index.html", {
        "q": q, "page": page, "results": page.object_list if q else None,
        "sections": None if q else queries.group_by_section(page.object_list),
        "can_edit": help_policy.can_edit_articles(request.user),
    })


def article(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        item = queries.article_for(request.user, slug)
    except DomainError as exc:
        raise Http404 from exc
    form = CommentForm(request.POST or None)
    status, retry_after = 200, None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/login/?next=/help/articles/{slug}/")
        if form.is_valid():
            try:
                user = policy.signed_in(request)
                comment = actions.post_comment(user, item, body=form.cleaned_data["body"],
                                               idempotency_key=form.idempotency_key()).record  # sent twice: one
                return redirect(_comment_url(user, comment))
            except DomainError as exc:
                attach_error(form, exc)
                status, retry_after = exc.status, retry_after_of(exc)
    page = Paginator(queries.comments_for(request.user, item), COMMENTS_PAGE_SIZE).get_page(request.GET.get("page"))
    response = render(request, "helpcenter/article.html", {
        "article": item, "page": page, "comments": page.object_list, "form": form,
        "can_comment": help_policy.can_comment(request.user, item),
        "can_moderate": help_policy.can_moderate(request.user),
        "can_edit": help_policy.can_edit_articles(request.user),
    }, status=status)
    return with_retry_after(response, retry_after)


def attachment(request: HttpRequest, slug: str, attachment_id: int) -> FileResponse:
    try:
        return download_response(queries.attachment_for(request.user, slug, attachment_id))  # type: ignore[arg-type]
    except DomainError as exc:
        raise Http404 from exc


@require_POST
@login_required
def moderate(request: HttpRequest, comment_id: int) -> HttpResponse:
    user = policy.signed_in(request)
    try:
        comment = queries.comment_for(user, comment_id)
        actions.set_comment_hidden(user, comment, hidden=request.POST.get("hidden", "1") == "1")
    except DomainError as exc:
        raise Http404 from exc
    return redirect(_comment_url(user, comment))


def _comment_url(user: Any, comment: Comment) -> str:
    """The article page that holds this comment, scrolled to it (comments page COMMENTS_PAGE_SIZE at a time)."""
    before = queries.comments_for(user, comment.article).filter(
        Q(created_at__lt=comment.created_at) | Q(created_at=comment.created_at, pk__lt=comment.pk)).count()
    number = before // COMMENTS_PAGE_SIZE + 1
    return f"/help/articles/{comment.article.slug}/{f'?page={number}' if number > 1 else ''}#comment-{comment.pk}"


editors_only = page_for(help_policy.can_edit_articles)


@editors_only
def manage(request: HttpRequest) -> HttpResponse:
    form = SectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.create_section(policy.signed_in(request), name=form.cleaned_data["name"],
                                   description=form.cleaned_data["description"],
                                   position=form.cleaned_data["position"] or 0)
            return redirect("/help/manage/")
        except DomainError as exc:
            attach_error(form, exc)
    page = Paginator(queries.articles_by_section(policy.signed_in(request)), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "helpcenter/manage.html", {
        "page": page, "articles": page.object_list, "sections": Section.objects.all(), "form": form})


def _article_form(data=None, initial=None) -> ArticleForm:  # noqa: ANN001
    return ArticleForm(data, initial=initial, sections=list(Section.objects.all()),
                       offerings=list(Offering.objects.filter(active=True)), clients=list(Client.objects.all()))


def _article_values(data: dict) -> dict:
    return {
        "title": data["title"], "body": data["body"], "slug": data["slug"], "visibility": data["visibility"],
        "section": Section.objects.filter(pk=data["section"]).first(),
        "required_offering": data["required_offering"] or "",
        "client": Client.objects.filter(pk=data["client"]).first() if data["client"] else None,
        "comments_open": data["comments_open"],
    }


@editors_only
def article_new(request: HttpRequest) -> HttpResponse:
    form = _article_form(request.POST or None, initial={"comments_open": True})
    if request.method == "POST" and form.is_valid():
        try:
            publish = request.POST.get("publish") == "1"
            created = actions.write_article(policy.signed_in(request), **_article_values(form.cleaned_data),
                                            publish=publish,
                                            idempotency_key=form.idempotency_key(publish)).record  # sent twice: one
            return redirect(f"/help/manage/{created.slug}/")
        except DomainError as exc:
            attach_error(form, exc)
    return render(request, "helpcenter/edit.html", {"form": form, "article": None})


@editors_only
def article_edit(request: HttpRequest, slug: str) -> HttpResponse:
    item = Article.objects.filter(slug=slug).first()
    if item is None or not help_policy.can_view_article(policy.signed_in(request), item):
        raise Http404
    initial = {"title": item.title, "section": str(item.section_id), "slug": item.slug, "body": item.body,
               "visibility": item.visibility, "required_offering": item.required_offering,
               "client": str(item.client_id or ""), "comments_open": item.comments_open}
    form = _article_form(request.POST if request.POST.get("form") == "article" else None, initial=initial)
    upload = AttachmentForm(request.POST if request.POST.get("form") == "attachment" else None, request.FILES or None)
    action_error = ""
    if request.method == "POST":
        which = request.POST.get("form")
        try:
            done = _edit_action(request, item, form, upload)
            if done:
                return redirect(f"/help/manage/{done.slug}/")
        except DomainError as exc:
            if which in ("article", "attachment"):
                attach_error(form if which == "article" else upload, exc)
            else:  # the status and comments buttons are not forms with fields: say it above them
                action_error = exc.message
    return render(request, "helpcenter/edit.html", {"form": form, "upload": upload, "article": item,
                                                    "action_error": action_error})


def _edit_action(request: HttpRequest, item: Article, form: ArticleForm, upload: AttachmentForm) -> Article | None:
    user = policy.signed_in(request)
    which = request.POST.get("form")
    if which == "article":
        return actions.edit_article(user, item, **_article_values(form.cleaned_data)) if form.is_valid() else None
    if which == "status":
        return actions.set_status(user, item, request.POST.get("status", ""))
    if which == "comments":
        return actions.set_comments_open(user, item, request.POST.get("comments_open") == "1")
    if which == "attachment" and upload.is_valid():
        f = upload.cleaned_data["file"]
        actions.add_attachment(user, item, upload=f, filename=f.name, content_type=f.content_type or "")
        return item
    return None

