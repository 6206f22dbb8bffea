"""The WAVE codec: parsing, canonical formatting, validation and errors."""

from __future__ import annotations

import math
import random
import struct
from typing import Any

import pytest

from domain.model import wave
from domain.model.types import (
    BOOL,
    BYTES,
    CHAR,
    F32,
    F64,
    S8,
    S16,
    S32,
    S64,
    STRING,
    U8,
    U16,
    U32,
    U64,
    INTEGER_RANGES,
    EnumType,
    Err,
    FlagsType,
    HandleType,
    ListType,
    Ok,
    OptionType,
    Param,
    Primitive,
    RecordType,
    ResultType,
    Some,
    TupleType,
    UnsupportedType,
    ValueType,
    Variant,
    VariantType,
)
from domain.model.wave import WaveError


def f32(x: float) -> float:
    return struct.unpack("<f", struct.pack("<f", x))[0]


ITEM = RecordType((("name", STRING), ("qty", U32), ("note", OptionType(STRING))))
ORDER = RecordType((("id", U64), ("items", ListType(ITEM)), ("paid", BOOL)))
SHAPE = VariantType((("circle", F64), ("square", TupleType((F64, F64))), ("empty", None), ("true", U8)))
COLOR = EnumType(("red", "green", "none"))
PERMS = FlagsType(("read", "write", "exec"))
OPT_OPT = OptionType(OptionType(U32))
RES = ResultType(STRING, STRING)
RES_BARE = ResultType(None, None)
RES_ERR_ONLY = ResultType(None, U8)
RES_OK_ONLY = ResultType(U8, None)

ROUND_TRIPS: list[tuple[ValueType, Any]] = [
    (BOOL, True),
    (BOOL, False),
    (S8, -128),
    (S8, 127),
    (S16, -32768),
    (S16, 32767),
    (S32, -(2**31)),
    (S32, 2**31 - 1),
    (S64, -(2**63)),
    (S64, 2**63 - 1),
    (U8, 0),
    (U8, 255),
    (U16, 65535),
    (U32, 2**32 - 1),
    (U64, 0),
    (U64, 2**53 + 1),
    (U64, 2**64 - 1),
    (F64, 0.0),
    (F64, 1.5),
    (F64, -2.25),
    (F64, 0.1),
    (F64, 1 / 3),
    (F64, 1e300),
    (F64, 1e-7),
    (F64, 5e-324),
    (F64, 1.7976931348623157e308),
    (F64, 123456789012345680.0),
    (F64, math.inf),
    (F64, -math.inf),
    (F32, f32(0.1)),
    (F32, f32(1 / 3)),
    (F32, f32(3.4028234663852886e38)),
    (F32, f32(1.401298464324817e-45)),
    (F32, f32(16777216.0)),
    (F32, f32(-1e-20)),
    (F32, math.inf),
    (CHAR, "a"),
    (CHAR, "'"),
    (CHAR, '"'),
    (CHAR, "\\"),
    (CHAR, "\n"),
    (CHAR, "\t"),
    (CHAR, "\x00"),
    (CHAR, "😀"),
    (CHAR, "\u202e"),
    (STRING, ""),
    (STRING, "hello, world"),
    (STRING, 'quote " and backslash \\ and apostrophe \''),
    (STRING, "line\nbreak\ttab\rreturn"),
    (STRING, "unicode: é 日本語 😀 \u00a0 nbsp"),
    (STRING, "controls \x00 \x07 \x1b \x7f \u0085 bidi \u202e zero-width \u200b"),
    (STRING, "%true none ok"),
    (STRING, '"""'),
    (BYTES, b""),
    (BYTES, bytes(range(256))),
    (ListType(STRING), []),
    (ListType(STRING), ["a", "b,c", ""]),
    (ListType(ListType(U32)), [[], [1], [2, 3]]),
    (ListType(S8), [-128, 0, 127]),
    (TupleType(()), ()),
    (TupleType((U8, STRING)), (1, "a")),
    (TupleType((TupleType((BOOL,)), CHAR)), ((True,), "x")),
    (ITEM, {"name": "x", "qty": 2, "note": None}),
    (ITEM, {"name": "x", "qty": 2, "note": Some("fragile")}),
    (
        ORDER,
        {
            "id": 2**64 - 1,
            "items": [{"name": "a", "qty": 1, "note": None}, {"name": "b", "qty": 0, "note": Some("")}],
            "paid": False,
        },
    ),
    (RecordType(()), {}),
    (SHAPE, Variant("circle", 1.5)),
    (SHAPE, Variant("square", (2.0, 3.0))),
    (SHAPE, Variant("empty")),
    (SHAPE, Variant("true", 7)),
    (COLOR, "red"),
    (COLOR, "none"),
    (OptionType(U32), None),
    (OptionType(U32), Some(0)),
    (OPT_OPT, None),
    (OPT_OPT, Some(None)),
    (OPT_OPT, Some(Some(3))),
    (OptionType(COLOR), Some("none")),
    (OptionType(VariantType((("none", None), ("some", U8)))), Some(Variant("some", 1))),
    (RES, Ok("y")),
    (RES, Err("e")),
    (RES_BARE, Ok()),
    (RES_BARE, Err()),
    (RES_ERR_ONLY, Ok()),
    (RES_ERR_ONLY, Err(4)),
    (RES_OK_ONLY, Ok(4)),
    (RES_OK_ONLY, Err()),
    (ResultType(OptionType(U8), None), Ok(None)),
    (ResultType(ResultType(U8, U8), U8), Ok(Err(1))),
    (PERMS, frozenset()),
    (PERMS, frozenset({"write"})),
    (PERMS, frozenset({"read", "write", "exec"})),
    (FlagsType(("ok", "none")), frozenset({"ok", "none"})),
    (ListType(OptionType(ITEM)), [None, Some({"name": "n", "qty": 5, "note": None})]),
    (VariantType((("nested", OPT_OPT),)), Variant("nested", None)),
    (VariantType((("nested", OPT_OPT),)), Variant("nested", Some(None))),
]


