"""Invoice documents: the HTML (the screen and the PDF render the same template), PDF via WeasyPrint, CSV."""

from __future__ import annotations

import csv
import io

from django.template.loader import render_to_string

from supportdesk.local_times import vendor_date, vendor_zone
from supportdesk.spreadsheet_cells import safe_cell

from .models import Invoice

DOCUMENT_TEMPLATE = "billing/invoice_document.html"


def invoice_context(invoice: Invoice) -> dict:
    credited = sum((c.amount for c in invoice.credit_notes.all()), invoice.total * 0)
    # Dates on an invoice are the vendor's (its month and number are): the same for every reader.
    return {"invoice": invoice, "lines": list(invoice.lines.all()), "credit_notes": list(invoice.credit_notes.all()),
            "credited": credited, "balance": invoice.total - credited, "vendor_zone": vendor_zone()}


def invoice_html(invoice: Invoice, *, for_print: bool) -> str:
    return render_to_string("billing/invoice_print.html" if for_print else DOCUMENT_TEMPLATE,
                            {**invoice_context(invoice), "for_print": for_print})


def invoice_pdf(invoice: Invoice) -> bytes:
    from weasyprint import HTML

    return HTML(string=invoice_html(invoice, for_print=True)).write_pdf()  # type: ignore[no-any-return]


CSV_HEADER = ["invoice", "client", "period_start", "period_last_day", "currency", "kind", "description", "service_from",
              "service_last_day", "quantity", "unit_amount", "amount", "explanation"]


class _SafeWriter:
    def __init__(self, out: io.StringIO) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: list) -> None:
        self._writer.writerow([safe_cell(cell) for cell in row])


def invoice_csv(invoice: Invoice) -> str:
    """One row per line, a total row, then one row per credit note; text cells are safe to open in a
    spreadsheet (see `safe_cell`)."""
    out = io.StringIO()
    writer = _SafeWriter(out)
    writer.writerow(CSV_HEADER)
    head = [invoice.number or "", invoice.billed_name, invoice.period_start, invoice.period_last_day, invoice.currency]
    for line in invoice.lines.all():
        writer.writerow([*head, line.kind, line.description, line.service_from or "", line.service_last_day or "",
                         line.quantity, line.unit_amount, line.amount, line.explanation])
    writer.writerow([*head, "total", "Total", "", "", "", "", invoice.total, ""])
    for note in invoice.credit_notes.all():
        writer.writerow([*head, "credit_note", f"Credit note {note.number}: {note.reason}", vendor_date(note.issued_at), "",
                         "", "", -note.amount, ""])
    return out.getvalue()
