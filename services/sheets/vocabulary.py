"""The words suppliers print on their sheets, in one table.

Headers are compared after ``norm`` (lower case, no spaces, punctuation or bracketed
units, Traditional characters folded to Simplified: "數量(件)" -> "数量", "Qty (pcs)" ->
"qty"; a tax word in brackets stays: "单价(含税)" -> "单价含税"). A header is recognised
by, in order: an exact synonym below (its position in the tuple is its strength:
earlier wins when two columns claim one field), then the RULES (a header ending in 数量
is a quantity, 含税单价 is the tax-inclusive price, ...); a bilingual header
("规格\nSpecification") is also looked up one language at a time. Teaching a new word
is one line here, never code.
"""
from __future__ import annotations

import re

# Fields of a delivery line. Some only steer the reading and never reach the line
# (ordered_qty is shown as the difference from 实发; ignore swallows columns that must
# not be mistaken for another field).
LINE_FIELDS = ("line_no", "sku", "name", "spec", "name_spec", "qty", "ordered_qty", "unit",
               "unit_price", "price_incl_tax", "price_excl_tax", "tax_rate", "amount",
               "amount_incl_tax", "amount_excl_tax", "tax_amount", "lot_no", "expiry_date",
               "lot_expiry", "production_date", "po_number", "remark", "barcode", "ignore")

HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "line_no": ("序号", "行号", "项次", "no", "lineno", "line", "#", "sn", "seq", "pos", "sr",
                "srno", "编号"),
    "sku": ("配件编码", "物料编码", "商品编码", "存货编码", "产品编码", "零件编码",
            # the brand's part number is what was ordered; the OE number beside it
            # (原厂零件号) is only a cross-reference
            "品牌零件号", "品牌编号", "品牌件号", "品牌编码", "编码", "配件号",
            "零件号", "零件编号", "物料编号", "商品编号", "产品编号", "存货编号", "单品货号", "货号",
            "料号",
            "sku编码", "sku", "oe号", "oe编号", "原厂编号", "原厂号", "图号", "代码", "商品代码",
            "物料代码", "存货代码", "itemcode", "partno", "partnumber", "productcode",
            "materialcode", "partcode", "articleno", "articlenumber", "article", "code",
            "itemno", "internalreference", "reference", "ref", "model", "modelno",
            "oenumber", "oeno", "stockcode", "productno", "catalogno", "catno", "material",
            "materialno", "materialnumber", "货品编码", "货品编号", "品号", "原厂零件号",
            "原厂件号", "itemnumber", "ordereditem", "itemnumberordered", "artnr",
            "artikelnummer", "artikelnr", "artikel", "teilenummer",
            # Korean and Taiwanese makers' packing lists: 'P/N', 'PART NUM.'
            "pn", "partnum", "partnos"),
    "barcode": ("条码", "条形码", "商品条码", "国际条码", "barcode", "ean", "ean13", "upc",
                "gtin"),
    "name": ("配件名称", "商品名称", "物料名称", "货品名称", "产品名称", "零件名称", "存货名称",
             "品名", "名称", "产品名", "商品名", "产品", "商品", "货品", "配件", "物料", "品目",
             "description", "itemdescription", "productdescription", "name", "itemname",
             "partname", "productname", "goods", "descriptionofgoods", "commodity",
             "designation", "product", "商品全名", "全名", "item", "items", "货品标题", "商品标题",
             "宝贝标题", "产品标题", "descriptions", "bezeichnung", "artikelbezeichnung", "desc",
             "descr"),
    "spec": ("规格型号", "型号规格", "规格", "型号", "规格参数", "规格名称", "颜色及规格", "颜色规格",
             "商品规格", "规格属性", "适用车型", "车型", "spec", "specification", "specifications",
             "size", "variant", "specmodel"),
    "name_spec": ("品名规格", "品名及规格", "名称规格", "名称及规格", "名称/规格", "货品名称规格",
                  "商品名称规格", "品名/规格", "descriptionspec", "namespec"),
    "qty": ("实发数量", "实发", "实送数量", "实送", "实发数", "本次发货", "本次送货数量",
            "送货数量", "发货数量", "出库数量", "交货数量", "出货数量", "发货件数", "件数", "总数量",
            "数量合计", "合计数量", "数量总计", "数量",
            "实收数量", "qtydelivered", "deliveredqty", "delivered", "shippedqty", "qtyshipped",
            "shipped", "deliveryqty", "totalqty", "ttlqty", "totalpcs", "ttlpcs",
            "totalquantity", "totalpieces", "qty", "quantity", "pcs", "done",
            "quantitydone", "qtydone", "quantitydelivered", "quantityshipped", "qtydespatched",
            "quantitydespatched", "despatched", "qtydispatched", "dispatchedqty", "qtysupplied",
            "发货量", "送货量", "出库量", "shippedquantity", "deliveredquantity", "menge",
            "liefermenge"),
    # '数量/单位' over cells such as '6/套': the count and its unit in one cell. A header
    # word only: the column is read as qty (layout._claims), never a field of its own.
    "qty_unit": ("数量单位", "数量及单位", "qtyunit", "qtyuom", "quantityunit"),
    "ordered_qty": ("应发数量", "应发", "应送数量", "应送", "订单数量", "订购数量", "订货数量",
                    "采购数量", "计划数量", "应收数量", "orderedqty", "qtyordered", "ordered",
                    "orderqty", "demand", "qtyordered", "requested", "requestedqty",
                    "requestedquantity", "需求数量"),
    "unit": ("单位", "计量单位", "主计量单位", "单位名称", "unit", "uom", "units", "unitofmeasure", "um",
             "salesunit", "baseunit", "orderunit", "uomname", "uomcode", "unitname", "me",
             "einheit", "mengeneinheit"),
    # the price after a line discount first: it is what is paid and what the PO says
    "unit_price": ("折后单价", "折后价", "优惠后单价", "priceafterdiscount", "discountedprice",
                   "netunitprice", "单价", "价格", "售价", "销售单价", "采购单价", "unitprice",
                   "price", "unitcost", "rate", "priceunit", "netprice", "priceeach", "up",
                   "einzelpreis", "preis", "stückpreis"),
    "price_incl_tax": ("含税单价", "含税价", "含税售价", "单价含税", "priceincltax",
                       "unitpriceincltax", "grossprice", "priceinctax"),
    "price_excl_tax": ("未税单价", "不含税单价", "无税单价", "除税单价", "不含税价", "未税价",
                       "单价不含税", "priceexcltax", "unitpriceexcltax", "priceexvat",
                       "unitpricenet"),
    "tax_rate": ("税率", "增值税率", "税率%", "taxrate", "vatrate", "tax", "vat", "taxes"),
    "amount": ("金额", "总价", "总金额", "小计金额", "货款", "amount", "lineamount",
               "linetotal", "value", "extendedprice", "totalprice", "subtotal", "total",
               "netamount", "extprice", "extendedamount", "amt", "合计", "小计",
               "gesamtpreis", "betrag", "gesamtbetrag"),
    "amount_incl_tax": ("价税合计", "含税金额", "含税总额", "金额含税", "价税合计金额",
                        "amountincltax", "totalincltax", "grossamount", "totalinclvat"),
    "amount_excl_tax": ("未税金额", "不含税金额", "无税金额", "除税金额", "金额不含税",
                        "amountexcltax", "totalexcltax", "amountexvat"),
    "tax_amount": ("税额", "税金", "增值税额", "taxamount", "vatamount"),
    "lot_no": ("批号", "批次", "批次号", "生产批号", "批号/序列号", "lot", "lotno",
               "lotnumber", "batch", "batchno", "batchnumber", "lotserialnumber",
               "serialnumber", "lotsn", "batchlot", "lotbatch", "batchserialnumbers",
               "batchserialnumber", "serialbatchnumbers", "charge", "chargennummer",
               "chargennr", "charge-nr"),
    # '批号/效期' over cells such as 'B2611 / 2028-06': the lot and its expiry in one
    # cell, split by fields.split_lot_expiry
    "lot_expiry": ("批号效期", "批号有效期", "批号及效期", "批号及有效期", "批次效期", "批次有效期",
                   "lotexpiry", "lotexp", "batchexpiry", "batchexp"),
    "expiry_date": ("有效期", "有效期至", "失效日期", "到期日", "到期日期", "效期", "保质期至",
                    "有效日期", "expiry", "expirydate", "exp", "expdate", "bestbefore",
                    "expires", "useby", "expiration", "expirationdate", "bbd", "mhd", "haltbarbis",
                    "verfallsdatum"),
    "production_date": ("生产日期", "制造日期", "productiondate", "mfgdate", "manufacturedate",
                        "mfd", "dateofmanufacture"),
    "po_number": ("订单号", "采购单号", "采购订单号", "订单编号", "采购订单", "采购单", "合同号",
                  "po", "pono", "ponumber", "purchaseorder", "purchaseorderno", "orderno",
                  "ordernumber", "yourref", "yourorder", "custpo", "customerpo", "source",
                  "sourcedocument", "againstpo", "purchaseorderref", "线上单号", "线上订单号",
                  "原始单号", "客户单号", "customerponumber", "customerpono",
                  "customerrequisition", "bestellnummer", "bestellnr", "ihrebestellung"),
    "remark": ("备注", "说明", "备注说明", "附注", "质量情况", "remark", "remarks", "note",
               "notes", "comment", "comments", "memo"),
    "ignore": ("欠货数量", "欠发数量", "未发数量", "缺货数量", "backorder", "backorderqty",
               "outstanding", "outstandingqty", "remainingqty", "pendingqty", "箱号", "箱数",
               "件号", "cartonno", "boxno", "cartons", "ctns", "毛重", "净重", "体积", "grossweight",
               "netweight", "weight", "volume", "cbm", "meas", "gw", "nw", "measurement", "仓库", "库位",
               "warehouse", "location", "折扣", "折扣率", "discount", "折扣额", "签收", "签收数量",
               "实收", "收货数量", "验收数量", "receivedqty", "qtyreceived", "received",
               # a shelf life ("24个月"), not the date it ends (保质期至 is)
               "保质期", "质保期", "shelflife", "卡板号", "托盘号", "产地", "origin",
               # the supplier's own order number (e-commerce exports, the 销售订单号
               # an ERP prints beside our 采购订单号), never our PO
               "内部单号", "内部订单号", "销售订单号", "销售订单", "销售订单编号", "salesorder",
               "salesorderno", "salesordernumber", "sono",
               # 应发 − 实发 beside the two: never the quantity
               "差异", "差异数量", "差数", "差额数量", "difference", "variance", "diff"),
}

