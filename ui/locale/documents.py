"""Printed documents: download buttons and their errors."""

MESSAGES = {
    "doc.total": ("Total", "合计"),
    "doc.download_pdf": ("Print (PDF)", "打印（PDF）"),
    "doc.download_grn": ("Print GRN (PDF)", "打印入库单（PDF）"),
    "doc.download_return": ("Print return note (PDF)", "打印退货单（PDF）"),
    "doc.download_slip": ("Print issue slip (PDF)", "打印出库单（PDF）"),
    "doc.download_sheet": ("Print count sheet, 2 copies (PDF)", "打印盘点表 一式二份（PDF）"),
    "doc.download_variance": ("Print variance report (PDF)", "打印盘点差异表（PDF）"),
    "doc.download_monthly": ("Print monthly summary (PDF)", "打印进销存月报（PDF）"),
    "error.count_sheet_number": (
        "Count sheet \"{value}\": give the stocktake number and the zone as ST-…/zone.",
        "盘点表“{value}”：请按“盘点单号/区域”填写。"),
    "field.number": ("Number", "编号"),
}
