"""The demo auto-parts catalogue, suppliers, warehouses, zones, bins and users.

Plain data; ``sample_data.load`` feeds it through the services.
"""
from __future__ import annotations

from decimal import Decimal

DEMO_PASSWORD = "demo1234"

# username, display name, roles, language
USERS = [
    ("admin", "System Admin", ["admin"], "en"),
    ("liwei", "Li Wei 李伟 (receiver)", ["receiver"], "zh"),
    ("zhaomin", "Zhao Min 赵敏 (receiver)", ["receiver"], "zh"),
    ("wangfang", "Wang Fang 王芳 (keeper)", ["keeper"], "zh"),
    ("chenjie", "Chen Jie 陈杰 (keeper)", ["keeper"], "en"),
    ("sunqc", "Sun Hao 孙浩 (QC)", ["qc"], "zh"),
    ("liuyang", "Liu Yang 刘洋 (supervisor)", ["supervisor"], "zh"),
    ("zhoujing", "Zhou Jing 周静 (purchasing)", ["purchasing"], "zh"),
    ("huanglei", "Huang Lei 黄磊 (purchasing)", ["purchasing"], "en"),
    ("wuli", "Wu Li 吴丽 (finance)", ["finance"], "zh"),
    ("zhengkai", "Zheng Kai 郑凯 (finance)", ["finance"], "en"),
    ("gm", "Ma Jun 马军 (general manager)", ["manager"], "zh"),
]

WAREHOUSES = [
    ("MAIN", "Main warehouse", "总仓"),
    ("EAST", "East branch store", "东区分仓"),
]

# The procedure's six stocktake zones, in both languages.
ZONES = {
    "A": "A 成品配件 Finished parts",
    "B": "B 辅料 Auxiliary materials",
    "Q": "Q 成品待检 Quarantine",
    "D": "D 次品 Defective",
    "C": "C 柜台 Counter",
    "S": "S 样品 Samples",
}


def locations() -> list[tuple[str, str, str, str]]:
    """(code, zone, kind, warehouse) for every bin."""
    rows = []
    for aisle in range(1, 6):
        for level in range(1, 5):
            rows.append((f"A-{aisle:02d}-{level:02d}", ZONES["A"], "storage", "MAIN"))
    for aisle in range(1, 3):
        for level in range(1, 4):
            rows.append((f"B-{aisle:02d}-{level:02d}", ZONES["B"], "storage", "MAIN"))
    rows += [
        ("Q-01", ZONES["Q"], "quarantine", "MAIN"),
        ("Q-02", ZONES["Q"], "quarantine", "MAIN"),
        ("D-01", ZONES["D"], "hold", "MAIN"),
        ("C-01", ZONES["C"], "storage", "MAIN"),
        ("C-02", ZONES["C"], "storage", "MAIN"),
        ("S-01", ZONES["S"], "storage", "MAIN"),
    ]
    for level in range(1, 5):
        rows.append((f"E-A-{level:02d}", "E 东区成品 East parts", "storage", "EAST"))
    rows += [
        ("E-Q-01", "E 东区待检 East quarantine", "quarantine", "EAST"),
        ("E-D-01", "E 东区次品 East defective", "hold", "EAST"),
    ]
    return rows


SUPPLIERS = [
    ("SUP-TYT", "Guangzhou Toyota Parts Co. 广州丰田配件有限公司", "Guangzhou, Tianhe Rd 88", "Mr. Huang 020-8888-1234"),
    ("SUP-BSH", "Bosch Automotive Aftermarket (China) 博世汽车售后", "Suzhou Industrial Park", "Ms. Lin 0512-6666-2345"),
    ("SUP-MAN", "Mann Filter Trading 曼牌滤清器贸易", "Shanghai, Jiading", "Mr. Xu 021-5999-3456"),
    ("SUP-CAM", "Camel Battery Sales 骆驼蓄电池销售", "Xiangyang, Hubei", "Mr. Zhang 0710-333-4567"),
    ("SUP-LUB", "Great Wall Lubricants 长城润滑油", "Beijing, Daxing", "Ms. Gao 010-6222-5678"),
    ("SUP-PWT", "Yuchai Powertrain Service 玉柴动力总成", "Yulin, Guangxi", "Mr. Qin 0775-321-6789"),
]