def _id(case: tuple[ValueType, Any]) -> str:
    t, v = case
    return f"{t.wit()[:30]}={wave.format(v, t)}"[:60]  # WAVE text: the same in every process (a set repr is not)


@pytest.mark.parametrize("case", ROUND_TRIPS, ids=[_id(c) for c in ROUND_TRIPS])
def test_parsing_the_formatted_text_gives_back_the_same_value(case: tuple[ValueType, Any]) -> None:
    t, value = case
    text = wave.format(value, t)
    parsed = wave.parse(text, t)
    assert parsed == value
    assert type(parsed) is type(value)
    assert wave.format(parsed, t) == text


@pytest.mark.parametrize("case", ROUND_TRIPS, ids=[_id(c) for c in ROUND_TRIPS])
def test_formatted_text_is_a_single_line(case: tuple[ValueType, Any]) -> None:
    t, value = case
    assert "\n" not in wave.format(value, t)


def test_u64_above_2_pow_53_round_trips_exactly() -> None:
    for value in (2**53 + 1, 2**63 + 12345, 2**64 - 1):
        assert wave.format(value, U64) == str(value)
        assert wave.parse(str(value), U64) == value


def test_s64_minimum_round_trips_exactly() -> None:
    assert wave.format(-(2**63), S64) == "-9223372036854775808"
    assert wave.parse("-9223372036854775808", S64) == -(2**63)


@pytest.mark.parametrize("t", [F32, F64])
def test_nan_is_written_as_nan_and_parses_back_to_nan(t: ValueType) -> None:
    assert wave.format(math.nan, t) == "nan"
    assert math.isnan(wave.parse("nan", t))
    assert math.isnan(wave.parse(wave.format(math.nan, t), t))


@pytest.mark.parametrize("t", [F32, F64])
def test_negative_zero_keeps_its_sign(t: ValueType) -> None:
    text = wave.format(-0.0, t)
    assert text == "-0.0"
    value = wave.parse(text, t)
    assert value == 0.0 and math.copysign(1.0, value) == -1.0


@pytest.mark.parametrize("t", [F32, F64])
def test_infinities_are_written_as_keywords(t: ValueType) -> None:
    assert wave.format(math.inf, t) == "inf"
    assert wave.format(-math.inf, t) == "-inf"
    assert wave.parse("inf", t) == math.inf
    assert wave.parse("-inf", t) == -math.inf


def test_f32_value_is_written_as_the_shortest_decimal_that_round_trips_through_f32() -> None:
    assert wave.format(f32(0.1), F32) == "0.1"
    assert wave.format(f32(1 / 3), F32) == "0.33333334"
    assert wave.format(f32(3.4028234663852886e38), F32) == "3.4028235e38"
    assert wave.format(f32(1.401298464324817e-45), F32) == "1e-45"


def test_f32_parse_rounds_to_the_nearest_float32() -> None:
    assert wave.parse("0.1", F32) == f32(0.1)
    assert wave.parse("16777217", F32) == 16777216.0


def test_f32_format_rounds_a_double_to_float32_first() -> None:
    assert wave.format(0.1, F32) == "0.1"
    assert wave.format(16777217.0, F32) == "16777216.0"


def test_f64_is_written_in_shortest_repr_form_with_a_plain_exponent() -> None:
    assert wave.format(0.1, F64) == "0.1"
    assert wave.format(1.0, F64) == "1.0"
    assert wave.format(1e16, F64) == "1e16"
    assert wave.format(1.5e-7, F64) == "1.5e-7"
    assert wave.format(1e300, F64) == "1e300"


def test_integers_are_accepted_for_float_types() -> None:
    assert wave.format(3, F64) == "3.0"
    assert wave.parse("3", F64) == 3.0
    assert wave.parse("-7", F32) == -7.0


CANONICAL: list[tuple[Any, ValueType, str]] = [
    (42, U32, "42"),
    (-5, S8, "-5"),
    (True, BOOL, "true"),
    ("text", STRING, '"text"'),
    ('a"b\\c\nd', STRING, '"a\\"b\\\\c\\nd"'),
    ("it's", STRING, '"it\'s"'),
    ("\x00\u202e", STRING, '"\\u{0}\\u{202e}"'),
    ("é😀", STRING, '"é😀"'),
    ("c", CHAR, "'c'"),
    ("'", CHAR, "'\\''"),
    ('"', CHAR, "'\"'"),
    ("\n", CHAR, "'\\n'"),
    (b"\x01\x02\x03", BYTES, "[1, 2, 3]"),
    ([1, 2], ListType(U32), "[1, 2]"),
    ([], ListType(U32), "[]"),
    ((1, "a"), TupleType((U8, STRING)), '(1, "a")'),
    ({"qty": 2, "name": "x", "note": None}, ITEM, '{name: "x", qty: 2, note: none}'),
    ({}, RecordType(()), "{:}"),
    (Some(1), OptionType(U8), "some(1)"),
    (None, OptionType(U8), "none"),
    (Some(None), OPT_OPT, "some(none)"),
    (Ok("y"), RES, 'ok("y")'),
    (Err("e"), RES, 'err("e")'),
    (Ok(), RES_BARE, "ok"),
    (Err(), RES_BARE, "err"),
    (frozenset({"write", "read"}), PERMS, "{read, write}"),
    (frozenset(), PERMS, "{}"),
    (Variant("circle", 2.0), SHAPE, "circle(2.0)"),
    (Variant("empty"), SHAPE, "empty"),
]


