"""A function's arguments as one text: split at top-level commas, parsed, mistakes located in the text."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from domain.model import wave
from domain.model.arguments import parse_arguments, split_arguments
from domain.model.types import CHAR, STRING, U8, U32, ListType, OptionType, Param, RecordType, Some, TupleType
from domain.model.wave import WaveError
from tests.unit.test_wave_fuzz import VALUES, corpus, mutate

pytestmark = pytest.mark.timeout(120)

A_B = (Param("a", U32), Param("b", U32))


# --- splitting ------------------------------------------------------------------


def test_split_cuts_at_top_level_commas_only() -> None:
    assert split_arguments("5") == ["5"]
    assert split_arguments('5, "a, b", [1, 2], {x: 1, y: "}"}, \'c\'') == ["5", '"a, b"', "[1, 2]", '{x: 1, y: "}"}', "'c'"]
    assert split_arguments('"esc\\", still"') == ['"esc\\", still"']
    assert split_arguments("',', '\\'', (1, [2, {a, b}])") == ["','", "'\\''", "(1, [2, {a, b}])"]
    assert split_arguments('"""\n  a, "b" ]\n  """, 2') == ['"""\n  a, "b" ]\n  """', "2"]


def test_split_drops_whitespace_and_comments_around_each_argument() -> None:
    assert split_arguments("  1 ,\n\t2  ") == ["1", "2"]
    assert split_arguments("1 // one, really\n, // next: two\n 2 // done") == ["1", "2"]
    assert split_arguments("[1, // a comma ] here\n 2]") == ["[1, // a comma ] here\n 2]"]
    assert split_arguments('"// not a comment", 3') == ['"// not a comment"', "3"]


def test_blank_text_is_no_arguments_and_a_trailing_comma_is_allowed() -> None:
    assert split_arguments("") == []
    assert split_arguments(" \n\t") == []
    assert split_arguments("// nothing to pass") == []
    assert split_arguments("1,") == ["1"]
    assert split_arguments("1, 2 ,\n") == ["1", "2"]
    # An argument left out between commas stays, to be reported by the parser
    assert split_arguments("1,,2") == ["1", "", "2"]
    assert split_arguments(",") == [""]


@pytest.mark.parametrize(
    "text, message, line, column",
    [
        ('1, "two', 'at column 4: unterminated string, expected a closing "', None, 4),
        ("'x", "at column 1: unterminated char, expected a closing '", None, 1),
        ('1, "a\nb"', 'at line 1, column 6: expected a closing ", found a line break inside the string', 1, 6),
        ('"""\nno end', 'at line 1, column 1: unterminated multi-line string, expected a closing """', 1, 1),
        ("1), 2", 'at column 2: expected "," or the end of the arguments, found ")"', None, 2),
        ("[1, (2]", 'at column 7: expected ")", found "]"', None, 7),
        ("1,\n[2, 3", 'at line 2, column 6: expected "]", found end of input', 2, 6),
    ],
)
def test_a_text_that_cannot_be_split_names_the_place(text: str, message: str, line: int | None, column: int) -> None:
    with pytest.raises(WaveError) as e:
        split_arguments(text)
    assert str(e.value) == message
    assert (e.value.line, e.value.column) == (line, column)


def test_formatted_values_joined_by_commas_split_back_into_the_same_texts() -> None:
    texts = [wave.format(v, t) for t, v in VALUES]
    assert split_arguments(", ".join(texts)) == texts
    assert split_arguments(",\n".join(texts) + ",") == texts
    for text in texts:
        assert split_arguments(text) == [text]


# --- parsing --------------------------------------------------------------------


def test_parse_gives_one_value_per_parameter() -> None:
    params = (Param("n", U8), Param("name", STRING), Param("c", CHAR), Param("xs", ListType(U32)))
    assert parse_arguments('7, "a, b", \',\', [1, 2]', params) == [7, "a, b", ",", [1, 2]]
    assert parse_arguments("", ()) == []
    assert parse_arguments("// none", ()) == []
    rec = RecordType((("x", U8), ("note", OptionType(STRING))))
    assert parse_arguments("{x: 1}, (2, 3)", (Param("r", rec), Param("t", TupleType((U8, U8))))) == [
        {"x": 1, "note": None},
        (2, 3),
    ]


def test_trailing_option_parameters_may_be_left_out() -> None:
    params = (Param("a", U32), Param("b", OptionType(U32)), Param("c", OptionType(STRING)))
    assert parse_arguments("1", params) == [1, None, None]
    assert parse_arguments("1, some(2)", params) == [1, Some(2), None]


def test_a_wrong_count_names_the_signature() -> None:
    with pytest.raises(WaveError, match=r"^expects 2 arguments \(a: u32, b: u32\), got 1$"):
        parse_arguments("1", A_B)
    with pytest.raises(WaveError, match=r"^expects 1 argument \(a: u32\), got 0$"):
        parse_arguments("  ", A_B[:1])
    with pytest.raises(WaveError, match=r"^expects no arguments, got 1$"):
        parse_arguments("1", ())


def test_a_mistake_names_the_argument_and_its_place_in_the_whole_text() -> None:
    with pytest.raises(WaveError) as e:
        parse_arguments("1, x", A_B)
    assert str(e.value) == 'argument b (u32): at column 4: expected u32 (0..4294967295), found "x"'
    assert (e.value.param, e.value.line, e.value.column) == ("b", None, 4)

    with pytest.raises(WaveError) as e:
        parse_arguments("1,\n  -2", A_B)
    assert str(e.value) == 'argument b (u32): at line 2, column 3: expected u32 (0..4294967295), found "-2"'
    assert (e.value.line, e.value.column) == (2, 3)

    # A mistake on a later line of a multi-line string argument
    with pytest.raises(WaveError) as e:
        parse_arguments('0, """\n  ok\n bad\n  """', (Param("n", U8), Param("s", STRING)))
    assert e.value.param == "s" and (e.value.line, e.value.column) == (3, 2)
    assert str(e.value).startswith("argument s (string): at line 3, column 2: expected 2 spaces")


def test_a_missing_comma_or_value_is_reported_where_it_is() -> None:
    # "1 2" is one argument with a second value in it, not a count of one
    with pytest.raises(WaveError) as e:
        parse_arguments("1 2", A_B)
    assert str(e.value) == 'argument a (u32): at column 3: expected "," or the end of the arguments, found "2"'
    with pytest.raises(WaveError) as e:
        parse_arguments("1, , 3", A_B + (Param("c", U32),))
    assert str(e.value) == 'argument b (u32): at column 4: expected u32 (0..4294967295), found ","'
    # An unterminated string is reported as such, before any count
    with pytest.raises(WaveError, match=r'^at column 4: unterminated string, expected a closing "$'):
        parse_arguments('1, "x, 3', A_B + (Param("c", U32),))


# --- the same values as a WAVE tuple ------------------------------------------------


def _tuple(text: str, params: list[Param]) -> list[Any] | None:
    try:
        return list(wave.parse(f"({text})", TupleType(tuple(p.type for p in params))))
    except WaveError:
        return None


def test_any_text_gives_the_values_of_the_tuple_it_would_be_in_parentheses() -> None:
    """Mutated argument texts: every text the tuple ``(text)`` reads gives the same values,
    and every other text is a one-line WaveError, apart from what only arguments allow:
    a comment at the end, left-out trailing options."""
    rng = random.Random(20261201)
    cases = corpus()
    others = [text for _, text in cases]
    agreed = 0
    for _ in range(4000):
        chosen = [rng.choice(cases) for _ in range(rng.randint(0, 3))]
        params = [Param(f"p{i}", t) for i, (t, _) in enumerate(chosen)]
        text = ", ".join(t for _, t in chosen)
        if rng.random() < 0.7:
            text = mutate(rng, text, others)
        expected = _tuple(text, params)
        try:
            got = parse_arguments(text, params)
        except WaveError as e:
            assert "\n" not in str(e), text[:200]
            assert expected is None, (text[:200], expected)
            continue
        if expected is None:
            # wave.parse's fast path alone reads an f32 of 39+ digits as inf (the tuple refuses it)
            if re.search(r"\d{39}", text):
                continue
            ended_by_comment = _tuple(text + "\n", params)
            omitted = len(split_arguments(text)) < len(params)
            assert ended_by_comment == got or omitted, (text[:200], got)
            continue
        assert got == expected, text[:200]
        agreed += 1
    assert agreed > 500
