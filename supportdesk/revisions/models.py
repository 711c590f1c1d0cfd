"""Named revisions: one row per name whose value database triggers rewrite on every write to the tables
it watches (supportdesk.revisions.triggers). Processes key caches of derived data on it."""

from django.db import models


class Revision(models.Model):
    """A random value, not a counter: after a rolled-back write the old value returns and the value the
    rolled-back write had set is never seen again, so an answer cached under it can never be served."""

    name = models.CharField(primary_key=True, max_length=40)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"