# Rules for headers no synonym names: (field, pattern on the normalised header).
# Checked in order; the first match wins. Word-level meaning, not lists.
RULES: tuple[tuple[str, str], ...] = (
    ("ignore", r"(欠|未发|未交|缺货|待发|backorder|outstanding|remaining|pending)"),
    # per carton (每箱数量, PCS/CTN): the delivered quantity is the total beside it
    ("ignore", r"(每箱|单箱|每件|箱装|箱入|入数|per(carton|ctn|box)|(qty|pcs)(ctn|carton|box)$)"),
    ("ordered_qty", r"(应发|应送|应收|订单|订购|订货|采购|计划|ordered|order).*(数量|件数|数|qty|quantity)$"),
    ("ordered_qty", r"^(requested|需求)"),
    ("qty", r"(数量|件数|qty|quantity)$|(发货|送货|出库|出货|交货)量$"),
    # a counting word + 数 (个数, 只数, 套数, 支数): the count of pieces; never a package
    # count (箱数, 包数, 托数 are cartons)
    ("qty", r"^(个|只|套|支|条|对|瓶|片|根|副|台|组|卷|张|把|桶|罐|盒)数$"),
    # the day of the delivery over the quantity: '11/28 送货', '12月5日发货'
    ("qty", r"^\d{1,4}(月\d{1,2}日?|号)?(送货|发货|出货|出库|实发|配送)$"),
    # a store's name over the quantity of a 配送单 ('南山店'): the quantity only when
    # it is the one such column (layout._claims); several stores split one delivery
    ("store_qty", r"[\u4e00-\u9fff](店|门店|分店)$"),
    ("price_incl_tax", r"含税.*(单价|价)$|(单价|价)含税$"),
    ("price_excl_tax", r"(未税|不含税|无税|除税|净).*(单价|价)$"),
    ("unit_price", r"(单价|price)$"),
    ("amount_incl_tax", r"(价税|含税).*(金额|合计|总额)$"),
    ("amount_excl_tax", r"(未税|不含税|无税|除税).*(金额|总额)$"),
    ("tax_amount", r"税额$|税金$"),
    ("amount", r"(金额|amount)$"),
    # before the expiry: '批次/失效日期' names both
    ("lot_expiry", r"(批号|批次).*(效期|有效期|到期|失效)"),
    ("expiry_date", r"(有效|到期|失效|保质).*(日期|期|至)$|^exp"),
    ("production_date", r"(生产|制造).*日期$"),
    ("name_spec", r"(品名|名称).*规格$"),
    ("name", r"(名称|品名|description)$"),
    ("spec", r"(规格|型号)$"),
    ("lot_no", r"(批号|批次)$"),
    ("barcode", r"条码$"),
    ("po_number", r"(订单|采购单).*(号|编号)$"),
    ("sku", r"(编码|编号|代码|货号|零件号|配件号|料号)$|(partno|itemcode|code)$"),
    ("remark", r"(备注|remark|note)"),
)

