"""Generates the photographed-delivery-note corpus: printed notes in real layouts,
degraded as a phone camera would, with the lines each one must read as.

    .venv/bin/python -m tests.data.photos.corpus          # rewrites the JPEGs and expected.json

Layouts: a Chinese 送货单 (header block, combined 品名规格 cells, 本页小计 row, remarks
and signatures), a 随货同行联 carbon copy (lot and expiry columns, 合计 row), and an
English packing list without vertical rules. Degradations: rotation up to ±8°,
perspective on a desk, blur, uneven light, a blue or red carbon-copy tint, a red
company stamp over a cell, JPEG quality 50–70. Deterministic (seeded).
"""
from __future__ import annotations

import io
import json
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from services.fonts import cjk_font_path

HERE = Path(__file__).resolve().parent
PAGE = (1240, 1754)           # A4 at 150 dpi
FORM = (1424, 900)            # 241 mm continuous multi-part form (三联单), landscape
PHOTO_LONG_SIDE = 1600

PARTS = [
    ("BP-1330", "刹车片", "前轮 GDB1330", "套"), ("OF-2231", "机油滤清器", "W712/75", "个"),
    ("AF-0457", "空气滤清器", "C27009", "个"), ("SP-K20R", "火花塞", "K20R-U11", "支"),
    ("WB-6024", "雨刮片", "24寸 无骨", "对"), ("TB-1139", "正时皮带", "137MY25", "条"),
    ("WP-3308", "水泵", "GWT-108A", "个"), ("BD-2870", "刹车盘", "后 280mm", "个"),
    ("SA-5512", "减震器", "前左 334505", "支"), ("IC-0921", "点火线圈", "27301-2B010", "个"),
    ("FP-7731", "燃油泵", "E8213M", "个"), ("TS-0088", "节温器", "82℃ TH4582", "个"),
    ("CF-1200", "空调滤芯", "CUK2939", "个"), ("BR-6203", "轴承", "6203-2RS", "盒"),
    ("GS-0415", "气门室盖垫", "11213-0H010", "件"), ("BF-0500", "刹车油", "DOT4 500ml", "瓶"),
]
EN_PARTS = [
    ("OE-90915", "Oil filter", "90915-YZZD2"), ("OE-04465", "Front brake pads", "04465-33471"),
    ("OE-17801", "Air filter element", "17801-0H050"), ("OE-90919", "Spark plug", "90919-01253"),
    ("OE-16100", "Water pump assy", "16100-29415"), ("OE-13568", "Timing belt", "13568-09130"),
    ("OE-48510", "Shock absorber front", "48510-80416"), ("OE-42431", "Brake disc rear", "42431-06090"),
]
SUPPLIERS = ["广州顺达汽配有限公司", "佛山联众汽车配件商行", "东莞宏图汽车用品有限公司"]


@dataclass
class Note:
    name: str
    layout: str
    supplier: str
    note_no: str
    po_number: str
    date: str
    lines: list[dict]
    pages: list[list[dict]] = field(default_factory=list)


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def make_lines(rng: random.Random, count: int, *, english=False, lots=False) -> list[dict]:
    pool = EN_PARTS if english else PARTS
    chosen = rng.sample(pool, count)
    lines = []
    for part in chosen:
        qty = Decimal(rng.choice([1, 2, 4, 5, 6, 8, 10, 12, 20, 24, 36, 50]))
        price = Decimal(rng.randint(250, 68000)) / 100
        line = {"sku": part[0], "name": part[1], "spec": part[2],
                "unit": part[3] if not english else "pcs",
                "qty": str(qty), "unit_price": _money(price), "amount": _money(qty * price)}
        if lots:
            line["lot_no"] = f"L{rng.randint(2400, 2612)}{rng.randint(10, 99)}"
            line["expiry_date"] = f"20{rng.randint(27, 29)}-{rng.randint(1, 12):02d}-28"
        lines.append(line)
    return lines


