"""The REST API root (/api/v1): authentication, one JSON error shape, and each context's router."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from supportdesk.accounts.actions import user_for_token
from supportdesk.errors import DomainError
from supportdesk.throttling import retry_after_of, with_retry_after


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):  # type: ignore[override]
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class HeaderToken(APIKeyHeader):
    param_name = "X-Api-Token"

    def authenticate(self, request: HttpRequest, key: str | None):  # type: ignore[override]
        user = user_for_token(key or "")
        if user is not None:
            request.user = user
        return user


# The refusals every operation may answer, in the one error shape; an operation's own `responses` come first.
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message", "fields"],
        "properties": {
            "code": {"type": "string", "description": "Stable, e.g. `not_found`, `ticket.stale_version`"},
            "message": {"type": "string", "description": "For people"},
            "fields": {"type": "object", "description": "Field name -> what is wrong with it"},
            "details": {"type": "object", "description": "More about some refusals (a 409's `current_version`)"},
        },
    }},
}
_ERROR_REF = {"$ref": "#/components/schemas/Error"}
_ERRORS = {  # status -> (when it applies, description)
    401: ("authenticated", "`unauthenticated`: no session and no valid API token"),
    403: ("authenticated", "`forbidden` (or a more precise code): signed in, but your role may not do this"),
    404: ("path", "`not_found`: no such object, or one you may not see (the same answer)"),
    422: ("input", "`invalid_request` or a domain code: a parameter or body field is wrong (see `fields`)"),
    503: ("always", "`unavailable`: the database is unreachable; try again after `Retry-After` seconds"),
    500: ("always", "`internal_error`: a bug; nothing of it is shown"),
}


class SupportdeskAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict | None = None) -> OpenAPISchema:
        """ninja's document plus each operation's error responses, which ninja does not know of."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_errors(schema)
        return schema


def document_errors(schema: OpenAPISchema) -> None:
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status in _errors_of(operation):
                if status not in responses and str(status) not in responses:  # ninja's keys are ints
                    responses[status] = {"description": _ERRORS[status][1]}
            for status, response in responses.items():  # an operation's own refusals (a 409) say what, not how
                if str(status).isdigit() and int(status) >= 400 and "content" not in response:
                    response["content"] = {"application/json": {"schema": _ERROR_REF}}


def _errors_of(operation: dict) -> list[int]:
    parameters = operation.get("parameters", [])
    applies = {
        "authenticated": bool(operation.get("security")),
        "path": any(p.get("in") == "path" for p in parameters),
        "input": bool(parameters) or "requestBody" in operation,
        "always": True,
    }
    return [status for status, (when, _) in _ERRORS.items() if applies[when]]


api = SupportdeskAPI(
    title="supportdesk API",
    version="1",
    description="Contracts, entitlements, tickets and everything around them. Authenticate with "
                "`Authorization: Bearer <token>` (a system admin creates one on the API tokens screen, `POST /api/v1/tokens` or `supportdesk token create --user EMAIL`) "
                "or a signed-in browser session. Errors: `{\"error\": {\"code\", \"message\", \"fields\"}}`.",
    auth=[BearerToken(), HeaderToken(), SessionAuth()],
    urls_namespace="api",
)


def error_body(code: str, message: str, fields: dict | None = None, details: dict | None = None) -> dict:
    body: dict = {"code": code, "message": message, "fields": fields or {}}
    if details:
        body["details"] = details
    return {"error": body}


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    response = api.create_response(request, error_body(exc.code, exc.message, exc.fields, exc.details),
                                   status=exc.status)
    return with_retry_after(response, retry_after_of(exc))


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields = {}
    for err in exc.errors:
        loc = list(err.get("loc", []))
        if loc[:1] in (["form"], ["file"]):  # a multipart field is named as sent (`released_on`, not `form.released_on`)
            loc = loc[1:]
        loc = [str(p) for p in loc if p not in ("body", "payload", "query", "path")]
        fields[".".join(loc) or "body"] = err.get("msg", "invalid")
    message = "; ".join(f"{k}: {v}" for k, v in fields.items()) or "Invalid request."
    return api.create_response(request, error_body("invalid_request", message, fields), status=422)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, error_body("unauthenticated", "Sign in or send a valid API token."),
                               status=401)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {404: "not_found", 403: "forbidden", 405: "method_not_allowed", 400: "bad_request", 429: "rate_limited"}
    return api.create_response(request, error_body(codes.get(exc.status_code, "error"), str(exc)),
                               status=exc.status_code)


@api.exception_handler(Exception)
def on_unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Handed to Django whatever DEBUG says (ninja's own handler answers a plain-text traceback under DEBUG): Django
    sends got_request_exception (the test client re-raises it), logs the traceback on django.request and answers
    500, which web.middleware turns into `internal_error` in the JSON shape; its 503 and 422 come first."""
    raise exc


def _register_routers() -> None:
    from supportdesk.accounts.api import router as accounts
    from supportdesk.accounts.api import token_router as tokens
    from supportdesk.billing.api import router as billing
    from supportdesk.catalogue.api import router as catalogue
    from supportdesk.contracts.api import router as contracts
    from supportdesk.helpcenter.api import router as helpcenter
    from supportdesk.intake.api import router as intake
    from supportdesk.learning.api import router as learning
    from supportdesk.livechat.api import router as livechat
    from supportdesk.macros.api import router as macros
    from supportdesk.notifications.api import router as notifications
    from supportdesk.oncall.api import router as oncall
    from supportdesk.satisfaction.api import router as satisfaction
    from supportdesk.sla.api import router as sla
    from supportdesk.tam.api import router as tam
    from supportdesk.telephony.api import router as telephony
    from supportdesk.tickets.api import router as tickets

    api.add_router("/catalogue", catalogue, tags=["catalogue"])
    api.add_router("/clients", accounts, tags=["clients and people"])
    api.add_router("/contracts", contracts, tags=["contracts and entitlements"])
    api.add_router("/tickets", tickets, tags=["tickets"])
    api.add_router("/sla", sla, tags=["sla"])
    api.add_router("/intake", intake, tags=["email intake"])
    api.add_router("/chat", livechat, tags=["live chat"])
    api.add_router("/phone", telephony, tags=["phone line"])
    api.add_router("/oncall", oncall, tags=["on-call rota"])
    api.add_router("/tam", tam, tags=["tam"])
    api.add_router("/learning", learning, tags=["updates, training and events"])
    api.add_router("/billing", billing, tags=["billing"])
    api.add_router("/help", helpcenter, tags=["help center"])
    api.add_router("/macros", macros, tags=["saved replies"])
    api.add_router("/satisfaction", satisfaction, tags=["customer satisfaction"])
    api.add_router("/webhooks", notifications, tags=["outbound webhooks"])
    api.add_router("/tokens", tokens, tags=["integration tokens"])


_register_routers()
