"""Data: phone numbers stored before they were normalised ("+1 416 555 0100") take the one form new ones
are stored in and calls are matched in ("+14165550100"), so a call from such a number finds its client.

A client number whose normalised form another row already holds is left as it was (two clients cannot
share a number; a manager settles which one keeps it). Going back leaves the numbers normalised: the
normalised form is as valid as the one it replaced."""

from django.db import migrations


def _normalised(number: str) -> str:
    # As supportdesk.accounts.actions.normalise_phone at the time of writing (migrations keep their own copy).
    digits = "".join(ch for ch in str(number or "") if ch.isdigit())
    return f"+{digits}" if digits else ""


def normalise_phones(apps, schema_editor) -> None:  # noqa: ANN001
    client_phone = apps.get_model("accounts", "ClientPhone")
    user = apps.get_model("accounts", "User")
    taken = set(client_phone.objects.values_list("number", flat=True))
    for phone in client_phone.objects.order_by("id"):
        normalised = _normalised(phone.number)
        if normalised and normalised != phone.number and normalised not in taken:
            taken.discard(phone.number)
            taken.add(normalised)
            client_phone.objects.filter(pk=phone.pk).update(number=normalised)
    for person in user.objects.exclude(phone="").only("id", "phone"):
        normalised = _normalised(person.phone)
        if normalised and normalised != person.phone:
            user.objects.filter(pk=person.pk).update(phone=normalised)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_access_revision_clients_designations")]

    operations = [migrations.RunPython(normalise_phones, migrations.RunPython.noop)]