# Labels of the header block above the table (or in a section row within it).
META_LABELS: dict[str, tuple[str, ...]] = {
    "note_no": ("送货单号", "送货单编号", "发货单号", "发货单编号", "出库单号", "出库单编号",
                "出货单号", "出货单编号", "装箱单号", "销售单号", "销售出库单号", "单据编号", "单据号码",
                "单据号", "单号", "编号", "no",
                "deliverynote", "deliverynoteno", "deliverynotenumber", "dnno", "dn",
                "noteno", "notenumber", "invoiceno", "invoicenumber", "invoice", "packinglistno",
                "plno", "shipmentno", "deliveryno", "deliveryorder", "donumber", "dono",
                "documentno", "reference", "ref", "slipno", "packingslip", "packingslipno",
                "outbounddelivery", "deliverynumber", "despatchnote", "dispatchnote",
                "deliveryname", "lieferschein", "lieferscheinnr", "lieferscheinnummer"),
    "po_number": ("订单号", "订单编号", "采购单号", "采购订单号", "采购订单", "采购单", "客户订单号",
                  "合同号", "po", "pono", "ponumber", "po#", "purchaseorder", "purchaseorderno",
                  "yourref", "yourreference", "yourorder", "yourorderno", "customerpo",
                  "custpo", "customerspurchaseorder", "customerpurchaseorder",
                  "customerreference", "customerref", "customerorderno", "yourpo", "yourpono",
                  "客户单号", "原始单号", "线上单号", "线上订单号", "customerrefno",
                  "customerreferenceno", "customerponumber", "customerpono",
                  "customerrequisition", "ihrebestellung", "ihrebestellnummer",
                  "bestellnummer", "bestellnr"),
    "delivery_date": ("送货日期", "发货日期", "出库日期", "交货日期", "出货日期", "日期", "单据日期",
                      "开单日期", "送货时间", "发货时间", "出库时间", "出货时间",
                      "date", "deliverydate", "shipdate", "shippingdate", "dispatchdate",
                      "dateshipped", "effectivedate", "invoicedate", "postingdate", "documentdate",
                      "packingslipdate", "lieferdatum", "datum"),
    "supplier_name": ("供应商", "供货单位", "发货单位", "送货单位", "供应商名称", "供货商",
                      "销售单位", "supplier", "vendor", "shipper", "from", "seller"),
    "parcel": ("箱号", "件号", "包裹号", "parcelno", "parcel", "cartonno", "carton", "boxno",
               "package"),
    # Read so that their values are never mistaken for ours (the buyer's name, ...).
    "ignore": ("客户", "客户名称", "收货单位", "购货单位", "收货人", "收货地址", "地址", "电话",
               "联系人", "联系电话", "传真", "订单日期", "下单日期", "制单", "制单人", "审核",
               "customer", "shipto", "billto", "to", "deliverto", "address", "tel", "phone",
               "fax", "contact", "orderdate", "page", "页码", "第", "车牌", "司机", "运单号",
               "内部单号", "内部订单号", "下单时间", "物流单号", "快递单号",
               # the supplier's own order, printed beside ours
               "销售订单号", "销售订单", "销售订单编号", "salesorder", "salesorderno",
               "salesordernumber"),
}

