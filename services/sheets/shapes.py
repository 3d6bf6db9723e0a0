"""Tables that are not one plain grid of lines: two copies side by side, items
printed as labelled cards, items over two rows (the spec or lot under the name), a
kit's contents numbered under it."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from services.sheets import layout
from services.sheets import vocabulary as vocab
from services.sheets.fields import to_text
from services.sheets.formats import Grid, cell_date
from services.sheets.layout import ITEM_FIELDS

if TYPE_CHECKING:
    from services.sheets.reader import TableRow


def one_table(grid: Grid, header: layout.Header) -> tuple[Grid, layout.Header]:
    """Two copies of a table side by side on one page (lines 1-10 left, 11-20 right
    under the same header): the right copy read below the left one. Its lines then
    carry row numbers past the sheet's; merged cells and formulas of the moved part
    are dropped (their places changed)."""
    split = layout.repeated_header(header.texts)
    if split is None:
        return grid, header
    first, right = split
    rows = grid.rows
    body_end = max((i + 1 for i in range(header.row, len(rows))
                    if any(v not in (None, "") for v in rows[i][right:])), default=header.row)
    body = rows[header.row:body_end]
    moved = rows[:header.row] + [r[:right] for r in body] + \
        [[None] * first + r[right:] for r in body] + rows[body_end:]
    kept = [m for m in grid.merged if m[3] < right and m[2] < body_end]
    formulas = {(r, c) for r, c in grid.formula_no_value if c < right and r <= body_end}
    texts = header.texts[:right]
    return (Grid(grid.name, moved, kept, formulas),
            layout.Header(header.row, {f: c for f, c in header.columns.items() if c < right},
                          texts, header.strengths, header.qty_with_unit))


def cards_as_table(grid: Grid) -> Grid | None:
    """A sheet of item cards (no header row) as the table it stands for, below the
    header block it keeps. Its row numbers are then those of the table, not the sheet."""
    found = card_table(grid.rows)
    if found is None or found[0] >= layout.HEADER_SCAN_ROWS:
        return None
    first, table = found
    return Grid(grid.name, grid.rows[:first] + table)


# An item printed over two rows: the second row only adds text under the first.
_CONTINUED = frozenset(("name", "spec", "lot_no", "expiry_date", "remark", "barcode"))
_FIGURES = ("qty", "unit_price", "price_incl_tax", "price_excl_tax", "amount",
            "amount_incl_tax", "amount_excl_tax")


def join_continued(records: list[TableRow], header: layout.Header) -> list[TableRow]:
    """Rows that continue the line above (the spec under the name, the lot under the
    code, its quantity and prices merged over both) are joined to it. Only with a
    code column: without one, a line that lost its quantity looks the same and must
    stay an error."""
    if "sku" not in header.columns:
        return records
    out: list[TableRow] = []
    for record in records:
        values = record.values
        if values.get("qty") in (None, "") and out and out[-1].row == record.row - 1:
            own = _own_text(values, out[-1].values)
            if own:
                _append(out[-1].values, values, own)
                continue
        out.append(record)
    return out


def _own_text(values: dict[str, Any], above: dict[str, Any]) -> list[str]:
    """The fields a row adds to the line above, when it adds nothing but text
    (cells merged down from the line above repeat its values)."""
    if above.get("qty") in (None, "") or any(values.get(f) not in (None, "") for f in _FIGURES):
        return []
    own = [f for f, v in values.items() if v not in (None, "") and v != above.get(f)]
    return own if own and _CONTINUED.issuperset(own) else []


def _append(above: dict[str, Any], values: dict[str, Any], own: list[str]) -> None:
    for f in own:
        target = "spec" if f == "name" else f     # the text under a name is its spec
        if above.get(target) in (None, ""):
            above[target] = values[f]
        elif target != "expiry_date":
            above[target] = f"{to_text(cell_date(above[target]))} {to_text(cell_date(values[f]))}"


_SUB_NUMBER = re.compile(r"^\s*(\d+)\s*[-.]\s*\d+\s*$")


def is_kit_content(number: str, parent: Any, record: dict[str, Any]) -> bool:
    """A row numbered '1-1', '1-2' under line 1, without a price of its own, lists
    what the kit of line 1 holds: received as the kit, never as goods of its own."""
    match = _SUB_NUMBER.match(number)
    # the kit's own number is a plain one: '1-2' under '1-1' is a numbering scheme
    if not match or to_text(parent) != match[1]:
        return False
    return all(record.get(f) in (None, "") for f in _FIGURES if f != "qty")


CARD_SCAN_ROWS = 2000
_CARD_LABEL = re.compile(r"^\s*([^:：]{1,20}?)\s*[:：]\s*(.*)$", re.S)


def card_table(rows: list[list]) -> tuple[int, list[list]] | None:
    """A sheet without a table that prints one block of labelled cells per item
    ('配件编码：' 'OF-100' '数量：' '20个' …, blocks parted by a blank row) as a table:
    (index of the first item's row, [the labels, then one row per item]). None when
    no block names a quantity and an item."""
    cards: list[tuple[int, dict[str, Any]]] = []
    labels: dict[str, str] = {}
    card: dict[str, Any] = {}
    start = 0
    for index, values in enumerate(rows[:CARD_SCAN_ROWS]):
        pairs = _card_pairs(values)
        for name, label, value in pairs:
            if name in card:                  # the field again: the next item's block
                cards.append((start, card))
                card = {}
            if not card:
                start = index
            card[name] = value
            labels.setdefault(name, label)
        if not pairs and card:
            cards.append((start, card))
            card = {}
    if card:
        cards.append((start, card))
    items = [(i, c) for i, c in cards if "qty" in c and set(c) & set(ITEM_FIELDS)]
    if not items:
        return None
    names = [n for n in labels if any(n in c for _, c in items)]
    return items[0][0], [[labels[n] for n in names]] + [[c.get(n) for n in names]
                                                       for _, c in items]


def _card_pairs(values: list) -> list[tuple[str, str, Any]]:
    """(field, label, value) of each 'label：' cell of a row naming a line field; the
    value follows the colon in the cell or is the next cell."""
    out = []
    for col, value in enumerate(values):
        match = _CARD_LABEL.match(value) if isinstance(value, str) else None
        found = vocab.header_field(match[1]) if match else None
        if not found or found[0] in ("ignore", "line_no"):
            continue
        inline = match[2].strip()
        after = values[col + 1] if col + 1 < len(values) else None
        if not inline and isinstance(after, str) and _CARD_LABEL.match(after):
            after = None
        out.append((found[0], match[1], inline or after))
    return out
