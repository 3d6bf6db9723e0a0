"""The monthly stock summary (进销存月报): opening, in, out, adjustments and closing
per item at FIFO value, with the column totals."""
from __future__ import annotations

from decimal import Decimal

from db import Database
from domain import reports as calc
from services import reports
from services.documents.layout import Column, PdfDocument, Signer
from services.documents.lookup import display_names
from services.documents.registry import register
from services.documents.text import enum, local_date, money, qty, tr

ZERO = Decimal(0)


@register("monthly_summary")
def monthly_summary(db: Database, period: str, lang: str) -> PdfDocument:
    frame = reports.monthly_summary(db, period, details=True)
    status = reports.period_status(db, period)
    people = display_names(db, [status["closed_by"]])
    doc = PdfDocument(title=tr("title.monthly_summary", lang), number=period, language=lang,
                      landscape=True)
    doc.fields([
        (tr("f.period", lang), period),
        (tr("f.month_status", lang), tr("month.closed" if status["closed"] else "month.open", lang)),
        (tr("f.items", lang), len(frame)),
    ], per_row=3)
    fields = list(calc.SUMMARY_FIELDS)
    columns = [Column(tr("c.sku", lang), 1.5), Column(tr("c.name", lang), 2.6),
               Column(tr("c.unit", lang), 0.5, "C")]
    columns += [Column(tr(f"c.{name}", lang), 1.0 if name.endswith("_value") else 0.8, "R")
                for name in fields]
    rows = []
    for r in frame.to_dict("records"):
        name = r["name_zh"] if lang == "zh" and r["name_zh"] else r["name"]
        rows.append([r["sku"], name, enum("unit", r["unit"], lang),
                     *(_figure(f, r[f]) for f in fields)])
    totals = reports.summary_totals(frame)
    doc.table(columns, rows, totals=["", "", "", *(_figure(n, totals[n]) for n in fields)])
    closed_on = local_date(status["closed_at"]) if status["closed_at"] else ""
    doc.signoff([
        Signer(tr("s.prepared", lang), people.get(status["closed_by"], ""), closed_on),
        Signer(tr("s.reviewed", lang)),
        Signer(tr("s.approved", lang)),
    ])
    return doc


def _figure(field: str, value) -> str:
    return money(value) if field.endswith("_value") else qty(value)