# (code, English, Chinese)
VEHICLES = [
    ("COR", "Toyota Corolla 1.8", "丰田卡罗拉1.8"),
    ("CIV", "Honda Civic 1.5T", "本田思域1.5T"),
    ("LAV", "VW Lavida 1.5", "大众朗逸1.5"),
    ("SAG", "VW Sagitar 1.4T", "大众速腾1.4T"),
    ("SYL", "Nissan Sylphy 1.6", "日产轩逸1.6"),
    ("EXC", "Buick Excelle GT 1.3T", "别克英朗1.3T"),
    ("ELA", "Hyundai Elantra 1.5", "现代伊兰特1.5"),
    ("QIN", "BYD Qin Plus DM-i", "比亚迪秦PLUS DM-i"),
    ("EMG", "Geely Emgrand 1.5", "吉利帝豪1.5"),
    ("CRU", "Chevrolet Cruze 1.5", "雪佛兰科鲁兹1.5"),
    ("FOC", "Ford Focus 1.5", "福特福克斯1.5"),
    ("MZ3", "Mazda 3 Axela 2.0", "马自达3昂克赛拉2.0"),
]

# (code, English, Chinese, category, unit, genuine brand, aftermarket brand or None,
#  base price, reorder level, bin prefix)
PER_VEHICLE_PARTS = [
    ("OF", "Oil filter", "机油滤清器", "Filters 滤清器", "pcs", "OEM", "MANN", "28.50", 10, "A-01"),
    ("AF", "Air filter", "空气滤清器", "Filters 滤清器", "pcs", "OEM", "MANN", "45.00", 8, "A-01"),
    ("CF", "Cabin filter", "空调滤清器", "Filters 滤清器", "pcs", "OEM", None, "38.00", 6, "A-02"),
    ("BPF", "Front brake pads", "前刹车片", "Brakes 制动", "set", "OEM", "BOSCH", "260.00", 4, "A-03"),
    ("BPR", "Rear brake pads", "后刹车片", "Brakes 制动", "set", "OEM", None, "210.00", 4, "A-03"),
    ("SP", "Spark plug (iridium)", "火花塞（铱金）", "Ignition 点火", "pcs", "NGK", "BOSCH", "58.00", 16, "A-04"),
    ("WB", "Wiper blade pair", "雨刮片（对）", "Body 车身附件", "pair", "OEM", None, "85.00", 5, "A-05"),
]