# A row whose first text starts with one of these is a subtotal or total: skipped,
# and reading continues below it.
TOTAL_WORDS = ("本页小计", "本页合计", "小计", "合计", "总计", "共计", "累计", "总合计", "total",
               "subtotal", "grandtotal", "pagetotal", "sum", "totals", "untaxedamount",
               "taxes", "amountdue", "大写")

# A row mentioning one of these starts the table of goods NOT delivered: nothing below
# it is delivered goods.
BACKORDER_WORDS = ("未发货", "未送货", "欠货", "欠发", "缺货明细", "待发货", "未交货", "后补",
                   "补发", "backorder", "backorders", "notyetdelivered", "tofollow",
                   "remainingtobedelivered", "outstandingitems", "undelivered", "notdelivered",
                   "pendingdelivery",
                   # goods taken back on this trip are listed below a 退货 title
                   "退货明细", "退货清单", "退货商品", "退货如下", "以下为退货", "带回",
                   "returneditems", "itemsreturned", "goodsreturned")

# A sheet named with one of these totals the workbook's lines (per category, per
# month): read only when no other sheet holds a table.
SUMMARY_SHEET_WORDS = ("汇总", "总表", "统计", "summary", "overview", "totals")

# A row with no quantity naming one of these is an adjustment of the note's total
# (折扣 -10.00, 整单优惠), never goods: skipped.
ADJUSTMENT_WORDS = ("折扣", "折让", "优惠", "整单优惠", "抹零", "返利", "让利", "discount", "rebate",
                    "rounding", "rabatt", "skonto")

# Units a quantity is counted in: an unlabelled column of only these beside the
# quantity is its unit.
UNIT_WORDS = ("个", "只", "套", "对", "瓶", "支", "条", "件", "箱", "桶", "盒", "包", "片", "根", "副",
              "台", "组", "卷", "张", "把", "袋", "罐", "升", "米", "付", "pcs", "pc", "pce", "ea",
              "each", "set", "sets", "pair", "pairs", "box", "bottle", "stk", "unit", "units")

# Package units: '2箱(24个)' counts 24 pieces packed in 2 cartons.
PACKAGE_UNITS = ("箱", "盒", "包", "袋", "托", "捆", "件箱", "ctn", "ctns", "carton", "cartons",
                 "box", "boxes", "bag", "bags", "pallet")

# Signature and footer labels (a row of only these is never a line).
FOOTER_WORDS = ("送货人", "收货人", "签收", "签字", "签名", "制单", "审核", "经手人", "仓管",
                "司机", "receivedby", "deliveredby", "signature", "signed", "checkedby",
                "preparedby", "approvedby", "carrier", "盖章")

# Words in a remark that the receiver should look at before accepting the line.
DAMAGE_WORDS = ("破损", "损坏", "坏", "短少", "少发", "缺少", "漏发", "错发", "变形", "受潮",
                "damaged", "damage", "broken", "short", "missing", "crushed", "wet", "defective")

# Title words of a delivery document, cut from the title to leave the supplier's name.
TITLE_WORDS = ("销售出库单", "销售送货单", "送货单", "发货单", "出库单", "出货单", "销货单", "销售单",
               "送货清单", "发货清单", "装箱单", "随货同行单", "交货单", "deliverynote", "deliveryslip",
               "packinglist", "packingslip", "deliveryorder", "invoice", "shippingnote")

# Companies end with one of these; a title carrying one names the supplier.
COMPANY_MARKS = ("有限公司", "公司", "厂", "商行", "车行", "配件行", "经营部", "经销部", "门市部",
                 "专营店", "旗舰店", "商店", "贸易", "汽配", "汽车配件", "汽车用品", "ltd", "limited",
                 "co", "inc", "gmbh", "llc", "corp", "company", "ag", "sa", "bv", "oy")