@pytest.mark.parametrize(("value", "t", "text"), CANONICAL, ids=[c[2] for c in CANONICAL])
def test_format_writes_the_canonical_wave_text(value: Any, t: ValueType, text: str) -> None:
    assert wave.format(value, t) == text


def test_variant_and_enum_cases_named_like_keywords_are_written_with_percent() -> None:
    assert wave.format(Variant("true", 1), SHAPE) == "%true(1)"
    assert wave.format("none", COLOR) == "%none"
    assert wave.format(Some("none"), OptionType(COLOR)) == "some(%none)"
    kw = EnumType(tuple(sorted(wave.KEYWORDS)))
    for name in kw.names:
        assert wave.format(name, kw) == "%" + name
        assert wave.parse("%" + name, kw) == name


def test_record_fields_and_flags_named_like_keywords_are_written_plainly() -> None:
    t = RecordType((("ok", BOOL), ("none", U8)))
    assert wave.format({"ok": True, "none": 1}, t) == "{ok: true, none: 1}"
    assert wave.format(frozenset({"ok"}), FlagsType(("ok", "none"))) == "{ok}"


def test_format_accepts_sets_lists_for_tuples_and_bytearrays() -> None:
    assert wave.format({"read"}, PERMS) == "{read}"
    assert wave.format([1, "a"], TupleType((U8, STRING))) == '(1, "a")'
    assert wave.format(bytearray(b"\x05"), BYTES) == "[5]"
    assert wave.format([5, 6], BYTES) == "[5, 6]"


ACCEPTED: list[tuple[str, ValueType, Any]] = [
    ("  42  ", U32, 42),
    ("\n\t42\r\n", U32, 42),
    ("-0", S32, 0),
    ("42 // the answer", U32, 42),
    ("// leading comment\n42", U32, 42),
    ("true", BOOL, True),
    (" false ", BOOL, False),
    ("3.14", F64, 3.14),
    ("6.022e+23", F64, 6.022e23),
    ("1E10", F64, 1e10),
    ("1e10", F32, 1e10),
    ("-0.0", F64, -0.0),
    ("'\\u{1F600}'", CHAR, "😀"),
    ("'\\''", CHAR, "'"),
    ("'\"'", CHAR, '"'),
    ("'\\n'", CHAR, "\n"),
    ("'☃'", CHAR, "☃"),
    ('"a\\"b"', STRING, 'a"b'),
    ('"\\\\ \\n \\r \\t \\\' \\""', STRING, "\\ \n \r \t ' \""),
    ('"\\u{48}\\u{49}"', STRING, "HI"),
    ('"it\'s"', STRING, "it's"),
    ('"tab\there"', STRING, "tab\there"),
    ('"""\nA single line\n"""', STRING, "A single line"),
    ('"""\n    Indentation determined\n      by ending delimiter\n  """', STRING, "  Indentation determined\n    by ending delimiter"),
    ('"""\r\n  crlf\r\n  lines\r\n  """', STRING, "crlf\nlines"),
    ('"""\n  quotes "" and \\"\\"\\" inside\n  """', STRING, 'quotes "" and """ inside'),
    ('"""\n"""', STRING, ""),
    ("[1, 2, 3,]", BYTES, b"\x01\x02\x03"),
    ("[ 1 ,2 , 3 ]", BYTES, b"\x01\x02\x03"),
    ("[1, // one\n 2]", BYTES, b"\x01\x02"),
    ("[]", BYTES, b""),
    ("[ ]", ListType(STRING), []),
    ('["a", "b",]', ListType(STRING), ["a", "b"]),
    ("[-1, 0, 1]", ListType(S16), [-1, 0, 1]),
    ('(1, "a",)', TupleType((U8, STRING)), (1, "a")),
    ("( )", TupleType(()), ()),
    ('{qty: 2, name: "x"}', ITEM, {"name": "x", "qty": 2, "note": None}),
    ('{ name : "x" , qty : 2 , note : some("n") , }', ITEM, {"name": "x", "qty": 2, "note": Some("n")}),
    ('{%name: "x", qty: 2}', ITEM, {"name": "x", "qty": 2, "note": None}),
    ('{note: "flat", name: "x", qty: 2}', ITEM, {"name": "x", "qty": 2, "note": Some("flat")}),
    ("{:}", RecordType((("a", OptionType(U8)),)), {"a": None}),
    ("{}", RecordType((("a", OptionType(U8)),)), {"a": None}),
    ("circle(1.0)", SHAPE, Variant("circle", 1.0)),
    ("circle ( 1 )", SHAPE, Variant("circle", 1.0)),
    ("%circle(1)", SHAPE, Variant("circle", 1.0)),
    ("%true(1)", SHAPE, Variant("true", 1)),
    ("true(1)", SHAPE, Variant("true", 1)),
    ("empty", SHAPE, Variant("empty")),
    ("%none", COLOR, "none"),
    ("green", COLOR, "green"),
    ("5", OptionType(U8), Some(5)),
    ('"flat some"', OptionType(STRING), Some("flat some")),
    ("some( 5 )", OptionType(U8), Some(5)),
    ("none", OptionType(COLOR), None),
    ("%none", OptionType(COLOR), Some("none")),
    ("red", OptionType(COLOR), Some("red")),
    ("some(none)", OPT_OPT, Some(None)),
    ("some(some(1))", OPT_OPT, Some(Some(1))),
    ('"flat ok"', RES, Ok("flat ok")),
    ("7", RES_OK_ONLY, Ok(7)),
    ("err", RES_OK_ONLY, Err()),
    ("ok", RES_ERR_ONLY, Ok()),
    ("{write, read,}", PERMS, frozenset({"read", "write"})),
    ("{ }", PERMS, frozenset()),
    ("{%exec}", PERMS, frozenset({"exec"})),
]