# Items that are not per vehicle: (sku, English, Chinese, spec, category, unit, brand,
#   genuine, price, reorder, flags dict, bin)
GENERAL_ITEMS = [
    ("FL-COOL-4L", "Antifreeze coolant -35°C 4L", "防冻冷却液 -35°C 4L", "OAT -35°C", "Fluids 油液", "bottle", "Great Wall", True, "68.00", 20,
     {"tracks_expiry": True, "min_shelf_life_days": 180, "issue_policy": "FEFO"}, "B-01"),
    ("FL-COOL-1L", "Antifreeze coolant -35°C 1L", "防冻冷却液 -35°C 1L", "OAT -35°C", "Fluids 油液", "bottle", "Great Wall", True, "22.00", 24,
     {"tracks_expiry": True, "min_shelf_life_days": 180, "issue_policy": "FEFO"}, "B-01"),
    ("FL-BRK-DOT4", "Brake fluid DOT4 1L", "刹车油 DOT4 1L", "DOT4", "Fluids 油液", "bottle", "Bosch", False, "45.00", 20,
     {"tracks_expiry": True, "min_shelf_life_days": 365, "issue_policy": "FEFO"}, "B-01"),
    ("FL-BRK-DOT3", "Brake fluid DOT3 500ml", "刹车油 DOT3 500ml", "DOT3", "Fluids 油液", "bottle", "Great Wall", True, "24.00", 12,
     {"tracks_expiry": True, "min_shelf_life_days": 365, "issue_policy": "FEFO"}, "B-01"),
    ("FL-OIL-5W30", "Engine oil 5W-30 4L", "机油 5W-30 4L", "SP 5W-30", "Fluids 油液", "bottle", "Great Wall", True, "198.00", 30,
     {"tracks_expiry": True, "min_shelf_life_days": 365, "issue_policy": "FEFO"}, "B-02"),
    ("FL-OIL-0W20", "Engine oil 0W-20 4L", "机油 0W-20 4L", "SP 0W-20", "Fluids 油液", "bottle", "Great Wall", True, "238.00", 20,
     {"tracks_expiry": True, "min_shelf_life_days": 365, "issue_policy": "FEFO"}, "B-02"),
    ("FL-ATF-1L", "Automatic transmission fluid 1L", "自动变速箱油 1L", "ATF WS", "Fluids 油液", "bottle", "OEM", True, "95.00", 12,
     {"tracks_expiry": True, "min_shelf_life_days": 365, "issue_policy": "FEFO"}, "B-02"),
    ("FL-WASH-2L", "Windscreen washer fluid 2L", "玻璃水 2L", "-25°C", "Fluids 油液", "bottle", "3M", False, "15.00", 30,
     {"tracks_expiry": True, "min_shelf_life_days": 90, "issue_policy": "FEFO"}, "B-03"),
    ("FL-GREASE", "Lithium grease 400g", "锂基润滑脂 400g", "NLGI 2", "Fluids 油液", "can", "Great Wall", True, "32.00", 10,
     {"tracks_expiry": True, "min_shelf_life_days": 180}, "B-03"),
    ("BAT-45AH", "Battery 12V 45Ah", "蓄电池 12V 45Ah", "L1-400", "Electrical 电器", "pcs", "Camel 骆驼", False, "420.00", 4,
     {"requires_old_part": True, "hazardous": True}, "C-01"),
    ("BAT-60AH", "Battery 12V 60Ah", "蓄电池 12V 60Ah", "L2-400", "Electrical 电器", "pcs", "Camel 骆驼", False, "520.00", 6,
     {"requires_old_part": True, "hazardous": True}, "C-01"),
    ("BAT-70AH", "Battery 12V 70Ah AGM", "蓄电池 12V 70Ah AGM", "H6 AGM", "Electrical 电器", "pcs", "Varta 瓦尔塔", False, "980.00", 3,
     {"requires_old_part": True, "hazardous": True}, "C-01"),
    ("BAT-80AH", "Battery 12V 80Ah", "蓄电池 12V 80Ah", "L4-600", "Electrical 电器", "pcs", "Camel 骆驼", False, "650.00", 3,
     {"requires_old_part": True, "hazardous": True}, "C-01"),
    ("ALT-90A", "Alternator 90A (exchange)", "发电机 90A（以旧换新）", "12V 90A", "Electrical 电器", "pcs", "Bosch", False, "1150.00", 2,
     {"requires_old_part": True}, "C-02"),
    ("STR-1.4KW", "Starter motor 1.4kW (exchange)", "起动机 1.4kW（以旧换新）", "12V 1.4kW", "Electrical 电器", "pcs", "Bosch", False, "980.00", 2,
     {"requires_old_part": True}, "C-02"),
    ("ENG-1.6-ASSY", "Engine assembly 1.6L", "发动机总成 1.6L", "4A 1.6L", "Assemblies 总成", "set", "OEM", True, "18500.00", 0,
     {"is_assembly": True, "full_inspection": True}, "A-05"),
    ("ENG-1.5T-ASSY", "Engine assembly 1.5T", "发动机总成 1.5T", "1.5T DOHC", "Assemblies 总成", "set", "OEM", True, "23800.00", 0,
     {"is_assembly": True, "full_inspection": True}, "A-05"),
    ("GBX-CVT-ASSY", "Gearbox assembly CVT", "变速箱总成 CVT", "CVT", "Assemblies 总成", "set", "OEM", True, "16800.00", 0,
     {"is_assembly": True, "full_inspection": True}, "A-05"),
    ("GBX-6AT-ASSY", "Gearbox assembly 6AT", "变速箱总成 6AT", "6AT", "Assemblies 总成", "set", "OEM", True, "19800.00", 0,
     {"is_assembly": True, "full_inspection": True}, "A-05"),
    ("AXL-R-ASSY", "Rear axle assembly", "后桥总成", "Torsion beam", "Assemblies 总成", "set", "OEM", True, "6200.00", 0,
     {"is_assembly": True, "full_inspection": True}, "A-05"),
    ("STR-RACK-ASSY", "Steering rack assembly (EPS)", "转向机总成（电动）", "EPS", "Assemblies 总成", "set", "OEM", True, "4800.00", 0,
     {"is_assembly": True, "full_inspection": True}, "A-05"),
    ("BLT-TIM-KIT", "Timing belt kit", "正时皮带套装", "belt + tensioner", "Belts 皮带", "set", "Gates 盖茨", False, "420.00", 4, {}, "A-04"),
    ("BLT-PK6-1200", "Serpentine belt 6PK1200", "多楔带 6PK1200", "6PK1200", "Belts 皮带", "pcs", "Gates 盖茨", False, "65.00", 8, {}, "A-04"),
    ("BLT-PK6-1500", "Serpentine belt 6PK1500", "多楔带 6PK1500", "6PK1500", "Belts 皮带", "pcs", "Gates 盖茨", False, "72.00", 8, {}, "A-04"),
    ("BLT-PK5-1100", "Serpentine belt 5PK1100", "多楔带 5PK1100", "5PK1100", "Belts 皮带", "pcs", "Dayco 戴科", False, "58.00", 6, {}, "A-04"),
    ("BLB-H7", "Headlamp bulb H7 55W", "大灯灯泡 H7 55W", "12V 55W", "Electrical 电器", "pcs", "Philips 飞利浦", False, "35.00", 20, {}, "C-02"),
    ("BLB-H4", "Headlamp bulb H4 60/55W", "大灯灯泡 H4 60/55W", "12V 60/55W", "Electrical 电器", "pcs", "Philips 飞利浦", False, "38.00", 20, {}, "C-02"),
    ("BLB-T10", "Side light bulb T10", "示宽灯泡 T10", "12V 5W", "Electrical 电器", "pcs", "Osram 欧司朗", False, "6.00", 50, {}, "C-02"),
    ("FUS-KIT", "Blade fuse assortment", "插片保险丝套装", "5–30A", "Electrical 电器", "box", "Littelfuse", False, "28.00", 10, {}, "C-02"),
    ("CLN-BRAKE", "Brake cleaner 500ml", "刹车清洗剂 500ml", "aerosol", "Consumables 辅料", "can", "3M", False, "26.00", 24,
     {"hazardous": True, "tracks_expiry": True, "min_shelf_life_days": 90}, "B-03"),
    ("CLN-CARB", "Throttle body cleaner 500ml", "节气门清洗剂 500ml", "aerosol", "Consumables 辅料", "can", "3M", False, "32.00", 12,
     {"hazardous": True, "tracks_expiry": True, "min_shelf_life_days": 90}, "B-03"),
    ("CNS-GLOVE", "Nitrile gloves (box of 100)", "丁腈手套（100只/盒）", "L", "Consumables 辅料", "box", "Ansell", False, "48.00", 10, {}, "B-03"),
    ("CNS-RAG", "Shop rags 1kg", "擦车布 1kg", "cotton", "Consumables 辅料", "bag", "Generic", False, "18.00", 10, {}, "B-03"),
    ("CNS-CABLETIE", "Cable ties 200mm (100)", "扎带 200mm（100根）", "200mm", "Consumables 辅料", "bag", "Generic", False, "9.50", 20, {}, "B-03"),
    ("SHK-F-COR", "Front shock absorber Corolla", "前减震器 卡罗拉", "gas", "Suspension 悬挂", "pcs", "KYB", False, "420.00", 2, {}, "A-05"),
    ("SHK-R-COR", "Rear shock absorber Corolla", "后减震器 卡罗拉", "gas", "Suspension 悬挂", "pcs", "KYB", False, "360.00", 2, {}, "A-05"),
    ("SHK-F-LAV", "Front shock absorber Lavida", "前减震器 朗逸", "gas", "Suspension 悬挂", "pcs", "Sachs 萨克斯", False, "450.00", 2, {}, "A-05"),
    ("SHK-R-LAV", "Rear shock absorber Lavida", "后减震器 朗逸", "gas", "Suspension 悬挂", "pcs", "Sachs 萨克斯", False, "380.00", 2, {}, "A-05"),
    ("DSC-F-COR", "Front brake disc Corolla", "前刹车盘 卡罗拉", "275mm", "Brakes 制动", "pcs", "OEM", True, "310.00", 2, {}, "A-03"),
    ("DSC-F-LAV", "Front brake disc Lavida", "前刹车盘 朗逸", "288mm", "Brakes 制动", "pcs", "OEM", True, "330.00", 2, {}, "A-03"),
    ("DSC-F-CIV", "Front brake disc Civic", "前刹车盘 思域", "282mm", "Brakes 制动", "pcs", "OEM", True, "320.00", 2, {}, "A-03"),
    ("SMP-PAD-DISPLAY", "Brake pad display sample", "刹车片展示样品", "display", "Samples 样品", "pcs", "Bosch", False, "0.0100", 0, {}, "S-01"),
    ("SMP-FILTER-CUT", "Cut-away oil filter sample", "机油滤清器剖面样品", "display", "Samples 样品", "pcs", "MANN", False, "0.0100", 0, {}, "S-01"),
]


