"""Stocktake paper: the blind count sheet of a zone (盘点表, 一式二份) and the
variance report finance and the general manager sign."""
from __future__ import annotations

from decimal import Decimal

from db import Database
from services import stocktake as stocktakes
from services.documents.layout import Column, PdfDocument, Signer
from services.documents.lookup import display_names, item_names
from services.documents.registry import register
from services.documents.text import blank, enum, local_date, money, price, qty, tr
from services.errors import ValidationError

ZERO = Decimal(0)
COPIES = 2                 # 一式二份: one stays with the counters, one goes to finance
BLANK_ROWS = 5             # for items found on the shelf that are not on the sheet
WRITING_ROW_MM = 8         # room for a handwritten count


def split_sheet_number(number: str) -> tuple[str, str]:
    """"ST-…/zone" -> (stocktake number, zone)."""
    stocktake, _, zone = number.partition("/")
    if not stocktake.strip() or not zone.strip():
        raise ValidationError("count_sheet_number", field="number", value=number)
    return stocktake.strip(), zone.strip()


@register("count_sheet")
def count_sheet(db: Database, number: str, lang: str) -> PdfDocument:
    """Blind by design: built from services.stocktake.count_sheet, which carries no
    book quantity, so none can be printed."""
    stocktake_no, zone = split_sheet_number(number)
    view = stocktakes.get_stocktake(db, stocktake_no)
    rows = stocktakes.count_sheet(db, stocktake_no, zone)
    people = display_names(db, [view.opened_by])
    doc = PdfDocument(title=tr("title.count_sheet", lang), number=f"{view.number} / {zone}",
                      language=lang)
    columns = [Column(tr("c.line", lang), 0.45, "C"), Column(tr("c.location", lang), 1.0),
               Column(tr("c.sku", lang), 1.5), Column(tr("c.name", lang), 2.6),
               Column(tr("c.unit", lang), 0.5, "C"), Column(tr("c.counted", lang), 1.0, "R"),
               Column(tr("c.counter", lang), 1.2), Column(tr("c.remark", lang), 1.1)]
    table = [[index, r["location"], r["sku"], _sheet_name(r, lang), enum("unit", r["unit"], lang),
              "", "", ""] for index, r in enumerate(rows, start=1)]
    table += [["", "", "", "", "", "", "", ""] for _ in range(BLANK_ROWS)]
    for copy in range(1, COPIES + 1):
        doc.new_copy(tr("doc.copy", lang, n=copy, total=COPIES))
        doc.fields([
            (tr("f.stocktake", lang), view.number), (tr("f.period", lang), view.period),
            (tr("f.zone", lang), zone), (tr("f.lines", lang), len(rows)),
            (tr("f.counted_on", lang), "____________"),
        ], per_row=3)
        doc.note(tr("count.blind_note", lang))
        doc.table(columns, table, row_height=WRITING_ROW_MM)
        doc.signoff([Signer(tr("s.counter", lang)), Signer(tr("s.second_counter", lang)),
                     Signer(tr("s.supervisor", lang), people.get(view.opened_by, ""))])
    return doc


def _sheet_name(row: dict, lang: str) -> str:
    name = row["name_zh"] if lang == "zh" and row.get("name_zh") else row["name"]
    return " ".join(p for p in (name, row.get("spec") or "") if p)


@register("variance")
def variance(db: Database, number: str, lang: str) -> PdfDocument:
    """The lines whose count differs from the book (or were not counted), their
    value at FIFO cost and reasons; totals and the approval signatures."""
    view = stocktakes.get_stocktake(db, number)
    report = stocktakes.variance_report(db, number)
    names = item_names(db, report["sku"].tolist(), lang)
    people = display_names(db, [view.submitted_by, view.reviewed_by, view.approved_by])
    records = report.to_dict("records")
    shown = [r for r in records if r["variance_qty"] is None or r["variance_qty"] != 0]
    gain = sum((r["variance_value"] for r in records
                if r["variance_value"] is not None and r["variance_value"] > 0), ZERO)
    loss = sum((r["variance_value"] for r in records
                if r["variance_value"] is not None and r["variance_value"] < 0), ZERO)

    doc = PdfDocument(title=tr("title.variance", lang), number=view.number, language=lang,
                      landscape=True)
    doc.fields([
        (tr("f.period", lang), view.period),
        (tr("f.status", lang), enum("st_status", view.status, lang)),
        (tr("f.lines", lang), f"{len(shown)} / {len(records)}"),
        (tr("f.net", lang), money(gain + loss)),
        (tr("f.gain", lang), money(gain)), (tr("f.loss", lang), money(loss)),
    ], per_row=4)
    doc.fields([(tr("f.zone", lang), "、".join(view.zones))], per_row=1)

    def c(key, width, align="L"):
        return Column(tr(f"c.{key}", lang), width, align)
    columns = [c("line", 0.45, "C"), c("location", 1.0), c("sku", 1.5), c("name", 2.6),
               c("unit", 0.5, "C"), c("book_qty", 0.7, "R"), c("counted", 0.7, "R"),
               c("variance_qty", 0.7, "R"), c("unit_cost", 0.8, "R"),
               c("variance_value", 0.9, "R"), c("reason", 1.1), c("note", 2.6)]
    rows, total_qty = [], ZERO
    for index, r in enumerate(shown, start=1):
        name, unit = names.get(r["sku"], (r["name"], ""))
        total_qty += r["variance_qty"] or ZERO
        rows.append([index, r["location"], r["sku"], name, enum("unit", unit, lang),
                     qty(r["book_qty"]), qty(r["counted_qty"]), qty(r["variance_qty"]),
                     price(r["unit_cost"]), money(r["variance_value"]),
                     enum("reason", r["reason"], lang), blank(r["note"])])
    doc.table(columns, rows, totals=["", "", "", "", "", "", "", qty(total_qty), "",
                                     money(gain + loss), "", ""])
    doc.signoff([
        Signer(tr("s.supervisor", lang), people.get(view.submitted_by or "", ""),
               local_date(view.submitted_at)),
        Signer(tr("s.finance", lang), people.get(view.reviewed_by or "", ""),
               local_date(view.reviewed_at)),
        Signer(tr("s.manager", lang), people.get(view.approved_by or "", ""),
               local_date(view.approved_at)),
    ])
    return doc
