"""The issue slip (出库单): one row per lot the FIFO allocation consumed."""
from __future__ import annotations

from decimal import Decimal

from db import Database
from services import issuing
from services.documents.layout import Column, PdfDocument, Signer
from services.documents.lookup import display_names, item_names
from services.documents.registry import register
from services.documents.text import enum, local_date, local_time, money, price, qty, tr

ZERO = Decimal(0)


@register("issue")
def issue(db: Database, number: str, lang: str) -> PdfDocument:
    view = issuing.get_issue(db, number)
    names = item_names(db, [line.sku for line in view.lines], lang)
    # requested_by is typed in: a username shows as that person's name, other text as typed
    people = display_names(db, [view.actor, view.approved_by, view.requested_by])

    doc = PdfDocument(title=tr("title.issue", lang), number=view.number, language=lang)
    house = (view.warehouse_name_zh if lang == "zh" and view.warehouse_name_zh
             else view.warehouse_name)
    fields = [
        (tr("f.warehouse", lang), f"{view.warehouse} · {house}" if view.warehouse else ""),
        (tr("f.purpose", lang), enum("purpose", view.purpose, lang)),
        (tr("f.reference", lang), view.reference),
        (tr("f.requested_by", lang), people.get(view.requested_by, view.requested_by)),
        (tr("f.issued_at", lang), local_time(view.at)),
    ]
    tags = [f"{line.sku}: {line.old_part_tag}" for line in view.lines if line.old_part_tag]
    if tags:
        fields.append((tr("f.old_part_tags", lang), ", ".join(tags)))
    doc.fields(fields)
    if view.partial:
        doc.note(tr("issue.partial", lang))

    columns = [Column(tr("c.line", lang), 0.45, "C"), Column(tr("c.sku", lang), 1.5),
               Column(tr("c.name", lang), 2.4), Column(tr("c.unit", lang), 0.5, "C"),
               Column(tr("c.location", lang), 0.9), Column(tr("c.lot_no", lang), 1.1),
               Column(tr("c.received_at", lang), 1.0, "C"), Column(tr("c.qty", lang), 0.7, "R"),
               Column(tr("c.unit_cost", lang), 0.9, "R"), Column(tr("c.value", lang), 1.0, "R")]
    rows, total_qty = [], ZERO
    for line in view.lines:
        name, unit = names.get(line.sku, (line.name, line.unit))
        for a in line.allocations:
            total_qty += a.qty
            rows.append([line.line_no, line.sku, name, enum("unit", unit, lang), a.location,
                         a.lot_no, local_date(a.received_at), qty(a.qty), price(a.unit_cost),
                         money(a.value)])
    doc.table(columns, rows, totals=["", "", "", "", "", "", "", qty(total_qty), "",
                                     money(view.total_cost)])
    day = local_date(view.at)
    doc.signoff([
        Signer(tr("s.issued_by", lang), people.get(view.actor, ""), day),
        Signer(tr("s.requested_by", lang), people.get(view.requested_by, view.requested_by)),
        Signer(tr("s.approved", lang), people.get(view.approved_by, "")),
    ])
    return doc
