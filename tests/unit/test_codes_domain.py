"""GTIN check digits (EAN-13, UPC-A), the key codes are matched by, lot label payloads."""
from hypothesis import given
from hypothesis import strategies as st

from domain.codes import (
    as_ean13,
    code_key,
    gtin_check_digit,
    is_valid_gtin,
    lot_id_from_payload,
    lot_label_payload,
)

digits = st.text(alphabet="0123456789", min_size=12, max_size=12)


def test_known_codes():
    assert gtin_check_digit("400638133393") == 1          # 4006381333931, GS1's example
    assert is_valid_gtin("4006381333931")
    assert is_valid_gtin("036000291452")                  # a UPC-A
    assert not is_valid_gtin("4006381333932")
    assert not is_valid_gtin("40063813339")               # too short
    assert not is_valid_gtin("４００６３８１３３３９３１")   # full-width digits
    assert as_ean13("036000291452") == "0036000291452"


@given(digits)
def test_the_check_digit_makes_a_valid_ean13_and_only_it_does(body):
    check = gtin_check_digit(body)
    assert is_valid_gtin(body + str(check))
    assert sum(is_valid_gtin(body + str(d)) for d in range(10)) == 1


@given(digits, st.integers(0, 11), st.integers(1, 9))
def test_any_single_digit_error_is_caught(body, position, shift):
    code = body + str(gtin_check_digit(body))
    wrong = code[:position] + str((int(code[position]) + shift) % 10) + code[position + 1:]
    assert not is_valid_gtin(wrong)


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_upc_a_and_its_ean13_form_share_one_key(body):
    upc = body + str(gtin_check_digit(body))
    assert code_key(upc) == code_key("0" + upc) == "0" + upc


def test_keys_ignore_case_and_separators():
    assert code_key(" 04465-33450 ") == code_key("0446533450") == code_key("04465 33450")
    assert code_key("ab.c/d_e") == "ABCDE"


@given(st.integers(1, 10**12))
def test_lot_label_payload_round_trips(lot_id):
    assert lot_id_from_payload(lot_label_payload(lot_id)) == lot_id
    assert lot_id_from_payload(lot_label_payload(lot_id).lower()) == lot_id


def test_other_text_is_no_lot_label():
    assert lot_id_from_payload("LOT:") is None
    assert lot_id_from_payload("LOT:12a") is None
    assert lot_id_from_payload("6901234567892") is None