@pytest.mark.parametrize(("text", "t", "value"), ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_parse_accepts_every_valid_wave_spelling(text: str, t: ValueType, value: Any) -> None:
    parsed = wave.parse(text, t)
    assert parsed == value
    assert type(parsed) is type(value)


def test_list_of_u8_parses_to_bytes() -> None:
    assert wave.parse("[0, 255]", BYTES) == b"\x00\xff"
    assert isinstance(wave.parse("[0, 255]", BYTES), bytes)
    assert isinstance(wave.parse("[0, 255]", ListType(U16)), list)


def test_missing_option_fields_default_to_none() -> None:
    t = RecordType((("a", OptionType(U8)), ("b", U8), ("c", OPT_OPT)))
    assert wave.parse("{b: 1}", t) == {"a": None, "b": 1, "c": None}


def test_option_of_option_distinguishes_some_none_from_none() -> None:
    assert wave.parse("none", OPT_OPT) is None
    assert wave.parse("some(none)", OPT_OPT) == Some(None)
    assert wave.format(None, OPT_OPT) == "none"
    assert wave.format(Some(None), OPT_OPT) == "some(none)"


def test_option_of_option_does_not_accept_the_flat_form() -> None:
    with pytest.raises(WaveError, match="some"):
        wave.parse("5", OPT_OPT)


def _error(text: str, t: ValueType) -> WaveError:
    with pytest.raises(WaveError) as info:
        wave.parse(text, t)
    return info.value


ERRORS: list[tuple[str, ValueType, str]] = [
    ("300", U8, 'at column 1: expected u8 (0..255), found "300"'),
    ("(1, 300)", TupleType((U8, U8)), 'at column 5: expected u8 (0..255), found "300"'),
    ("-1", U32, 'at column 1: expected u32 (0..4294967295), found "-1"'),
    ("-129", S8, 'at column 1: expected s8 (-128..127), found "-129"'),
    ("18446744073709551616", U64, "expected u64 (0..18446744073709551615)"),
    ("1.5", U32, 'at column 1: expected u32 (0..4294967295), found "1.5"'),
    ("007", U32, 'at column 1: expected u32 (0..4294967295), found "007"'),
    ("abc", U32, 'at column 1: expected u32 (0..4294967295), found "abc"'),
    ('"5"', U32, "at column 1: expected u32 (0..4294967295), found a string"),
    ("", U32, "at column 1: expected u32 (0..4294967295), found end of input"),
    ("yes", BOOL, 'at column 1: expected bool (true or false), found "yes"'),
    ("1e39", F32, 'at column 1: expected f32, found "1e39" (out of f32 range)'),
    ("1e400", F64, "out of f64 range"),
    ("NaN", F64, 'at column 1: expected f64 (a number, nan, inf or -inf), found "NaN"'),
    (".5", F64, 'found ".5"'),
    ('"abc', STRING, 'at column 1: unterminated string, expected a closing "'),
    ('  "abc\ndef"', STRING, "at line 1, column 7: expected a closing \" or \\n, found a line break inside the string"),
    ('"a\\qb"', STRING, 'at column 3: expected an escape'),
    ('"\\u{D800}"', STRING, "at column 2: \\u{D800} is not a Unicode scalar value"),
    ('"\\u{110000}"', STRING, "is not a Unicode scalar value"),
    ('"\\u{zz}"', STRING, "at column 2: expected a unicode escape"),
    ("abc", STRING, 'at column 1: expected string, found "abc"'),
    ('"""abc"""', STRING, "at column 4: expected a line break after"),
    ('"""\nabc', STRING, "at line 1, column 1: unterminated multi-line string"),
    ('"""\n  abc"""', STRING, "on a line of its own"),
    ('"""\n a\n  """', STRING, "at line 2, column 2: expected 2 spaces of indentation"),
    ("'ab'", CHAR, "at column 1: expected char, found more than one character"),
    ("'a", CHAR, "at column 1: unterminated char"),
    ("''", CHAR, "at column 1: expected char, found an empty or unterminated char literal"),
    ("a", CHAR, 'at column 1: expected char, found "a"'),
    ("[1, 2", BYTES, 'at column 6: expected "," or "]", found end of input'),
    ("[1 2]", BYTES, 'at column 4: expected "," or "]", found "2"'),
    ("[1, 256]", BYTES, 'at column 5: expected u8 (0..255), found "256"'),
    ("[1,, 2]", BYTES, 'at column 4: expected u8 (0..255), found ","'),
    ("1", ListType(U8), 'at column 1: expected list<u8>, found "1"'),
    ("(1)", TupleType((U8, U8)), 'at column 3: expected "," and 1 more element(s) of tuple<u8, u8>, found ")"'),
    ("(1, 2, 3)", TupleType((U8, U8)), 'at column 8: expected ")" after 2 element(s) of tuple<u8, u8>, found "3"'),
    ("(1", TupleType((U8,)), 'at column 3: expected ")" after 1 element(s) of tuple<u8>, found end of input'),
    ('{name: "x"}', ITEM, 'at column 1: record is missing field "qty" (u32 (0..4294967295))'),
    ('{name: "x", qty: 1, colour: 2}', ITEM, 'at column 21: unknown field "colour" (fields: name, qty, note)'),
    ('{name: "x", name: "y", qty: 1}', ITEM, 'at column 13: field "name" given twice'),
    ('{name "x"}', ITEM, 'at column 7: expected ":" after field "name", found a string'),
    ('{name: "x" qty: 1}', ITEM, 'at column 12: expected "," or "}", found "qty"'),
    ('{name: "x", qty: 1', ITEM, 'at column 19: expected "," or "}", found end of input'),
    ("{, }", ITEM, 'at column 2: expected a field name, found ","'),
    ("{:", ITEM, 'at column 3: expected "}" after "{:" (empty record), found end of input'),
    ("triangle", SHAPE, 'at column 1: unknown case "triangle" (cases: circle, square, empty, true)'),
    ("circle", SHAPE, 'at column 7: expected "(" and the f64 payload of case "circle", found end of input'),
    ("empty(1)", SHAPE, 'at column 6: case "empty" has no payload, found "("'),
    ("circle(1", SHAPE, 'at column 9: expected ")" closing case "circle", found end of input'),
    ("circle(x)", SHAPE, 'at column 8: expected f64 (a number, nan, inf or -inf), found "x"'),
    ("blue", COLOR, 'at column 1: unknown case "blue" (cases: red, green, none)'),
    ('"red"', COLOR, "at column 1: expected enum { red, green, none }, found a string"),
    ("some", OptionType(U8), 'at column 5: expected "(" and the u8 (0..255) payload of some, found end of input'),
    ("some(1", OptionType(U8), 'at column 7: expected ")" closing some, found end of input'),
    ("maybe", OptionType(U8), 'at column 1: expected u8 (0..255), found "maybe"'),
    ("ok(1)", RES_BARE, 'at column 3: ok has no payload in result, found "("'),
    ("ok", RES, 'at column 3: expected "(" and the string payload of ok, found end of input'),
    ("fine", RES_BARE, 'at column 1: expected ok or err for result, found "fine"'),
    ("{read, delete}", PERMS, 'at column 8: unknown flag "delete" (flags: read, write, exec)'),
    ("{read, read}", PERMS, 'at column 8: flag "read" given twice'),
    ("{read write}", PERMS, 'at column 7: expected "," or "}", found "write"'),
    ("42 43", U32, 'at column 4: expected end of input, found "43"'),
    ("42x", U32, 'at column 1: expected u32 (0..4294967295), found "42x"'),
    ('"a" "b"', STRING, "at column 5: expected end of input, found a string"),
    ("true false", BOOL, 'at column 6: expected end of input, found "false"'),
    ("[1]]", BYTES, 'at column 4: expected end of input, found "]"'),
    ("[1,\n 2,\n x]", ListType(U32), 'at line 3, column 2: expected u32 (0..4294967295), found "x"'),
    ("1 / 2", U32, 'at column 3: expected end of input, found "/"'),
]


@pytest.mark.parametrize(("text", "t", "message"), ERRORS, ids=[f"{c[0]!r}:{c[1].wit()[:20]}" for c in ERRORS])
def test_parse_error_names_the_position_and_the_expectation(text: str, t: ValueType, message: str) -> None:
    error = _error(text, t)
    assert message in str(error)
    assert "\n" not in str(error)
    assert error.column is not None and error.column >= 1


def test_parse_error_reports_line_only_for_multi_line_text() -> None:
    single = _error("  x", U8)
    assert (single.line, single.column) == (None, 3)
    assert str(single).startswith("at column 3:")
    multi = _error("[\n  1,\n  x\n]", ListType(U8))
    assert (multi.line, multi.column) == (3, 3)
    assert str(multi).startswith("at line 3, column 3:")


def test_wave_error_is_a_value_error() -> None:
    assert issubclass(WaveError, ValueError)


def test_long_tokens_are_shortened_in_messages() -> None:
    error = _error("x" * 500, U8)
    assert len(str(error)) < 150


@pytest.mark.parametrize("t", [HandleType("own", "file"), HandleType("borrow"), UnsupportedType("future")])
def test_resources_and_unsupported_types_cannot_be_parsed_or_formatted(t: ValueType) -> None:
    with pytest.raises(WaveError, match="cannot be written in WAVE"):
        wave.parse("1", t)
    with pytest.raises(WaveError, match="cannot be written in WAVE"):
        wave.format(1, t)
    with pytest.raises(WaveError, match=r"at \[0\]: values of type"):
        wave.format([1], ListType(t))


FORMAT_ERRORS: list[tuple[Any, ValueType, str]] = [
    ("x", U32, "expected u32 (0..4294967295), got str 'x'"),
    (True, U8, "expected u8 (0..255), got bool True"),
    (256, U8, "expected u8 (0..255), got int 256"),
    (-1, U64, "expected u64 (0..18446744073709551615), got int -1"),
    (2**63, S64, "expected s64"),
    (1.0, S32, "got float 1.0"),
    (1, BOOL, "expected bool, got int 1"),
    ("1.5", F64, "expected f64, got str '1.5'"),
    (True, F64, "expected f64, got bool True"),
    (1e39, F32, "out of f32 range"),
    ("ab", CHAR, "expected char (a str of length 1), got str 'ab'"),
    ("", CHAR, "expected char"),
    ("\ud800", CHAR, "lone surrogate"),
    ("ok\udfff", STRING, "expected string, got a lone surrogate \\u{dfff}"),
    (b"x", STRING, "expected string, got bytes"),
    ("abc", BYTES, "expected list<u8>, got str 'abc'"),
    ([1, 300], BYTES, "at [1]: expected u8 (0..255), got int 300"),
    ((1,), TupleType((U8, U8)), "expected tuple<u8, u8>"),
    ({"name": "x"}, ITEM, 'missing field "qty"'),
    ({"name": "x", "qty": 1, "note": None, "extra": 1}, ITEM, "unknown field(s) 'extra'"),
    ({"name": "x", "qty": 1, "note": "bare"}, ITEM, "at note: expected None or Some for option<string>, got str 'bare'"),
    ([("a", 1)], ITEM, "expected record"),
    (
        {"id": 1, "items": [{"name": "a", "qty": 1, "note": None}, {"name": "b", "qty": "2", "note": None}], "paid": True},
        ORDER,
        "at items[1].qty: expected u32 (0..4294967295), got str '2'",
    ),
    (Variant("triangle"), SHAPE, "unknown case 'triangle' (cases: circle, square, empty, true)"),
    (Variant("empty", 1), SHAPE, 'case "empty" has no payload, got int 1'),
    (Variant("circle", "big"), SHAPE, "at circle: expected f64, got str 'big'"),
    ("circle", SHAPE, "expected Variant of variant"),
    ("blue", COLOR, "unknown case 'blue' (cases: red, green, none)"),
    (1, COLOR, "expected str case of enum"),
    (5, OptionType(U8), "expected None or Some for option<u8>, got int 5"),
    (Some("x"), OptionType(U8), "at some: expected u8 (0..255), got str 'x'"),
    (Some(Some("x")), OPT_OPT, "at some.some: expected u32"),
    ("y", RES, "expected Ok or Err for result<string, string>, got str 'y'"),
    (Ok(1), RES_BARE, "ok has no payload in result, got int 1"),
    (Err(1), RES, "at err: expected string, got int 1"),
    (frozenset({"delete"}), PERMS, "unknown flag(s) 'delete' (flags: read, write, exec)"),
    (["read"], PERMS, "expected frozenset of flag names"),
    (None, U32, "expected u32 (0..4294967295), got NoneType None"),
]


@pytest.mark.parametrize(("value", "t", "message"), FORMAT_ERRORS, ids=[f"{c[0]!r}:{c[1].wit()[:20]}"[:50] for c in FORMAT_ERRORS])
def test_format_rejects_a_value_that_does_not_fit_the_type(value: Any, t: ValueType, message: str) -> None:
    with pytest.raises(WaveError) as info:
        wave.format(value, t)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_format_error_carries_the_path_inside_the_value() -> None:
    with pytest.raises(WaveError) as info:
        wave.format([{"name": "a", "qty": -1, "note": None}], ListType(ITEM))
    assert info.value.path == "[0].qty"
    assert str(info.value).startswith("at [0].qty: ")


TWO = (Param("a", U32), Param("b", STRING))


def test_parse_args_parses_one_text_per_parameter() -> None:
    assert wave.parse_args(["1", '"x"'], TWO) == [1, "x"]
    assert wave.parse_args([], ()) == []


def test_parse_args_with_the_wrong_count_names_the_signature() -> None:
    with pytest.raises(WaveError) as info:
        wave.parse_args(["1"], TWO)
    assert str(info.value) == "expects 2 arguments (a: u32, b: string), got 1"
    with pytest.raises(WaveError, match=r"^expects 1 argument \(a: u32\), got 2$"):
        wave.parse_args(["1", "2"], TWO[:1])
    with pytest.raises(WaveError, match="^expects no arguments, got 1$"):
        wave.parse_args(["1"], ())


def test_parse_args_error_names_the_parameter() -> None:
    with pytest.raises(WaveError) as info:
        wave.parse_args(["1", "x"], TWO)
    assert str(info.value) == 'argument b (string): at column 1: expected string, found "x"'
    assert info.value.param == "b"
    assert info.value.column == 1


def test_parse_args_fills_trailing_omitted_options_with_none() -> None:
    params = (Param("a", U32), Param("b", OptionType(U8)), Param("c", OptionType(STRING)))
    assert wave.parse_args(["1"], params) == [1, None, None]
    assert wave.parse_args(["1", "some(2)"], params) == [1, Some(2), None]
    with pytest.raises(WaveError, match="expects 3 arguments"):
        wave.parse_args([], params)


def test_format_args_writes_a_parenthesized_argument_list() -> None:
    assert wave.format_args([1, 'say "hi"'], TWO) == '(1, "say \\"hi\\"")'
    assert wave.format_args([], ()) == "()"


def test_format_args_errors_name_the_parameter_or_the_count() -> None:
    with pytest.raises(WaveError, match=r"^argument a \(u32\): expected u32"):
        wave.format_args(["1", "x"], TWO)
    with pytest.raises(WaveError, match=r"^expects 2 arguments \(a: u32, b: string\), got 1$"):
        wave.format_args([1], TWO)


def test_wave_error_survives_pickling() -> None:
    import pickle

    error = _error("300", U8)
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == str(error)
    assert copy.column == 1


def _random_type(rng: random.Random, depth: int) -> ValueType:
    leaves: list[ValueType] = [BOOL, S8, S16, S32, S64, U8, U16, U32, U64, F32, F64, CHAR, STRING]
    if depth <= 0 or rng.random() < 0.35:
        return rng.choice(leaves)
    kind = rng.randrange(9)
    names = ["a", "b-c", "none", "ok", "true", "x1", "some", "err"]
    rng.shuffle(names)
    width = rng.randint(1, 4)
    if kind == 0:
        return ListType(_random_type(rng, depth - 1))
    if kind == 1:
        return TupleType(tuple(_random_type(rng, depth - 1) for _ in range(width)))
    if kind == 2:
        return RecordType(tuple((n, _random_type(rng, depth - 1)) for n in names[:width]))
    if kind == 3:
        return VariantType(tuple((n, None if rng.random() < 0.4 else _random_type(rng, depth - 1)) for n in names[:width]))
    if kind == 4:
        return EnumType(tuple(names[:width]))
    if kind == 5:
        return OptionType(_random_type(rng, depth - 1))
    if kind == 6:
        ok = None if rng.random() < 0.3 else _random_type(rng, depth - 1)
        err = None if rng.random() < 0.3 else _random_type(rng, depth - 1)
        return ResultType(ok, err)
    if kind == 7:
        return FlagsType(tuple(names[:width]))
    return BYTES


_RANDOM_CHARS = "aZ09 '\"\\\n\r\t\x00\x1b\u00a0\u200b\u202eé日😀%{}[](),:"


def _random_value(rng: random.Random, t: ValueType) -> Any:
    if isinstance(t, Primitive):
        name = t.name
        if name == "bool":
            return rng.random() < 0.5
        if name in INTEGER_RANGES:
            lo, hi = INTEGER_RANGES[name]
            return rng.choice([lo, hi, 0, rng.randint(lo, hi)])
        if name == "f64":
            return struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
        if name == "f32":
            return struct.unpack("<f", struct.pack("<I", rng.getrandbits(32)))[0]
        if name == "char":
            return rng.choice(_RANDOM_CHARS)
        return "".join(rng.choice(_RANDOM_CHARS) for _ in range(rng.randint(0, 8)))
    if isinstance(t, ListType):
        items = [_random_value(rng, t.element) for _ in range(rng.randint(0, 3))]
        return bytes(items) if t.is_bytes else items
    if isinstance(t, TupleType):
        return tuple(_random_value(rng, e) for e in t.elements)
    if isinstance(t, RecordType):
        return {n: _random_value(rng, f) for n, f in t.fields}
    if isinstance(t, VariantType):
        case, payload = rng.choice(t.cases)
        return Variant(case, None if payload is None else _random_value(rng, payload))
    if isinstance(t, EnumType):
        return rng.choice(t.names)
    if isinstance(t, OptionType):
        return None if rng.random() < 0.3 else Some(_random_value(rng, t.payload))
    if isinstance(t, ResultType):
        if rng.random() < 0.5:
            return Ok(None if t.ok is None else _random_value(rng, t.ok))
        return Err(None if t.err is None else _random_value(rng, t.err))
    assert isinstance(t, FlagsType)
    return frozenset(n for n in t.names if rng.random() < 0.5)


def _same(a: Any, b: Any) -> bool:
    """Equality that treats nan as equal to nan and tells -0.0 from 0.0."""
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, Variant):
        return a.case == b.case and _same(a.payload, b.payload)
    if isinstance(a, (Some, Ok, Err)):
        return _same(a.value, b.value)
    return bool(a == b)


