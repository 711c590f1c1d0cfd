"""Who the command line acts as when it asks the policy.

Whoever runs `supportdesk` holds the data folder (and could run `create-admin`), so the reads are those of a system
administrator. The principal is never saved: actions get `actor=None`, as every other CLI command passes, so their
event rows record "the system" as the author.
"""

from __future__ import annotations

from supportdesk.accounts.models import StaffRole, User

OPERATOR_ROLES = frozenset({StaffRole.SYSADMIN, StaffRole.MANAGER, StaffRole.BILLING, StaffRole.AGENT})


def operator() -> User:
    person = User(email="operator@cli.supportdesk.local", full_name="Command line")
    # policy.roles_of reads this cache before it would query the (absent) role grants of an unsaved person.
    person._sd_roles = OPERATOR_ROLES  # type: ignore[attr-defined]
    return person