# Shelf codes used above -> the bin the item lives in.
GENERAL_BINS = {"B-01": "B-01-01", "B-02": "B-01-02", "B-03": "B-01-03", "A-03": "A-03-01",
                "A-04": "A-04-01", "A-05": "A-05-01"}


# Parts whose boxes carry the maker's EAN-13 (and, genuine ones, an OE number), so the
# demo can be scanned with the tablet's camera.
EAN_PARTS = ("BPF", "BPR", "OF", "SP")


def demo_ean(sku: str) -> str:
    """A stable EAN-13 for a demo SKU (GS1 China prefix 692, check digit computed)."""
    from domain.codes import gtin_check_digit

    body = "692" + str(int.from_bytes(sku.encode(), "big") % 10**9).zfill(9)
    return body + str(gtin_check_digit(body))


def _with_codes(item: dict, part_code: str, vehicle_index: int) -> dict:
    if part_code in EAN_PARTS:
        item["ean"] = demo_ean(item["sku"])
        if item["genuine"]:
            item["oe"] = f"0446{5 + vehicle_index % 4}-{part_code}{vehicle_index:03d}"
    return item


def items() -> list[dict]:
    """Every demo item as create_item keyword arguments (plus its price and bin, and
    for some its EAN / OE codes)."""
    result = []
    for part_code, en, zh, category, unit, oem, aftermarket, price, reorder, bin_prefix in PER_VEHICLE_PARTS:
        for index, (vehicle_code, vehicle_en, vehicle_zh) in enumerate(VEHICLES):
            result.append(_with_codes(dict(
                sku=f"{part_code}-{vehicle_code}", name=f"{en} – {vehicle_en}",
                name_zh=f"{zh} {vehicle_zh}", spec=f"{vehicle_en}", brand=oem, unit=unit,
                category=category, genuine=True, reorder_level=reorder,
                price=Decimal(price), bin=f"{bin_prefix}-01",
            ), part_code, index))
            if aftermarket:
                result.append(_with_codes(dict(
                    sku=f"{part_code}-{vehicle_code}-AM", name=f"{en} – {vehicle_en} (aftermarket)",
                    name_zh=f"{zh} {vehicle_zh}（副厂）", spec=f"{vehicle_en}", brand=aftermarket,
                    unit=unit, category=category, genuine=False,
                    reorder_level=max(reorder // 2, 1),
                    price=(Decimal(price) * Decimal("0.7")).quantize(Decimal("0.01")),
                    bin=f"{bin_prefix}-02",
                ), part_code, index))
    for (sku, en, zh, spec, category, unit, brand, genuine, price, reorder, flags,
         bin_prefix) in GENERAL_ITEMS:
        result.append(dict(
            sku=sku, name=en, name_zh=zh, spec=spec, brand=brand, unit=unit, category=category,
            genuine=genuine, reorder_level=reorder, price=Decimal(price),
            bin=GENERAL_BINS.get(bin_prefix, bin_prefix), **flags,
        ))
    return result


# Pack units (包装单位): (sku, unit, stock units per pack, supplier code or None). Engine
# oil comes 4 bottles to the box, but Great Wall's own box holds 6.
PACK_UNITS = [
    ("FL-OIL-5W30", "箱", "4", None),
    ("FL-OIL-5W30", "箱", "6", "SUP-LUB"),
    ("FL-OIL-0W20", "箱", "6", "SUP-LUB"),
    ("FL-WASH-2L", "箱", "8", None),
    ("FL-BRK-DOT4", "箱", "12", None),
    ("ENG-1.6-ASSY", "台", "1", None),      # an engine is delivered by the 台, kept as a set
]