# --- printing a page ------------------------------------------------------------------
class Printer:
    def __init__(self, ink=(20, 20, 20), paper=(252, 252, 250), size=PAGE):
        self.size = size
        self.image = Image.new("RGB", size, paper)
        self.draw = ImageDraw.Draw(self.image)
        self.ink = ink
        self.fonts: dict[int, ImageFont.FreeTypeFont] = {}

    def font(self, size: int) -> ImageFont.FreeTypeFont:
        if size not in self.fonts:
            self.fonts[size] = ImageFont.truetype(str(cjk_font_path()), size)
        return self.fonts[size]

    def text(self, xy, text, size=26, anchor="la"):
        self.draw.text(xy, text, font=self.font(size), fill=self.ink, anchor=anchor)

    def table(self, x0, y0, widths, rows, *, height=52, size=25, vertical=True,
              align=None) -> int:
        """Draw rows of cells; returns the y below the table."""
        xs = [x0]
        for w in widths:
            xs.append(xs[-1] + w)
        y = y0
        for r, row in enumerate(rows):
            if vertical:
                for c in range(len(widths)):
                    self.draw.rectangle([xs[c], y, xs[c + 1], y + height], outline=self.ink, width=2)
            elif r <= 1:
                self.draw.line([xs[0], y, xs[-1], y], fill=self.ink, width=2)
            for c, value in enumerate(row):
                if not value:
                    continue
                how = (align or {}).get(c, "l") if r else "c"
                if how == "r":
                    self.text((xs[c + 1] - 10, y + height / 2), value, size, anchor="rm")
                elif how == "c":
                    self.text(((xs[c] + xs[c + 1]) / 2, y + height / 2), value, size, anchor="mm")
                else:
                    self.text((xs[c] + 10, y + height / 2), value, size, anchor="lm")
            y += height
        if not vertical:
            self.draw.line([xs[0], y, xs[-1], y], fill=self.ink, width=2)
        return y

    def stamp(self, centre, radius=95, label="送货专用章"):
        """A red round company stamp, semi-transparent like real ink."""
        layer = Image.new("RGBA", self.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        red = (215, 30, 40, 150)
        cx, cy = centre
        draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], outline=red, width=7)
        star = [(cx + 28 * math.cos(math.radians(-90 + 144 * k)),
                 cy + 28 * math.sin(math.radians(-90 + 144 * k))) for k in range(5)]
        draw.polygon(star, fill=red)
        draw.text((cx, cy + 52), label, font=self.font(24), fill=red, anchor="mm")
        self.image = Image.alpha_composite(self.image.convert("RGBA"), layer).convert("RGB")
        self.draw = ImageDraw.Draw(self.image)


def print_songhuodan(note: Note, page_lines: list[dict], page_no: int, pages: int,
                     rng: random.Random, ink) -> Image.Image:
    p = Printer(ink=ink)
    p.text((PAGE[0] / 2, 110), f"{note.supplier}", 40, anchor="mm")
    p.text((PAGE[0] / 2, 170), "送 货 单", 44, anchor="mm")
    p.text((90, 250), f"客户：华南汽修中心仓库", 26)
    p.text((760, 250), f"送货单号：{note.note_no}", 26)
    p.text((90, 300), f"订单号：{note.po_number}", 26)
    p.text((760, 300), f"日期：{note.date}", 26)
    rows = [["序号", "配件编码", "品名规格", "单位", "数量", "单价", "金额", "备注"]]
    for i, line in enumerate(page_lines, start=1):
        rows.append([str(i), line["sku"], f"{line['name']} {line['spec']}", line["unit"],
                     line["qty"], line["unit_price"], line["amount"], line.get("remark", "")])
    subtotal = sum(Decimal(line["amount"]) for line in page_lines)
    rows.append(["", "本页小计", "", "", str(sum(int(line["qty"]) for line in page_lines)), "",
                 _money(subtotal), ""])
    widths = [70, 170, 330, 70, 90, 130, 150, 110]
    y = p.table(60, 350, widths, rows, align={4: "r", 5: "r", 6: "r"})
    p.text((90, y + 40), f"备注：货物当面点清，如有质量问题请于七日内联系。第{page_no}页 共{pages}页", 24)
    p.text((90, y + 110), "送货人：", 26)
    p.text((520, y + 110), "收货人（签字）：", 26)
    if page_no == pages:
        row = rng.randint(2, len(page_lines) + 1)
        p.stamp((60 + sum(widths[:6]) + 75, 350 + row * 52 - 10))
    return p.image


