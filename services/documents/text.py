"""Words and number formats of printed documents, in English and 简体中文.

Services do not use the UI's catalogues (ui/locale), so printed documents carry their
own: ``LABELS = {key: (english, chinese)}``. Enum values are looked up as
``<group>.<value>`` (``flag.SHORT``, ``reason.damage``, ``unit.pcs``…); an unknown
value prints as it is rather than failing the whole document.
"""
from __future__ import annotations

import string
from datetime import date, datetime
from decimal import Decimal

from services import clock

LANGUAGES = ("en", "zh")

LABELS: dict[str, tuple[str, str]] = {
    # page furniture
    "doc.number": ("No. {number}", "编号：{number}"),
    "doc.page_of": ("Page {page} of {total}", "第 {page} / {total} 页"),
    "doc.printed_at": ("Printed {at}", "打印时间 {at}"),
    "doc.total": ("Total", "合计"),
    "doc.signature": ("Signature", "签名"),
    "doc.date": ("Date", "日期"),
    "doc.copy": ("Copy {n} of {total}", "第{n}联（一式{total}份）"),
    # document titles
    "title.grn": ("Goods received note", "入库验收单"),
    "title.supplier_return": ("Return to supplier note", "退货单"),
    "title.issue": ("Issue slip", "出库单"),
    "title.count_sheet": ("Stocktake count sheet", "盘点表"),
    "title.variance": ("Stocktake variance report", "盘点差异表"),
    "title.monthly_summary": ("Monthly stock summary", "进销存月报"),
    # header fields
    "f.po": ("Purchase order", "采购订单"),
    "f.supplier": ("Supplier", "供应商"),
    "f.delivery_note": ("Delivery note", "送货单号"),
    "f.arrived_at": ("Arrived", "到货时间"),
    "f.posted_at": ("Posted", "入库时间"),
    "f.status": ("Status", "状态"),
    "f.returns": ("Return notes", "退货单"),
    "f.receipt": ("Receipt (GRN)", "入库单"),
    "f.hold_location": ("Waiting in", "暂存库位"),
    "f.created_at": ("Created", "开单时间"),
    "f.confirmed_at": ("Returned", "退回时间"),
    "f.purpose": ("Purpose", "用途"),
    "f.reference": ("Reference", "单据参考"),
    "f.requested_by": ("Requested by", "领用人"),
    "f.issued_at": ("Issued", "出库时间"),
    "f.old_part_tags": ("Old parts", "旧件"),
    "f.stocktake": ("Stocktake", "盘点单"),
    "f.period": ("Period", "期间"),
    "f.warehouse": ("Warehouse", "仓库"),
    "f.zone": ("Zone", "区域"),
    "f.lines": ("Lines", "行数"),
    "f.counted_on": ("Counted on", "盘点日期"),
    "f.gain": ("Gain", "盘盈"),
    "f.loss": ("Loss", "盘亏"),
    "f.net": ("Net", "净差额"),
    "f.items": ("Items", "品项数"),
    "f.month_status": ("Month", "月份状态"),
    "count.blind_note": (
        "Blind count: write what is on the shelf; book quantities are not shown. "
        "Cross out empty lines; add items found that are not listed.",
        "盲盘：按实物填写数量，不显示账面数；空行划掉，表外发现的物料请补记在下方。"),
    "issue.partial": ("Partly issued: not everything requested was in stock.",
                      "部分出库：所领物料库存不足。"),
    "month.closed": ("Closed", "已结账"),
    "month.open": ("Open (figures can still change)", "未结账（数字仍可能变化）"),
    # columns
    "c.line": ("#", "序号"),
    "c.sku": ("SKU", "配件编码"),
    "c.name": ("Name", "名称"),
    "c.spec": ("Spec", "规格"),
    "c.unit": ("Unit", "单位"),
    "c.note_qty": ("Note qty", "送货数"),
    "c.counted_qty": ("Counted", "实收数"),
    "c.damaged_qty": ("Damaged", "破损数"),
    "c.accepted_qty": ("Accepted", "合格入库"),
    "c.rejected_qty": ("Rejected", "拒收数"),
    "c.unit_price": ("Unit price", "单价"),
    "c.amount": ("Amount", "金额"),
    "c.lot_no": ("Lot", "批号"),
    "c.expiry_date": ("Expiry", "有效期"),
    "c.location": ("Bin", "库位"),
    "c.flags": ("Remarks", "异常说明"),
    "c.qty": ("Qty", "数量"),
    "c.reason": ("Reason", "原因"),
    "c.received_at": ("Received", "入库日期"),
    "c.unit_cost": ("Unit cost", "单位成本"),
    "c.value": ("Value", "金额"),
    "c.counted": ("Counted qty", "实盘数量"),
    "c.counter": ("Counted by (sign)", "盘点人签名"),
    "c.remark": ("Remark", "备注"),
    "c.book_qty": ("Book", "账面数"),
    "c.variance_qty": ("Variance", "差异数"),
    "c.variance_value": ("Variance value", "差异金额"),
    "c.note": ("Note", "说明"),
    "c.opening_qty": ("Opening qty", "期初数量"),
    "c.opening_value": ("Opening value", "期初金额"),
    "c.in_qty": ("In qty", "入库数量"),
    "c.in_value": ("In value", "入库金额"),
    "c.out_qty": ("Out qty", "出库数量"),
    "c.out_value": ("Out value", "出库金额"),
    "c.adjust_qty": ("Adjust qty", "调整数量"),
    "c.adjust_value": ("Adjust value", "调整金额"),
    "c.closing_qty": ("Closing qty", "期末数量"),
    "c.closing_value": ("Closing value", "期末金额"),
    "grn.discrepancies": ("Discrepancies and how they were settled", "异常及处理"),
    "grn.outcome": ("Outcome", "处理结果"),
    "outcome.outstanding": ("Stays outstanding on the PO", "订单未交部分"),
    "outcome.noted": ("Noted", "已记录"),
    "outcome.rejected": ("Rejected, returned", "拒收退回"),
    "outcome.approved": ("Approved", "已批准"),
    # sign-off roles
    "s.received": ("Received by", "收货人"),
    "s.checked": ("Checked by (keeper)", "验收人（保管员）"),
    "s.approved": ("Approved by", "批准人"),
    "s.prepared": ("Prepared by", "制表人"),
    "s.reviewed": ("Reviewed by", "审核人"),
    "s.returned_by": ("Handed over by", "退货经办人"),
    "s.supplier": ("Supplier's signature", "供应商签收"),
    "s.issued_by": ("Issued by", "发料人"),
    "s.requested_by": ("Received by (requester)", "领料人"),
    "s.counter": ("Counted by", "盘点人"),
    "s.second_counter": ("Checked by (second counter)", "复核人"),
    "s.supervisor": ("Supervisor", "仓库主管"),
    "s.finance": ("Finance", "财务"),
    "s.manager": ("General manager", "总经理"),
    # enums: receipt line flags
    "flag.NOT_ON_PO": ("Not on PO", "订单外"),
    "flag.OVER_PO": ("Over PO", "超订单"),
    "flag.PRICE_MISMATCH": ("Price differs", "价格不符"),
    "flag.SHORT": ("Short", "短少"),
    "flag.OVER_COUNT": ("Over count", "多送"),
    "flag.DAMAGED": ("Damaged", "破损"),
    "flag.NEAR_EXPIRY": ("Near expiry", "临近效期"),
    "flag.EXPIRED": ("Expired", "已过期"),
    "flag.NO_LOT": ("No lot", "缺批号"),
    "flag.NO_EXPIRY": ("No expiry", "缺效期"),
    "flag.NO_CERTIFICATE": ("No certificate", "缺合格证"),
    "flag.NOT_COUNTED": ("Not counted", "未点数"),
    "flag.UNKNOWN_UNIT": ("Unknown unit", "单位不明"),
    # rejection reasons on a return to supplier
    "reject.damaged": ("Damaged", "破损"),
    "reject.expired": ("Expired", "过期"),
    "reject.not_on_po": ("Not on PO", "订单外"),
    "reject.over_po": ("Over PO", "超订单"),
    "reject.near_expiry": ("Near expiry", "临近效期"),
    "reject.qc_failed": ("QC failed", "质检不合格"),
    # statuses
    "rcv_status.open": ("Checking", "验收中"),
    "rcv_status.posted": ("Posted", "已入库"),
    "rcv_status.cancelled": ("Cancelled", "已作废"),
    "rts_status.open": ("Waiting in hold", "暂放待退"),
    "rts_status.confirmed": ("Returned", "已退回"),
    "rts_source.receiving": ("Rejected at receiving", "验收拒收"),
    "rts_source.qc": ("Failed QC", "质检不合格"),
    "st_status.open": ("Counting", "盘点中"),
    "st_status.submitted": ("Submitted", "已提交"),
    "st_status.reviewed": ("Reviewed by finance", "财务已审核"),
    "st_status.approved": ("Approved", "已批准"),
    "st_status.posted": ("Posted", "已过账"),
    "st_status.cancelled": ("Cancelled", "已取消"),
    # issue purposes
    "purpose.workshop": ("Workshop job card", "维修派工单"),
    "purpose.sale": ("Sale", "销售"),
    "purpose.internal": ("Internal use", "内部领用"),
    "purpose.scrap": ("Scrap", "报废"),
    "purpose.supplier_return": ("Return to supplier", "采购退货"),
    # variance reasons
    "reason.counting_error": ("Counting error", "盘点差错"),
    "reason.receiving_error": ("Receiving error", "收货差错"),
    "reason.issuing_error": ("Issuing error", "发料差错"),
    "reason.damage": ("Damage", "损坏"),
    "reason.theft_loss": ("Theft / loss", "被盗 / 丢失"),
    "reason.expired": ("Expired", "过期"),
    "reason.unrecorded_return": ("Unrecorded return", "未登记退库"),
    "reason.other": ("Other", "其他"),
    # stock units
    "unit.pcs": ("pcs", "件"),
    "unit.set": ("set", "套"),
    "unit.bottle": ("bottle", "瓶"),
    "unit.box": ("box", "盒"),
    "unit.bag": ("bag", "袋"),
    "unit.can": ("can", "罐"),
    "unit.pair": ("pair", "副"),
    "unit.kg": ("kg", "千克"),
    "unit.l": ("L", "升"),
    "unit.m": ("m", "米"),
    "unit.roll": ("roll", "卷"),
    "unit.carton": ("carton", "箱"),
}