@pytest.mark.parametrize("seed", range(20))
def test_random_nested_values_round_trip_exactly(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        t = _random_type(rng, 3)
        value = _random_value(rng, t)
        text = wave.format(value, t)
        parsed = wave.parse(text, t)
        assert _same(parsed, value), (t.wit(), text)
        assert wave.format(parsed, t) == text


@pytest.mark.parametrize("spaces", [1, 40, 4000])
def test_a_field_name_followed_by_spaces_and_no_colon_is_rejected_at_once(spaces: int) -> None:
    # Each run of spaces is read once: splitting it between nested repetitions
    # would make this take time exponential in ``spaces``.
    t = RecordType((("a", U8), ("b", STRING)))
    error = _error("{a" + " " * spaces + "x}", t)
    assert str(error) == f'at column {spaces + 3}: expected ":" after field "a", found "x"'


LONG = "1" * 5000


@pytest.mark.parametrize(
    ("text", "t", "message"),
    [
        (LONG, U64, "at column 1: expected u64 (0..18446744073709551615), found a 5000-digit integer"),
        ("-" + LONG, S64, "at column 1: expected s64 (-9223372036854775808..9223372036854775807), found a 5000-digit integer"),
        ("1" * 4301, U8, "at column 1: expected u8 (0..255), found a 4301-digit integer"),
        (f"[1, {LONG}]", BYTES, "at column 5: expected u8 (0..255), found a 5000-digit integer"),
        (f"[1, {LONG}]", ListType(U64), "at column 5: expected u64 (0..18446744073709551615), found a 5000-digit integer"),
        ("[" + "9" * 21 + "]", ListType(U64), "at column 2: expected u64 (0..18446744073709551615), found a 21-digit integer"),
        (f'{{name: "x", qty: {LONG}}}', ITEM, "at column 18: expected u32 (0..4294967295), found a 5000-digit integer"),
        (f"({LONG})", TupleType((S8,)), "at column 2: expected s8 (-128..127), found a 5000-digit integer"),
        (LONG, OptionType(U16), "at column 1: expected u16 (0..65535), found a 5000-digit integer"),
    ],
    ids=lambda v: v[:20] if isinstance(v, str) else None,
)
def test_an_integer_longer_than_python_converts_is_a_wave_error(text: str, t: ValueType, message: str) -> None:
    # int() refuses strings of more than 4300 digits with a plain ValueError.
    error = _error(text, t)
    assert str(error) == message


def test_a_long_number_for_a_float_type_is_out_of_range_or_rounded() -> None:
    assert "out of f64 range" in str(_error(LONG, F64))
    assert wave.parse("0." + LONG, F64) == pytest.approx(1 / 9)


# --- the parser's work is linear in the length of the text --------------------


def _backtracking_repeats(tree: Any) -> list[str]:
    """The unbounded greedy or lazy repetitions in a parsed pattern (``re._parser``)."""
    from re import _constants as sre

    found = []
    for op, arg in tree:
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and arg[1] == sre.MAXREPEAT:
            found.append(f"{op} {arg[2]}")
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            found += _backtracking_repeats(arg[2])
        elif op in (sre.SUBPATTERN, sre.ATOMIC_GROUP, sre.ASSERT, sre.ASSERT_NOT):
            found += _backtracking_repeats(arg[-1])
        elif op == sre.BRANCH:
            for branch in arg[1]:
                found += _backtracking_repeats(branch)
    return found


def test_every_unbounded_repetition_in_the_parser_patterns_is_possessive() -> None:
    # A repetition that gives characters back lets a failed match retry every
    # way of splitting a run (exponential when repetitions nest); the step count
    # below cannot see inside a pattern, so the patterns are checked here.
    import re
    from re import _parser

    patterns = {name: p for name, p in vars(wave).items() if isinstance(p, re.Pattern)}
    assert len(patterns) >= 5
    for name, pattern in patterns.items():
        assert _backtracking_repeats(_parser.parse(pattern.pattern)) == [], name


def test_the_step_counter_is_off_outside_counting_steps() -> None:
    assert wave._on_steps is None
    with wave.counting_steps() as count:
        wave.parse("[1, 2]", ListType(U32))
    assert count.steps > 0
    assert wave._on_steps is None


DEEP_ITEM = ListType(ListType(ListType(ListType(RecordType((("x", OptionType(U8)),))))))

# Texts that grow with n, each shaped to make a careless parser re-read what it
# has read: whitespace before a missing colon, fields with whitespace and
# comments, escapes, a multi-line string, nesting as deep as the type goes, a
# list of integers that leaves the fast path at its end, cases without payload
# followed by spaces (the parser looks past them for a "("), a field name that
# runs on, an over-long integer, flat and spelled-out options, a long comment.
LINEAR_SHAPES: list[tuple[str, Any, ValueType]] = [
    ("field then spaces, no colon", lambda n: "{a" + " " * n + "x}", RecordType((("a", U8), ("b", STRING)))),
    ("records with whitespace", lambda n: "[" + '{ name :  "x" ,\n   qty : 1 ,  // c\n  note : "y" , } ,   ' * n + "]", ListType(ITEM)),
    ("string of escapes", lambda n: '"' + 'ab\\n\\u{48}\\"' * n + '"', STRING),
    ("multi-line string", lambda n: '"""\n' + '    a\\tb "" c\n' * n + '  """', STRING),
    ("deep nesting", lambda n: "[" + ", ".join(["[[[{x: 1}, { }, {x: none}]], [ ]]"] * n) + "]", DEEP_ITEM),
    ("integers, then not", lambda n: "[" + "1 , " * n + "x]", BYTES),
    ("cases and spaces", lambda n: "[" + "empty   ,  circle ( 1.5 ) , " * n + "]", ListType(SHAPE)),
    ("field name without end", lambda n: "{" + "n" * n + ": 1}", ITEM),
    ("long integer", lambda n: "1" * n, U64),
    ("options", lambda n: "[" + "none, some(3), 4, " * n + "]", ListType(OptionType(U8))),
    ("long comment", lambda n: "[1, // " + "x" * n + "\n 2]", BYTES),
]


def _steps(text: str, t: ValueType) -> int:
    with wave.counting_steps() as count:
        try:
            wave.parse(text, t)
        except WaveError:
            pass
    return count.steps


@pytest.mark.parametrize(("name", "shape", "t"), LINEAR_SHAPES, ids=[c[0] for c in LINEAR_SHAPES])
def test_the_parser_steps_grow_linearly_with_the_text(name: str, shape: Any, t: ValueType) -> None:
    n = 200
    texts = [shape(k * n) for k in (1, 2, 4, 8)]
    steps = [_steps(text, t) for text in texts]
    for text, count in zip(texts, steps):
        assert len(text) // 2 <= count <= 8 * len(text) + 100, (len(text), count)
    for smaller, larger in zip(steps, steps[1:]):
        assert larger <= 2.1 * smaller + 100, steps
    assert steps[3] <= 8.5 * steps[0] + 100, steps