def print_suihuo(note: Note, page_lines: list[dict], rng: random.Random, ink) -> Image.Image:
    p = Printer(ink=ink, paper=(250, 246, 240), size=FORM)
    p.text((FORM[0] / 2, 50), f"{note.supplier}", 36, anchor="mm")
    p.text((FORM[0] / 2, 100), "随货同行联", 40, anchor="mm")
    p.text((60, 150), f"单据编号：{note.note_no}", 25)
    p.text((540, 150), f"采购订单号：{note.po_number}", 25)
    p.text((1060, 150), f"日期：{note.date}", 25)
    rows = [["编码", "名称", "规格型号", "批号", "有效期", "数量", "单价", "金额"]]
    for line in page_lines:
        rows.append([line["sku"], line["name"], line["spec"], line["lot_no"], line["expiry_date"],
                     line["qty"], line["unit_price"], line["amount"]])
    total = sum(Decimal(line["amount"]) for line in page_lines)
    rows.append(["合计", "", "", "", "", "", "", _money(total)])
    widths = [150, 230, 220, 150, 170, 90, 140, 160]
    y = p.table(57, 190, widths, rows, height=50, size=26, align={5: "r", 6: "r", 7: "r"})
    p.text((60, y + 35), "第一联：存根（白）  第二联：随货同行（红）  第三联：客户（蓝）", 22)
    p.text((60, y + 80), "发货人：            复核：            收货单位签收：", 25)
    row = rng.randint(1, len(page_lines))
    p.stamp((57 + 150 + 115, 190 + row * 50 + 25), radius=80, label="发货专用章")
    return p.image


def print_packing_list(note: Note, page_lines: list[dict], rng: random.Random, ink) -> Image.Image:
    p = Printer(ink=ink)
    p.text((PAGE[0] / 2, 110), "Pacific Auto Parts Trading Co., Ltd.", 36, anchor="mm")
    p.text((PAGE[0] / 2, 170), "PACKING LIST", 42, anchor="mm")
    p.text((80, 250), f"Delivery Note No: {note.note_no}", 26)
    p.text((740, 250), f"Date: {note.date}", 26)
    p.text((80, 300), f"PO No: {note.po_number}", 26)
    rows = [["Item Code", "Description", "Specification", "Qty", "Unit Price", "Amount"]]
    for line in page_lines:
        rows.append([line["sku"], line["name"], line["spec"], line["qty"], line["unit_price"],
                     line["amount"]])
    rows.append(["Total", "", "", str(sum(int(line["qty"]) for line in page_lines)), "",
                 _money(sum(Decimal(line["amount"]) for line in page_lines))])
    widths = [170, 300, 210, 90, 160, 170]
    y = p.table(70, 360, widths, rows, height=56, size=25, vertical=False,
                align={3: "r", 4: "r", 5: "r"})
    p.text((80, y + 60), "Remarks: goods checked at dispatch; report shortages within 3 days.", 24)
    p.text((80, y + 130), "Received by: ____________", 26)
    return p.image


# --- photographing it -------------------------------------------------------------------
@dataclass
class Camera:
    angle: float              # degrees, ± up to 8
    tilt: float               # perspective strength, 0..0.08
    blur: float               # Gaussian radius
    quality: int              # JPEG 50..70
    light: float              # darkest corner factor, 0.55..1
    tint: str | None = None   # "blue" | "red" carbon copy


