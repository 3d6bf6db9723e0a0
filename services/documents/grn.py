"""The goods received note (入库验收单) and the return-to-supplier note (退货单)."""
from __future__ import annotations

from decimal import Decimal

from db import Database
from services import receiving
from services.documents.layout import Column, PdfDocument, Signer
from services.documents.lookup import display_names, item_names
from services.documents.registry import register
from services.documents.text import enum, local_date, local_time, money, price, qty, tr

ZERO = Decimal(0)
QTY_FIELDS = ("note_qty", "counted_qty", "damaged_qty", "accepted_qty", "rejected_qty")


def _amount(line) -> Decimal | None:
    """What the accepted goods are booked at (exact for a line bought by the pack)."""
    if line.amount is not None:
        return line.amount
    if line.unit_price is None:
        return None
    return (line.accepted_qty or ZERO) * line.unit_price


def _grn_columns(lang: str) -> list[Column]:
    def c(key, width=1.0, align="R"):
        return Column(tr(f"c.{key}", lang), width, align)
    return [c("line", 0.6, "C"), c("sku", 1.5, "L"), c("name", 2.8, "L"), c("unit", 0.6, "C"),
            c("note_qty", 0.9), c("counted_qty", 0.9), c("damaged_qty", 0.9),
            c("accepted_qty", 0.9), c("rejected_qty", 0.9), c("unit_price", 1.0),
            c("amount", 1.2), c("lot_no", 1.2, "L"), c("expiry_date", 1.1, "C"),
            c("location", 1.0, "L"), c("flags", 1.6, "L")]


@register("grn")
def grn(db: Database, number: str, lang: str) -> PdfDocument:
    view = receiving.get_receipt(db, number)
    names = item_names(db, [line.sku for line in view.lines], lang)
    approvers = sorted({u for line in view.lines for u in line.approvals.values()})
    receiver = view.received_by or view.started_by
    people = display_names(db, [receiver, view.checked_by, *approvers])

    doc = PdfDocument(title=tr("title.grn", lang), number=view.number, language=lang,
                      landscape=True)
    fields = [
        (tr("f.po", lang), view.po_number),
        (tr("f.supplier", lang), view.supplier_name),
        (tr("f.delivery_note", lang), view.delivery_note_no),
        (tr("f.status", lang), enum("rcv_status", view.status, lang)),
        (tr("f.arrived_at", lang), local_time(view.arrived_at)),
        (tr("f.posted_at", lang), local_time(view.posted_at)),
    ]
    if view.return_numbers:
        fields.append((tr("f.returns", lang), ", ".join(view.return_numbers)))
    doc.fields(fields, per_row=4)
    rows, totals = [], {name: ZERO for name in QTY_FIELDS}
    total_amount = ZERO
    for line in view.lines:
        name, unit = names.get(line.sku, (line.name, line.unit))
        amount = _amount(line)
        total_amount += amount or ZERO
        for field in QTY_FIELDS:
            totals[field] += getattr(line, field) or ZERO
        rows.append([
            line.line_no, line.sku, " ".join(p for p in (name, line.spec) if p),
            enum("unit", unit or line.unit, lang), qty(line.note_qty), qty(line.counted_qty),
            qty(line.damaged_qty) if line.damaged_qty else "", qty(line.accepted_qty),
            qty(line.rejected_qty) if line.rejected_qty else "",
            price(line.unit_price), money(amount), line.lot_no,
            local_date(line.expiry_date), line.stored_location or line.location or "",
            "、".join(enum("flag", f, lang) for f in sorted(line.flags))])
    doc.table(_grn_columns(lang), rows, totals=[
        "", "", "", "", *(qty(totals[f]) for f in QTY_FIELDS), "", money(total_amount),
        "", "", "", ""])
    if view.discrepancies:
        _discrepancies(doc, db, view, lang)
    posted = local_date(view.posted_at)
    doc.signoff([
        Signer(tr("s.received", lang), people.get(receiver, ""), posted),
        Signer(tr("s.checked", lang), people.get(view.checked_by or "", ""), posted),
        Signer(tr("s.approved", lang), "、".join(people[u] for u in approvers)),
    ])
    return doc


def _discrepancies(doc: PdfDocument, db: Database, view, lang: str) -> None:
    people = display_names(db, [d["approved_by"] for d in view.discrepancies])
    doc.heading(tr("grn.discrepancies", lang))
    columns = [Column(tr("c.line", lang), 0.5, "C"), Column(tr("c.sku", lang), 1.5),
               Column(tr("c.flags", lang), 1.5), Column(tr("c.qty", lang), 1, "R"),
               Column(tr("grn.outcome", lang), 2), Column(tr("s.approved", lang), 2)]
    rows = [[d["line_no"], d["sku"], enum("flag", d["flag"], lang), qty(d["qty"]),
             enum("outcome", d["outcome"], lang),
             people.get(d["approved_by"], "")] for d in view.discrepancies]
    doc.table(columns, rows)


@register("supplier_return")
def supplier_return(db: Database, number: str, lang: str) -> PdfDocument:
    view = receiving.get_supplier_return(db, number)
    names = item_names(db, [line["sku"] for line in view.lines], lang)
    people = display_names(db, [view.created_by, view.confirmed_by])
    doc = PdfDocument(title=tr("title.supplier_return", lang), number=view.number,
                      language=lang)
    doc.fields([
        (tr("f.supplier", lang), view.supplier_name),
        (tr("f.receipt", lang), view.receipt),
        (tr("f.po", lang), view.po_number),
        (tr("f.status", lang), enum("rts_status", view.status, lang)),
        (tr("f.hold_location", lang), view.hold_location),
        (tr("c.reason", lang), enum("rts_source", view.source, lang)),
        (tr("f.created_at", lang), local_time(view.created_at)),
        (tr("f.confirmed_at", lang), local_time(view.confirmed_at)),
    ])
    columns = [Column(tr("c.line", lang), 0.5, "C"), Column(tr("c.sku", lang), 1.6),
               Column(tr("c.name", lang), 2.6), Column(tr("c.lot_no", lang), 1.2),
               Column(tr("c.qty", lang), 0.9, "R"), Column(tr("c.unit_price", lang), 1, "R"),
               Column(tr("c.amount", lang), 1.1, "R"), Column(tr("c.reason", lang), 1.2)]
    rows = []
    for line in view.lines:
        rows.append([line["receipt_line_no"], line["sku"],
                     names.get(line["sku"], (line["name"], ""))[0], line["lot_no"],
                     qty(line["qty"]), price(line["unit_price"]), money(line["amount"]),
                     enum("reject", line["reason"], lang)])
    total_qty = sum((line["qty"] for line in view.lines), ZERO)
    doc.table(columns, rows, totals=["", "", "", "", qty(total_qty), "", money(view.total), ""])
    doc.signoff([
        Signer(tr("s.returned_by", lang), people.get(view.created_by, ""),
               local_date(view.created_at)),
        Signer(tr("s.checked", lang), people.get(view.confirmed_by or "", ""),
               local_date(view.confirmed_at)),
        Signer(tr("s.supplier", lang)),
    ])
    return doc
