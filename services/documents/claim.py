"""The claim pack (索赔资料): what purchasing sends to the supplier — the GRN lines
concerned with quantities and values, the photos, the return note, the timeline and
the sign-off block. One claim (``CLM-…``) or every claim of a supplier in a month
(``SUP1/2026-11``); PDF here, the same content as Excel in ``claim_pack_excel``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from db import Database
from services import attachments, claims, clock, receiving
from services.documents.layout import Column, PdfDocument, Signer
from services.documents.lookup import display_names
from services.documents.registry import register
from services.documents.text import LABELS, enum, local_date, local_time, money, price, qty, tr
from services.errors import ValidationError
from services.export import Sheet, workbook_bytes

ZERO = Decimal(0)
PHOTO_WIDTH_MM = 85

LABELS.update({
    "title.claim": ("Supplier claim", "供应商索赔单"),
    "title.claim_month": ("Supplier claims {supplier} {period}", "供应商索赔汇总 {supplier} {period}"),
    "claim.kind": ("Claim", "索赔类型"),
    "claim.due_at": ("Due", "处理时限"),
    "claim.owner": ("Owner", "负责人"),
    "claim.refusal": ("Refused delivery", "拒收记录"),
    "claim.credit": ("Credit note amount", "红字金额"),
    "claim.value": ("Claim value", "索赔金额"),
    "claim.raised": ("Raised", "提出时间"),
    "claim.lines": ("Goods concerned", "涉及货物"),
    "claim.photos": ("Photos", "照片"),
    "claim.return": ("Return note {number}", "退货单 {number}"),
    "claim.timeline": ("Timeline", "处理记录"),
    "claim.refused_reason": ("Reason for refusal", "拒收原因"),
    "claim.packages": ("Packages", "包裹"),
    "claim.whole": ("The whole delivery", "整批"),
    "claim.driver": ("Driver", "司机"),
    "claim.summary": ("Claims", "索赔清单"),
    "claim.none": ("No claims.", "无索赔。"),
    "claim.photo_caption": ("{document} line {line} · {who} · {when}",
                            "{document} 第 {line} 行 · {who} · {when}"),
    "c.claim": ("Claim", "索赔单"),
    "c.claim_qty": ("Claim qty", "索赔数量"),
    "c.when": ("When", "时间"),
    "c.who": ("Who", "操作人"),
    "c.change": ("Change", "变更"),
    "s.purchasing": ("Purchasing", "采购经办"),
    "s.supplier_ack": ("Supplier's acknowledgement", "供应商确认"),
    **{f"claim_kind.{k}": v for k, v in {
        "short": ("Short", "短少"), "damaged": ("Damaged", "破损"),
        "over": ("Over-delivered", "多送"), "wrong_item": ("Wrong item", "错货"),
        "price": ("Price difference", "价格不符"), "near_expiry": ("Near expiry", "邻近效期"),
        "expired": ("Expired", "过期"), "qc_failed": ("QC failed", "质检不合格"),
        "refused": ("Refused delivery", "拒收")}.items()},
    **{f"claim_status.{k}": v for k, v in {
        "open": ("Open", "待处理"), "with_supplier": ("With supplier", "供应商处理中"),
        "credited": ("Credited", "已开红字"), "replaced": ("Replaced", "已补货"),
        "returned": ("Returned", "已退货"), "written_off": ("Written off", "已核销"),
        "closed": ("Closed", "已结案")}.items()},
})


@dataclass
class _Pack:
    claim: claims.ClaimView
    receipt_line: object | None = None
    refusal: dict | None = None
    return_doc: object | None = None
    photos: list = field(default_factory=list)


def _gather(db: Database, view: claims.ClaimView) -> _Pack:
    pack = _Pack(claim=view, photos=view.photos)
    if view.receipt:
        grn = receiving.get_receipt(db, view.receipt)
        pack.receipt_line = next((ln for ln in grn.lines
                                  if ln.line_no == view.lines[0].line_no), None) \
            if view.lines else None
    if view.refusal:
        from services.receiving import list_refusals

        pack.refusal = next((r for r in list_refusals(db, supplier=view.supplier)
                             if r["number"] == view.refusal), None)
    if view.return_number:
        pack.return_doc = receiving.get_supplier_return(db, view.return_number)
    return pack


def _split(number: str) -> tuple[str, str] | None:
    """("SUP1", "2026-11") for a supplier-month pack, None for one claim."""
    if "/" not in number:
        return None
    supplier, period = (part.strip() for part in number.split("/", 1))
    try:
        datetime.strptime(period, "%Y-%m")
    except ValueError:
        raise ValidationError("invalid", field="number", value=number[:40]) from None
    return supplier.upper(), period


def _month_claims(db: Database, supplier: str, period: str) -> list[claims.ClaimView]:
    start, end = _month_bounds(period)
    frame = claims.list_claims(db, supplier=supplier, start=start, end=end)
    return [claims.get_claim(db, number) for number in reversed(list(frame["number"]))]


def _month_bounds(period: str) -> tuple[datetime, datetime]:
    year, month = (int(p) for p in period.split("-"))
    zone = clock.local_zone()
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return start, end


# --- PDF -------------------------------------------------------------------------------
@register("claim")
def claim_pdf(db: Database, number: str, lang: str) -> PdfDocument:
    month = _split(number)
    if month is None:
        view = claims.get_claim(db, number)
        doc = PdfDocument(title=tr("title.claim", lang), number=view.number, language=lang)
        _claim_section(doc, db, _gather(db, view), lang)
        _signoff(doc, db, [view], lang)
        return doc
    supplier, period = month
    views = _month_claims(db, supplier, period)
    doc = PdfDocument(title=tr("title.claim_month", lang, supplier=supplier, period=period),
                      number=number, language=lang)
    doc.heading(tr("claim.summary", lang))
    if not views:
        doc.note(tr("claim.none", lang))
    doc.table(_summary_columns(lang), [_summary_row(v, lang) for v in views],
              totals=["", "", "", "", "", money(sum((v.value for v in views), ZERO)),
                      money(sum((v.credit_amount or ZERO for v in views), ZERO))])
    for view in views:
        doc.heading(f"{view.number} · {enum('claim_kind', view.kind, lang)}")
        _claim_section(doc, db, _gather(db, view), lang)
    _signoff(doc, db, views, lang)
    return doc


def _summary_columns(lang: str) -> list[Column]:
    return [Column(tr("c.claim", lang), 1.6), Column(tr("claim.kind", lang), 1.2),
            Column(tr("f.status", lang), 1.2), Column(tr("f.receipt", lang), 1.6),
            Column(tr("c.sku", lang), 1.3), Column(tr("claim.value", lang), 1, "R"),
            Column(tr("claim.credit", lang), 1, "R")]


def _summary_row(view: claims.ClaimView, lang: str) -> list:
    return [view.number, enum("claim_kind", view.kind, lang),
            enum("claim_status", view.status, lang), view.receipt or view.refusal,
            view.lines[0].sku if view.lines else "", money(view.value),
            money(view.credit_amount)]


def _claim_section(doc: PdfDocument, db: Database, pack: _Pack, lang: str) -> None:
    view = pack.claim
    doc.fields([
        (tr("f.supplier", lang), f"{view.supplier} {view.supplier_name}"),
        (tr("claim.kind", lang), enum("claim_kind", view.kind, lang)),
        (tr("f.po", lang), view.po_number),
        (tr("f.receipt", lang), view.receipt),
        (tr("f.delivery_note", lang), view.delivery_note_no),
        (tr("f.status", lang), enum("claim_status", view.status, lang)),
        (tr("claim.raised", lang), local_time(view.raised_at)),
        (tr("claim.due_at", lang), local_time(view.due_at)),
        (tr("claim.owner", lang), view.owner),
        (tr("claim.value", lang), money(view.value)),
        (tr("claim.credit", lang), money(view.credit_amount)),
        (tr("claim.refusal", lang), view.refusal),
    ])
    if pack.refusal is not None:
        refusal = pack.refusal
        doc.fields([(tr("claim.refused_reason", lang), refusal["reason"]),
                    (tr("claim.packages", lang), refusal["packages"] or tr("claim.whole", lang)),
                    (tr("claim.driver", lang), refusal["driver_name"])], per_row=1)
    if view.lines:
        doc.heading(tr("claim.lines", lang))
        doc.table(_line_columns(lang), [_line_row(view, pack.receipt_line)],
                  totals=["", "", "", "", "", "", "", "", money(view.value)])
    if pack.return_doc is not None:
        _return_table(doc, pack.return_doc, lang)
    _timeline(doc, view, lang)
    if pack.photos:
        doc.heading(tr("claim.photos", lang))
        for photo in pack.photos:
            doc.image(attachments.get_photo(db, photo.id), width_mm=PHOTO_WIDTH_MM,
                      caption=tr("claim.photo_caption", lang, document=photo.document,
                                 line=photo.line_no or "—", who=photo.uploaded_by,
                                 when=local_time(photo.uploaded_at)))


def _line_columns(lang: str) -> list[Column]:
    def c(key, width=1.0, align="R"):
        return Column(tr(key, lang), width, align)
    return [c("c.line", 0.5, "C"), c("c.sku", 1.4, "L"), c("c.name", 2.2, "L"),
            c("c.note_qty"), c("c.counted_qty"), c("c.damaged_qty"), c("c.claim_qty"),
            c("c.unit_price"), c("c.amount", 1.1)]


def _line_row(view: claims.ClaimView, grn_line) -> list:
    line = view.lines[0]
    return [line.line_no or "", line.sku, line.name,
            qty(grn_line.note_qty) if grn_line is not None else "",
            qty(grn_line.counted_qty) if grn_line is not None else "",
            qty(grn_line.damaged_qty) if grn_line is not None else "",
            qty(line.qty), price(line.unit_price), money(line.value)]


def _return_table(doc: PdfDocument, rts, lang: str) -> None:
    doc.heading(tr("claim.return", lang, number=rts.number))
    columns = [Column(tr("c.line", lang), 0.5, "C"), Column(tr("c.sku", lang), 1.5),
               Column(tr("c.name", lang), 2.4), Column(tr("c.qty", lang), 0.9, "R"),
               Column(tr("c.unit_price", lang), 1, "R"), Column(tr("c.amount", lang), 1.1, "R"),
               Column(tr("c.reason", lang), 1.2)]
    rows = [[line["receipt_line_no"], line["sku"], line["name"], qty(line["qty"]),
             price(line["unit_price"]), money(line["amount"]),
             enum("reject", line["reason"], lang)] for line in rts.lines]
    doc.table(columns, rows, totals=["", "", "", "", "", money(rts.total), ""])


def _timeline(doc: PdfDocument, view: claims.ClaimView, lang: str) -> None:
    doc.heading(tr("claim.timeline", lang))
    columns = [Column(tr("c.when", lang), 1.3), Column(tr("c.who", lang), 1),
               Column(tr("c.change", lang), 1.8), Column(tr("c.note", lang), 2.6),
               Column(tr("claim.credit", lang), 1, "R")]
    doc.table(columns, [_event_row(e, lang) for e in view.events])


def _event_row(event, lang: str) -> list:
    change = enum("claim_status", event.to_status, lang)
    if event.from_status:
        change = f"{enum('claim_status', event.from_status, lang)} → {change}"
    note = event.note
    if event.approved_by:
        note = f"{note} ({tr('s.approved', lang)}: {event.approved_by})".strip()
    return [local_time(event.at), event.actor, change, note, money(event.credit_amount)]


def _signoff(doc: PdfDocument, db: Database, views, lang: str) -> None:
    owners = sorted({v.owner for v in views if v.owner != claims.DEFAULT_OWNER})
    people = display_names(db, owners)
    doc.signoff([
        Signer(tr("s.purchasing", lang), "、".join(people.get(o, o) for o in owners),
               local_date(clock.now())),
        Signer(tr("s.manager", lang)),
        Signer(tr("s.supplier_ack", lang)),
    ])


# --- Excel ------------------------------------------------------------------------------
def claim_pack_excel(db: Database, number: str, language: str = "zh") -> bytes:
    """The same pack as a workbook: a sheet per claim (lines, return note, timeline),
    photos listed by document and time (the PDF carries the pictures)."""
    month = _split(str(number).strip())
    if month is None:
        views = [claims.get_claim(db, str(number).strip().upper())]
        title = tr("title.claim", language)
    else:
        views = _month_claims(db, *month)
        title = tr("title.claim_month", language, supplier=month[0], period=month[1])
    lang = language
    sheets = [Sheet(title=tr("claim.summary", lang), heading=title,
                    headers=[c.label for c in _summary_columns(lang)],
                    rows=[[v.number, enum("claim_kind", v.kind, lang),
                           enum("claim_status", v.status, lang), v.receipt or v.refusal,
                           v.lines[0].sku if v.lines else "", v.value, v.credit_amount]
                          for v in views],
                    signoff=[tr("s.purchasing", lang), tr("s.manager", lang),
                             tr("s.supplier_ack", lang), tr("doc.date", lang)])]
    for view in views:
        sheets.append(_claim_sheet(db, _gather(db, view), lang))
    return workbook_bytes(sheets)


def _claim_sheet(db: Database, pack: _Pack, lang: str) -> Sheet:
    view = pack.claim
    rows: list[list] = []
    if view.lines:
        grn = pack.receipt_line
        line = view.lines[0]
        rows.append([tr("claim.lines", lang)])
        rows.append([c.label for c in _line_columns(lang)])
        rows.append([line.line_no or "", line.sku, line.name,
                     grn.note_qty if grn is not None else None,
                     grn.counted_qty if grn is not None else None,
                     grn.damaged_qty if grn is not None else None,
                     line.qty, line.unit_price, line.value])
    if pack.refusal is not None:
        rows.append([tr("claim.refused_reason", lang), pack.refusal["reason"]])
        rows.append([tr("claim.packages", lang),
                     pack.refusal["packages"] or tr("claim.whole", lang)])
        rows.append([tr("claim.driver", lang), pack.refusal["driver_name"]])
    if pack.return_doc is not None:
        rows.append([tr("claim.return", lang, number=pack.return_doc.number)])
        rows += [[r["receipt_line_no"], r["sku"], r["name"], r["qty"], r["unit_price"],
                  r["amount"], enum("reject", r["reason"], lang)] for r in pack.return_doc.lines]
    rows.append([tr("claim.timeline", lang)])
    rows += [_event_row(e, lang) for e in view.events]
    if pack.photos:
        rows.append([tr("claim.photos", lang)])
        rows += [[p.document, p.line_no or "", p.uploaded_by, local_time(p.uploaded_at),
                  p.filename] for p in pack.photos]
    fields = [
        [tr("f.supplier", lang), f"{view.supplier} {view.supplier_name}"],
        [tr("claim.kind", lang), enum("claim_kind", view.kind, lang)],
        [tr("f.status", lang), enum("claim_status", view.status, lang)],
        [tr("f.po", lang), view.po_number], [tr("f.receipt", lang), view.receipt],
        [tr("f.delivery_note", lang), view.delivery_note_no],
        [tr("claim.raised", lang), local_time(view.raised_at)],
        [tr("claim.due_at", lang), local_time(view.due_at)],
        [tr("claim.value", lang), view.value], [tr("claim.credit", lang), view.credit_amount],
    ]
    body = fields + [[]] + rows
    width = max(len(row) for row in body)
    return Sheet(title=view.number, heading=f"{tr('title.claim', lang)} {view.number}",
                 headers=[""] * width, rows=[row + [None] * (width - len(row)) for row in body],
                 signoff=[tr("s.purchasing", lang), tr("s.manager", lang),
                          tr("s.supplier_ack", lang), tr("doc.date", lang)])
