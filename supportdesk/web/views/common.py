"""Pages everybody shares: sign-in, home routing, the catalogue, and the error-to-form bridge."""

from __future__ import annotations

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from supportdesk import policy
from supportdesk.catalogue import queries as catalogue_queries
from supportdesk.errors import DomainError


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("/login/")
    if policy.is_client_person(request.user):
        return redirect("/portal/")
    if policy.has_role(request.user, *policy.STAFF_WORKERS):
        return redirect("/console/")
    return redirect("/console/clients/")


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    return render(request, "web/catalogue.html", {
        "offerings": catalogue_queries.offerings_with_versions(),
        "severities": catalogue_queries.severity_levels(),
    })


def attach_error(form: forms.Form, exc: DomainError) -> None:
    """Show a domain refusal in place: on the named fields when the form has them, else on the form."""
    placed = False
    for field, message in exc.fields.items():
        if field in form.fields:
            form.add_error(field, message if message != "required" else exc.message)
            placed = True
    if not placed or exc.message:
        form.add_error(None, exc.message)
