"""The placeholders a saved reply may use and their substitution.

One regular-expression pass over the reply's text, never a template engine or str.format: the values (a
subject or a name typed by a client) are inserted as plain text and never read again, so a subject such
as "{{agent_name}}" or "{% debug %}" stays exactly that. Escaping is left to where the text is shown.
"""

from __future__ import annotations

import re
from typing import Any

from supportdesk.accounts.actions import current_tam

# Linear: a run of non-braces between "{{" and "}}", trimmed in Python. (A lazy group between two `\s*` backtracked
# cubically on "{{" followed by a long run of spaces: minutes for a 20,000-character body.)
PLACEHOLDER = re.compile(r"\{\{([^{}]*)\}\}")

KNOWN: dict[str, str] = {
    "requester_name": "the requester's full name",
    "requester_first_name": "the requester's first name",
    "ticket_number": "the ticket's number (1042)",
    "ticket_subject": "the ticket's subject",
    "client_name": "the client's name",
    "agent_name": "your name (whoever uses the reply)",
    "tam_name": "the client's technical account manager",
}


def known_tokens() -> list[str]:
    return ["{{" + name + "}}" for name in KNOWN]


def unknown_in(text: str) -> list[str]:
    """The placeholders in `text` that are not known, each once, in order of appearance."""
    found = [m.group(1).strip() for m in PLACEHOLDER.finditer(text) if m.group(1).strip() not in KNOWN]
    return list(dict.fromkeys(found))


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with each known placeholder replaced by its value ("" when missing); others are left as written."""
    def value(m: re.Match[str]) -> str:
        name = m.group(1).strip()
        return (values.get(name) or "") if name in KNOWN else m.group(0)

    return PLACEHOLDER.sub(value, text)


def values_for(ticket: Any, agent: Any) -> dict[str, str]:
    """What each placeholder stands for on this ticket, used by this agent; "" where there is nothing."""
    requester = ticket.requester
    full_name = (requester.full_name or "").strip()
    tam = current_tam(ticket.client)
    return {
        "requester_name": full_name,
        "requester_first_name": (requester.first_name or "").strip() or (full_name.split() or [""])[0],
        "ticket_number": str(ticket.pk),
        "ticket_subject": ticket.subject,
        "client_name": ticket.client.name,
        "agent_name": (getattr(agent, "full_name", "") or "").strip(),
        "tam_name": (tam.full_name or "").strip() if tam else "",
    }