class _SafeParams(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def tr(key: str, language: str = "zh", **params) -> str:
    """The text of ``key`` in ``language`` ("en" or "zh"); the key itself if unknown."""
    pair = LABELS.get(key)
    if pair is None:
        return key
    text = pair[1 if language == "zh" else 0]
    return string.Formatter().vformat(text, (), _SafeParams(params)) if params else text


def enum(group: str, value, language: str) -> str:
    """A stored code in words (``enum("flag", "SHORT", "zh")`` -> 短少); unknown codes
    print as they are."""
    if blank(value) == "":
        return ""
    key = f"{group}.{value}"
    return tr(key, language) if key in LABELS else str(value)


def blank(value) -> str:
    """Text of a cell: None and NaN are empty, never "None" or "nan"."""
    if value is None:
        return ""
    try:
        if value != value:
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def qty(value) -> str:
    """A quantity without trailing zeros: 8, 1.5, -2 (never 8.000)."""
    if value is None:
        return ""
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if number != number:
        return ""
    text = f"{number.normalize():,f}"
    return "0" if text in ("-0", "0") else text


def money(value, places: int = 2) -> str:
    """Money with ``places`` decimals and thousands separators: 4,160.00."""
    if value is None:
        return ""
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if number != number:
        return ""
    return f"{number.quantize(Decimal(1).scaleb(-places)):,}"


def price(value) -> str:
    """A unit price or cost: two decimals, more only when the cost has them (12.3456)."""
    if value is None:
        return ""
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if number != number:
        return ""
    exponent = number.normalize().as_tuple().exponent
    places = min(4, max(2, -exponent if isinstance(exponent, int) else 2))
    return money(number, places)


def local_time(moment: datetime | None) -> str:
    """A stored UTC time in the warehouse's zone, without an offset."""
    return clock.to_local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def local_date(moment: datetime | date | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        return clock.to_local(moment).strftime("%Y-%m-%d")
    return moment.isoformat()