# Traditional characters of the words above (and of the names around them), folded
# to Simplified before matching, so a Hong Kong or Taiwan sheet ('數量', '單價', '送貨
# 單號') reads with the same table: pairs of Traditional then Simplified.
TRADITIONAL = """
個个 産产 產产 倉仓 價价 傳传 體体 寫写 況况 淨净 劃划 製制 單单 廠厂 參参 發发 變变 號号 後后
國国 圖图 壞坏 備备 實实 審审 庫库 應应 開开 總总 戶户 託托 損损 據据 數数 無无 機机 條条 註注
電电 蓋盖 盤盘 碼码 積积 稱称 稅税 簽签 係系 繫系 細细 經经 編编 聯联 營营 補补 裝装 規规 計计
訂订 話话 說说 説说 貨货 質质 購购 貿贸 車车 運运 適适 採采 銷销 錯错 際际 隨随 頁页 項项 額额
驗验 時时 間间 線线 標标 題题 顏颜 內内 專专 對对 組组 雙双 隻只 捲卷 臺台 灣湾 門门 輛辆 輪轮
燈灯 濾滤 氣气 剎刹 帶带 長长 處处 區区 廣广 東东 業业 務务 員员 賬账 帳账 幣币 優优 現现 餘余
屬属 類类 種种 護护 養养 輸输 識识 認认 證证 書书 準准 檢检 測测 與与 來来 買买 賣卖 網网 頭头
點点 過过 達达 進进 選选 連连 遞递 郵邮 紙纸 終终 級级 結结 給给 統统 續续 紅红 綠绿 藍蓝 黃黄
銀银 錢钱 鐵铁 鋼钢 鏈链 鎖锁 鏡镜 閥阀 問问 風风 齒齿 龍龙 匯汇 彙汇 觀观 設设 請请 費费 資资
贈赠 軸轴 載载 邊边 違违 遠远 釋释 針针 銅铜 閉闭 隊队 陳陈 順顺 須须 預预 領领 飾饰 駕驾 麥麦
蘇苏 漢汉 語语 詳详 欄栏 紀纪 錄录 簡简 雜杂 緊紧 縣县 鎮镇 園园 場场 廈厦 樓楼 層层 貼贴 裡里
裏里 團团 賠赔 換换 權权 歸归 檔档 鄉乡 戰战 熱热 溫温 壓压 釐厘 寬宽 濕湿 潤润 劑剂 膠胶 擋挡
鏽锈 蠟蜡 墊垫 環环 絲丝 鈑钣 軟软 殼壳 鑰钥 寶宝 貝贝 艦舰
""".split()
# Footnote marks on a header ('单价¹', '有效期至②', '品名※') say nothing about its field.
FOOTNOTE_MARKS = "¹²³⁴⁵⁶⁷⁸⁹⁰①②③④⑤⑥⑦⑧⑨⑩※†‡"
_SIMPLIFIED = str.maketrans({**{pair[0]: pair[1] for pair in TRADITIONAL},
                             **dict.fromkeys(FOOTNOTE_MARKS)})
_VARIANTS = {s: s + "".join(p[0] for p in TRADITIONAL if p[1] == s) for _, s in TRADITIONAL}


def simplified(text: str) -> str:
    return text.translate(_SIMPLIFIED)


def spellings(word: str) -> set[str]:
    """``word`` and every way of writing it with Traditional characters."""
    found = {""}
    for ch in word:
        found = {head + v for head in found for v in _VARIANTS.get(ch, ch)}
    return found


def char_pattern(ch: str) -> str:
    """A regex matching a Simplified character or its Traditional forms."""
    variants = _VARIANTS.get(ch)
    return f"[{variants}]" if variants else re.escape(ch)


def layout_word(text: object) -> str:
    """A header word as saved layouts are keyed: lower case, without bracketed units,
    spaces or punctuation (keeps '#' alone so 'PO #' still reads as 'po#' -> 'po').
    Traditional characters are kept, so keys saved before they were folded still match."""
    text = re.sub(r"\(.*?\)|（.*?）|【.*?】", "", str(text).strip().lower())
    text = text.replace("％", "%")
    return re.sub(r"[\s_:：*＊#№.,，。/\\\-()（）\[\]【】'\"'‘’“”、|]", "", text)


def norm(text: object) -> str:
    """Header text reduced for matching: ``layout_word`` in Simplified characters,
    the numero sign read as the 'No' it stands for ('№', 'PO №')."""
    return layout_word(str(text).replace("№", "no")).translate(_SIMPLIFIED)


def _index(table: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, int]]:
    index: dict[str, tuple[str, int]] = {}
    for field_name, words in table.items():
        for strength, word in enumerate(words):
            index.setdefault(norm(word), (field_name, strength))
    return index