def tinted(image: Image.Image, tint: str | None) -> Image.Image:
    if tint is None:
        return image
    pixels = np.asarray(image).astype(np.float32)
    darkness = 1 - pixels.mean(axis=2, keepdims=True) / 255
    ink = np.array((40, 60, 170) if tint == "blue" else (170, 40, 60), np.float32)
    paper = np.array((238, 240, 252) if tint == "blue" else (252, 236, 236), np.float32)
    out = paper * (1 - darkness) + ink * darkness
    return Image.fromarray(out.clip(0, 255).astype(np.uint8))


def photograph(page: Image.Image, cam: Camera, rng: random.Random) -> bytes:
    page = tinted(page, cam.tint)
    page_w, page_h = page.size
    width, height = (1200, 1600) if page_h > page_w else (1600, 1200)
    # Desk: dark, slightly textured.
    desk = np.full((height, width, 3), (70, 62, 55), np.float32)
    desk += np.asarray(rng.choices(range(-12, 13), k=height * width), np.float32).reshape(height, width, 1)
    scale = 0.9 * min(width / page_w, height / page_h)
    w, h = page_w * scale, page_h * scale
    cx, cy = width / 2 + rng.uniform(-25, 25), height / 2 + rng.uniform(-25, 25)
    corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    # Tilt: the far edge (top) appears narrower.
    squeeze = cam.tilt * w
    corners[0] = (corners[0][0] + squeeze, corners[0][1])
    corners[1] = (corners[1][0] - squeeze, corners[1][1])
    rad = math.radians(cam.angle)
    quad = [(cx + x * math.cos(rad) - y * math.sin(rad), cy + x * math.sin(rad) + y * math.cos(rad))
            for x, y in corners]
    matrix = cv2.getPerspectiveTransform(
        np.float32([(0, 0), (page_w, 0), (page_w, page_h), (0, page_h)]), np.float32(quad))
    src = np.asarray(page).astype(np.float32)
    warped = cv2.warpPerspective(src, matrix, (width, height), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.ones((page_h, page_w), np.float32), matrix, (width, height))[..., None]
    photo = warped * mask + desk * (1 - mask)
    # Uneven light: a gradient from one corner.
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    fx, fy = rng.choice([(0, 0), (1, 0), (0, 1), (1, 1)])
    distance = np.hypot(xx / width - fx, yy / height - fy) / math.sqrt(2)
    photo *= (1 - (1 - cam.light) * distance)[..., None]
    image = Image.fromarray(photo.clip(0, 255).astype(np.uint8))
    if cam.blur:
        image = image.filter(ImageFilter.GaussianBlur(cam.blur))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=cam.quality)
    return out.getvalue()


