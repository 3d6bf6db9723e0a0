"""Code 128 subset B against known encodings."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import barcode

# Module strings of single symbols from the Code 128 specification's table.
KNOWN = {
    " ": "11011001100", "0": "10011101100", "A": "10100011000", "P": "11101110110",
    "J": "10110111000", "a": "10010110000", "~": "10001011110", "-": "10011011100",
}
START_B = "11010010000"
STOP = "1100011101011"


def test_single_symbols_match_the_table():
    for ch, expected in KNOWN.items():
        bits = barcode.modules(ch)
        assert bits[:11] == START_B
        assert bits[11:22] == expected
        assert bits.endswith(STOP)


def test_pjj123c_known_check_symbol_and_full_pattern():
    # 104 + 48*1 + 42*2 + 42*3 + 17*4 + 18*5 + 19*6 + 35*7 = 879; 879 mod 103 = 55 ('W').
    assert barcode.symbol_values("PJJ123C") == [104, 48, 42, 42, 17, 18, 19, 35, 55]
    expected = (START_B + "11101110110" + "10110111000" + "10110111000" + "10011100110"
                + "11001110010" + "11001011100" + "10001000110" + "11101000110" + STOP)
    assert barcode.modules("PJJ123C") == expected


def test_wikipedia_check_value():
    # "Wikipedia" in subset B: the check symbol is 33 ('A').
    values = barcode.symbol_values("Wikipedia")
    total = 104 + sum(i * v for i, v in enumerate(values[1:-1], start=1))
    assert values[-1] == total % 103


def test_pattern_table_is_a_valid_code128_table():
    assert len(barcode.PATTERNS) == 106
    assert len(set(barcode.PATTERNS)) == 106
    for pattern in barcode.PATTERNS:
        widths = [int(w) for w in pattern]
        assert sum(widths) == 11
        assert sum(widths[0::2]) % 2 == 0          # bars: even module count
    assert sum(int(w) for w in barcode.STOP_PATTERN) == 13


@pytest.mark.parametrize("bad", ["", "é", "OF\n100", "零件"])
def test_refuses_text_outside_subset_b(bad):
    with pytest.raises(barcode.BarcodeError):
        barcode.modules(bad)


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1,
               max_size=30))
def test_length_and_bars(text):
    bits = barcode.modules(text)
    assert len(bits) == 11 * (len(text) + 3) + 2
    assert bits.startswith("11") and bits.endswith("11")
    rebuilt = ["0"] * (len(bits) + 2 * barcode.QUIET_ZONE)
    for start, width in barcode.bars(text):
        rebuilt[start:start + width] = ["1"] * width
    assert "".join(rebuilt)[barcode.QUIET_ZONE:-barcode.QUIET_ZONE] == bits


def test_svg_escapes_text():
    svg = barcode.svg("A&B<1>", extra_lines=("<script>alert(1)</script>",))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "A&amp;B&lt;1&gt;" in svg
    assert svg.count("<rect") == len(barcode.bars("A&B<1>")) + 1