HEADER_INDEX = _index(HEADER_SYNONYMS)
META_INDEX = _index(META_LABELS)
_RULES = tuple((f, re.compile(p)) for f, p in RULES)
RULE_STRENGTH = 1000          # a rule is weaker than any listed synonym
TOTALS = tuple(norm(w) for w in TOTAL_WORDS)
BACKORDERS = tuple(norm(w) for w in BACKORDER_WORDS)
FOOTERS = tuple(norm(w) for w in FOOTER_WORDS)
ADJUSTMENTS = tuple(norm(w) for w in ADJUSTMENT_WORDS)
UNITS = frozenset(w.lower() for w in UNIT_WORDS)
PACKAGES = frozenset(w.lower() for w in PACKAGE_UNITS)
TITLES = tuple(norm(w) for w in TITLE_WORDS)
SUMMARY_SHEETS = tuple(norm(w) for w in SUMMARY_SHEET_WORDS)


def header_field(text: object) -> tuple[str, int] | None:
    """(field, strength) of a header cell; lower strength wins. None when unknown.
    A synonym under any of the header's keys beats a rule on any of them."""
    keys = _keys(str(text).strip())
    for key in keys:
        found = HEADER_INDEX.get(key)
        if found:
            return found
    for key in keys:
        for field_name, pattern in _RULES:
            if pattern.search(key):
                return field_name, RULE_STRENGTH
    return None


_TAX_NOTE = re.compile(r"[(（]([^()（）]*?(?:税|稅|tax|vat)[^()（）]*?)[)）]", re.I)
_BRACKETED = re.compile(r"\(.*?\)|（.*?）|【.*?】")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORDS = re.compile(r"[A-Za-z][A-Za-z0-9 .'&/#-]*")


def _keys(raw: str) -> list[str]:
    """What a header is looked up by, most telling first. A tax word in brackets is
    kept ('单价(含税)' is the price with tax, unlike the unit in '单价(元)'); a
    bilingual header ('规格\nSpecification', '数量 Qty') is also read one language at
    a time, its bracketed units dropped first (so '每箱数量(PCS)' never reads 'pcs')."""
    if len(norm(raw)) > 40:          # a sentence, not a header
        return []
    kept = _TAX_NOTE.sub(lambda m: re.sub(r"[\d.%％\s]", "", m.group(1)), raw)
    units = [kept, raw]
    bare = _BRACKETED.sub(" ", kept)
    if "\n" in raw or (_CJK.search(bare) and _LATIN_WORDS.search(bare)):
        for line in bare.splitlines():
            latin = _LATIN_WORDS.findall(line)
            units += [_LATIN_WORDS.sub(" ", line)] + latin if _CJK.search(line) else [line]
    keys = (norm(unit) for unit in units)
    return [k for k in dict.fromkeys(keys) if k and len(k) <= 40]


def meta_label(text: object) -> str | None:
    """The header-block field a label names ('送货单号' -> 'note_no')."""
    found = META_INDEX.get(norm(text))
    return found[0] if found else None


def is_summary_sheet(name: str) -> bool:
    key = norm(name)
    return any(word in key for word in SUMMARY_SHEETS)


def is_damage_remark(text: str) -> bool:
    low = simplified(text.lower())
    return any(word in low for word in DAMAGE_WORDS)

# Column words of the purchase-order import (a sheet purchasing prepares).
PO_IMPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "supplier": ("供应商", "供应商编码", "供应商代码", "供货单位", "supplier", "suppliercode",
                 "vendor"),
    "po_number": HEADER_SYNONYMS["po_number"],
    "sku": HEADER_SYNONYMS["sku"],
    "name": HEADER_SYNONYMS["name"],
    "qty": ("数量", "订购数量", "采购数量", "qty", "quantity", "orderedqty", "qtyordered"),
    "unit_price": HEADER_SYNONYMS["unit_price"] + HEADER_SYNONYMS["price_incl_tax"]
    + HEADER_SYNONYMS["price_excl_tax"],
    "amount": HEADER_SYNONYMS["amount"],
    "due_date": ("交货日期", "到货日期", "交期", "要求到货日期", "duedate", "due",
                 "deliverydate", "needby"),
}
