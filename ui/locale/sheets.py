"""Reading supplier sheets: formats, budgets, what the reader found, saved mappings."""
MESSAGES = {
    # --- errors ---------------------------------------------------------------------
    "error.upload_over_budget": (
        "The file was refused: it is over the {limit} limit ({actual} found, at most {allowed}).",
        "文件已拒绝：超出“{limit}”上限（实际 {actual}，上限 {allowed}）。"),
    "limit.shared_strings_bytes": ("shared text", "共享文本"),
    "limit.sheet_part_bytes": ("sheet size", "工作表大小"),
    "limit.total_unpacked_bytes": ("unpacked size", "解压后大小"),
    "limit.cells": ("cells", "单元格数"),
    "limit.columns": ("columns", "列数"),
    "limit.rows": ("rows", "行数"),
    "limit.seconds": ("reading time", "读取时间"),
    "error.sheet_mismatch": (
        "This sheet is for {sheet_value}, but the chosen PO is {po_value}. Choose the right "
        "PO, or give a reason to receive it anyway.",
        "此送货单对应 {sheet_value}，但所选采购订单为 {po_value}。请选择正确的订单，或填写原因后继续收货。"),
    "error.override_reason_required": ("Give a reason for receiving a sheet that does not match "
                                       "the PO.", "收货单据与采购订单不符时，必须填写原因。"),
    "error.mapping_field_twice": ("{field} is assigned to two columns.", "{field} 被分配给了两列。"),
    "error.mapping_needs_item_and_qty": ("Assign a quantity column and an item code or name "
                                         "column.", "请指定数量列，以及编码或品名列。"),
    "error.price_basis_unknown": ("Unknown price basis {value}.", "未知的价格口径 {value}。"),
    # --- fields -----------------------------------------------------------------------
    "field.remark": ("Remark", "备注"),
    "field.ordered_qty": ("Ordered qty (应发)", "应发数量"),
    "field.price_incl_tax": ("Price incl. tax", "含税单价"),
    "field.price_excl_tax": ("Price excl. tax", "未税单价"),
    "field.tax_rate": ("Tax rate", "税率"),
    "field.amount_incl_tax": ("Amount incl. tax", "价税合计"),
    "field.amount_excl_tax": ("Amount excl. tax", "未税金额"),
    "field.tax_amount": ("Tax amount", "税额"),
    "field.name_spec": ("Name and spec", "品名规格"),
    "field.barcode": ("Barcode", "条码"),
    "field.production_date": ("Production date", "生产日期"),
    "field.ignore": ("(not used)", "（不使用）"),
    "field.delivery_date": ("Delivery date", "送货日期"),
    "field.override_reason": ("Reason", "原因"),
    "field.price_basis": ("Price compared with the PO", "与订单比较的价格"),
    "field.mapping": ("Column mapping", "列对应关系"),
    # --- receiving screen -------------------------------------------------------------
    "sheets.read_through_mapping": ("Read through the mapping saved for this supplier.",
                                    "已按该供应商保存的列对应关系读取。"),
    "sheets.header_block": ("Note {note_no} · PO {po_number} · delivered {delivery_date} · "
                            "from {supplier_name}", "送货单 {note_no} · 订单 {po_number} · "
                            "送货日期 {delivery_date} · 供应商 {supplier_name}"),
    "sheets.po_from_sheet": ("The sheet names PO {number}: it is preselected.",
                             "送货单上的订单号为 {number}，已自动选中。"),
    "sheets.two_pos": ("This sheet delivers against {count} POs ({numbers}): one receipt is "
                       "started per PO; choose the PO to receive now.",
                       "此送货单涉及 {count} 个采购订单（{numbers}）：每个订单各建一张入库单，请选择现在收货的订单。"),
    "sheets.mismatch_title": ("The sheet does not match the chosen PO", "送货单与所选采购订单不符"),
    "sheets.override": ("Receive anyway (reason kept on the receipt)", "仍然收货（原因记录在入库单上）"),
    "sheets.remark_damage": ("Remark mentions damage or shortage: check this line.",
                             "备注提到破损或短少：请核对此行。"),
    "sheets.qty_differs": ("Shipped {qty} differs from ordered {ordered}.",
                           "实发 {qty} 与应发 {ordered} 不同。"),
    "sheets.teach": ("A column is missing or read wrongly? Map the columns",
                     "有列未识别或读错？设置列对应关系"),
    "sheets.teach_help": ("Choose what each column holds; the preview below shows the first "
                          "lines as they will be read. Saved for this supplier and used "
                          "automatically next time.",
                          "为每一列选择内容；下方预览显示将读取的前几行。保存后对该供应商自动生效。"),
    "sheets.column_label": ("Column {letter}: {header}", "第 {letter} 列：{header}"),
    "sheets.preview": ("Preview", "预览"),
    "sheets.save_mapping": ("Save mapping for {supplier}", "为 {supplier} 保存列对应关系"),
    "sheets.mapping_saved": ("Mapping saved: sheets like this one from {supplier} are read with "
                             "it from now on.", "已保存：今后 {supplier} 的同类送货单将按此读取。"),
    "sheets.saved_mappings": ("Saved sheet mappings", "已保存的送货单列对应关系"),
    "sheets.no_saved_mappings": ("No saved mappings yet.", "尚无已保存的列对应关系。"),
    "sheets.delete_mapping": ("Delete", "删除"),
    "sheets.mapping_deleted": ("Mapping deleted.", "已删除列对应关系。"),
    "sheets.price_basis.incl_tax": ("Price incl. tax (含税)", "含税单价"),
    "sheets.price_basis.excl_tax": ("Price excl. tax (未税)", "未税单价"),
    "sheets.save_price_basis": ("Save price basis", "保存价格口径"),
    "sheets.hints": ("Hints", "提示"),
    "sheets.col.headers": ("Headers", "表头"),
    "sheets.col.updated": ("Saved", "保存时间"),
    "sheets.col.by": ("By", "保存人"),
    "success.mapping_saved": ("Mapping saved.", "列对应关系已保存。"),
    "success.mapping_deleted": ("Mapping deleted.", "列对应关系已删除。"),
    "success.price_basis_saved": ("Price basis saved.", "价格口径已保存。"),
}