# --- the corpus -------------------------------------------------------------------------
def notes() -> list[tuple[Note, list[Camera]]]:
    rng = random.Random(19)
    cases = []
    specs = [
        ("zh_songhuodan_1", "songhuodan", 8, Camera(-6.5, 0.04, 0.8, 60, 0.7)),
        ("zh_songhuodan_2", "songhuodan", 10, Camera(4.0, 0.07, 0.9, 55, 0.6, "blue")),
        ("zh_songhuodan_3", "songhuodan", 6, Camera(7.8, 0.02, 0.6, 68, 0.8)),
        ("zh_suihuo_1", "suihuo", 8, Camera(-3.0, 0.05, 0.8, 58, 0.65, "red")),
        ("zh_suihuo_2", "suihuo", 9, Camera(-7.9, 0.03, 0.7, 70, 0.75, "blue")),
        ("zh_suihuo_3", "suihuo", 7, Camera(2.0, 0.08, 1.0, 50, 0.7)),
        ("en_packing_1", "packing", 7, Camera(5.5, 0.05, 0.9, 62, 0.65)),
        ("en_packing_2", "packing", 8, Camera(-4.5, 0.06, 0.9, 52, 0.7, "blue")),
    ]
    for index, (name, layout, count, cam) in enumerate(specs):
        english = layout == "packing"
        lines = make_lines(rng, count, english=english, lots=layout == "suihuo")
        if layout == "songhuodan":
            lines[rng.randrange(count)]["remark"] = "急件"
        note = Note(name, layout, "Pacific Auto Parts Trading Co., Ltd." if english
                    else SUPPLIERS[index % len(SUPPLIERS)],
                    f"{'PL' if english else 'SH'}{2611}{index:02d}{rng.randint(100, 999)}",
                    f"PO-2026-{rng.randint(1000, 9999)}",
                    f"2026-11-{rng.randint(1, 28):02d}", lines)
        note.pages = [lines]
        cases.append((note, [cam]))
    # A two-page note: two photos, each page with its header and 本页小计.
    lines = make_lines(rng, 14)
    note = Note("zh_songhuodan_2pages", "songhuodan", SUPPLIERS[0], "SH261199001", "PO-2026-7788",
                "2026-11-20", lines, pages=[lines[:8], lines[8:]])
    cases.append((note, [Camera(3.0, 0.04, 0.8, 65, 0.75), Camera(-5.0, 0.05, 1.0, 60, 0.7)]))
    return cases


def render(note: Note, page_no: int, rng: random.Random, cam: Camera) -> Image.Image:
    ink = (20, 20, 20)
    page_lines = note.pages[page_no - 1]
    if note.layout == "songhuodan":
        return print_songhuodan(note, page_lines, page_no, len(note.pages), rng, ink)
    if note.layout == "suihuo":
        return print_suihuo(note, page_lines, rng, ink)
    return print_packing_list(note, page_lines, rng, ink)


def main() -> None:
    expected = []
    for old in HERE.glob("*.jpg"):
        old.unlink()
    for note, cameras in notes():
        rng = random.Random(note.name)
        photos = []
        for page_no, cam in enumerate(cameras, start=1):
            page = render(note, page_no, rng, cam)
            name = f"{note.name}_p{page_no}.jpg" if len(cameras) > 1 else f"{note.name}.jpg"
            (HERE / name).write_bytes(photograph(page, cam, rng))
            photos.append(name)
        expected.append({"name": note.name, "layout": note.layout, "photos": photos,
                         "note_no": note.note_no, "po_number": note.po_number,
                         "date": note.date, "supplier": note.supplier, "lines": note.lines})
    (HERE / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n",
                                        encoding="utf-8")


if __name__ == "__main__":
    main()


def photo_of_note(lines: list[dict], *, note_no: str, po_number: str, supplier: str,
                  camera: Camera | None = None, seed: str = "note",
                  layout: str = "songhuodan") -> bytes:
    """A photographed note of the given lines (for tests that need their own items):
    a portrait 送货单, or a landscape 随货同行联 form (its lines need lot_no and expiry_date)."""
    rng = random.Random(seed)
    note = Note(seed, layout, supplier, note_no, po_number, "2026-11-20", lines, pages=[lines])
    page = render(note, 1, rng, camera)
    return photograph(page, camera or Camera(-3.0, 0.03, 0.6, 70, 0.8), rng)


def y4m_of(photo: bytes, size: tuple[int, int] = (1280, 960)) -> bytes:
    """One-frame YUV4MPEG2 video of a photo, for Chromium's fake camera."""
    width, height = size
    frame = cv2.cvtColor(np.asarray(Image.open(io.BytesIO(photo)).convert("RGB").resize(size)),
                         cv2.COLOR_RGB2YUV_I420)
    header = f"YUV4MPEG2 W{width} H{height} F30:1 Ip A1:1 C420jpeg\n".encode()
    return header + b"FRAME\n" + frame.tobytes()
