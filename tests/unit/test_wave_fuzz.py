"""The WAVE parser on mutated input: it answers every text quickly, with a value or a WaveError.

A corpus of valid WAVE texts, one or more for each kind of type, is mutated a
few thousand times with a fixed seed (characters inserted, deleted, replaced
or swapped, slices repeated, pieces of other texts spliced in, long runs of
whitespace, comments or digits inserted, text cut short). Every mutant must
parse to a value or raise :class:`WaveError` and nothing else, within a
generous bound per text. The bound does not time fast parsing: it catches work
that explodes, such as a pattern that backtracks over every way of splitting a
run of spaces. A value must format and parse back to the same text.
"""

from __future__ import annotations

import math
import random
import time
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
    S64,
    STRING,
    U8,
    U32,
    U64,
    EnumType,
    Err,
    FlagsType,
    ListType,
    Ok,
    OptionType,
    RecordType,
    ResultType,
    Some,
    TupleType,
    ValueType,
    Variant,
    VariantType,
)
from domain.model.wave import WaveError

# A parse that explodes fails the module instead of hanging it.
pytestmark = pytest.mark.timeout(120)

BOUND_SECONDS = 1.0
MUTANTS = 5000

ITEM = RecordType((("name", STRING), ("qty", U32), ("note", OptionType(STRING))))
ORDER = RecordType((("id", U64), ("items", ListType(ITEM)), ("paid", BOOL)))
SHAPE = VariantType((("circle", F64), ("square", TupleType((F64, F64))), ("empty", None), ("true", U8)))
COLOR = EnumType(("red", "green", "none"))
PERMS = FlagsType(("read", "write", "exec"))
OPT_OPT = OptionType(OptionType(U32))
RES = ResultType(STRING, STRING)
RES_BARE = ResultType(None, None)
NESTED = ListType(RecordType((("a", OptionType(ListType(TupleType((S8, CHAR))))), ("b", OptionType(SHAPE)))))
DEEP = ListType(ListType(ListType(ListType(RecordType((("x", OptionType(U8)),))))))

# (type, value) pairs whose canonical text goes into the corpus.
VALUES: list[tuple[ValueType, Any]] = [
    (ITEM, {"name": "bolt", "qty": 12, "note": Some("zinc, \"M6\"")}),
    (
        ORDER,
        {
            "id": 2**64 - 1,
            "items": [{"name": "a", "qty": 1, "note": None}, {"name": "b\\c", "qty": 0, "note": Some("")}],
            "paid": True,
        },
    ),
    (SHAPE, Variant("square", (1.5, -2.0))),
    (SHAPE, Variant("true", 7)),
    (SHAPE, Variant("empty")),
    (COLOR, "none"),
    (PERMS, frozenset({"read", "exec"})),
    (OPT_OPT, Some(None)),
    (OPT_OPT, Some(Some(4))),
    (RES, Err("bad \u202e input\n")),
    (RES_BARE, Ok()),
    (ResultType(OptionType(U8), U8), Ok(Some(3))),
    (ListType(STRING), ["", "a,b", "tab\there", "quote\"", "é😀", "\x00\x1b"]),
    (BYTES, bytes(range(0, 256, 17))),
    (TupleType((U8, STRING, CHAR, BOOL)), (255, "x", "'", False)),
    (ListType(CHAR), ["a", "\\", "\n", "😀", '"']),
    (ListType(F64), [0.0, -0.0, 1e300, 5e-324, math.inf, -math.inf, 0.1]),
    (ListType(F32), [math.nan, 3.4028234663852886e38, 1.401298464324817e-45]),
    (ListType(S64), [-(2**63), 2**63 - 1, 0]),
    (ListType(U64), [2**64 - 1, 2**53 + 1]),
    (NESTED, [{"a": Some([(-128, "q"), (127, "\t")]), "b": Some(Variant("circle", 2.5))}, {"a": None, "b": None}]),
    (DEEP, [[[[{"x": Some(1)}, {"x": None}]], []]]),
    (RecordType(()), {}),
    (RecordType((("ok", BOOL), ("none", OptionType(U8)))), {"ok": True, "none": Some(0)}),
]

# Spellings beyond the canonical form: whitespace, comments, trailing commas,
# flat options and results, % labels, multi-line strings.
TEXTS: list[tuple[ValueType, str]] = [
    (ITEM, '{ qty : 2 , name : "x" , // the name\n note : "flat" , }'),
    (ITEM, '{%name: "x", qty: 2}'),
    (ORDER, '{\n  id: 1,\n  items: [\n    { name: "a", qty: 1 },  // one\n  ],\n  paid: false,\n}'),
    (SHAPE, "%true ( 1 )"),
    (SHAPE, "circle(inf)"),
    (OptionType(U8), "5"),
    (OptionType(COLOR), "%none"),
    (RES, '"flat ok"'),
    (PERMS, "{ write , read , }"),
    (PERMS, "{}"),
    (RecordType((("a", OptionType(U8)),)), "{:}"),
    (STRING, '"""\n    Indented\n      lines \\u{1F600}\n  """'),
    (STRING, '"\\u{48}\\u{49} \\n \\\' \\" \\\\"'),
    (CHAR, "'\\u{1F600}'"),
    (F64, "nan"),
    (F64, "6.022e+23"),
    (F32, "-inf"),
    (U64, "18446744073709551615"),
    (S64, "-9223372036854775808"),
    (BYTES, "[1 ,2 , 3 ,]"),
    (BYTES, "[1, // one\n 2]"),
    (ListType(U32), "[ ]"),
    (TupleType(()), "( )"),
    (F64, "1" * 300),
    (F64, "1" * 400 + ".5e-300"),
]

# A long run of whitespace just before a mistake: a pattern that can give
# characters back retries every way of splitting the run before failing, which
# is exponential in its length when repetitions nest (as whitespace and
# comments do around a field's colon). Each kind of bracket gets one.
PATHOLOGICAL: list[tuple[ValueType, str]] = [
    (RecordType((("a", U8), ("b", STRING))), "{a" + " " * 40 + "x}"),
    (ITEM, '{name: "x", qty' + " " * 60 + "2}"),
    (ITEM, "{name" + " \t" * 40 + "// c\n" * 10 + '"x"}'),
    (ORDER, "{items: [{name" + " " * 50 + "}]}"),
    (ListType(ITEM), "[{note" + "\n " * 40 + "x}" + "]"),
    (BYTES, "[1" + " " * 60 + "x]"),
    (BYTES, "[" + "1 , " * 40 + " " * 40 + "x]"),
    (PERMS, "{read" + " " * 60 + "x}"),
    (TupleType((U8, U8)), "(1" + " " * 60 + "x)"),
    (SHAPE, "circle" + " " * 60 + "x"),
]


def corpus() -> list[tuple[ValueType, str]]:
    texts = [(t, wave.format(v, t)) for t, v in VALUES]
    return texts + TEXTS


INSERTS = list("{}[](),:'\"\\/% -.+_e0123456789\n\t\r") + ["//", "\\u{", '"""\n', "none", "some(", "ok", "%", "é", "😀"]


def mutate(rng: random.Random, text: str, others: list[str]) -> str:
    """One to three random edits of ``text``."""
    for _ in range(rng.randint(1, 3)):
        n = len(text)
        i = rng.randint(0, n)
        j = rng.randint(i, min(n, i + 12))
        kind = rng.randrange(9)
        if kind == 0:
            text = text[:i] + rng.choice(INSERTS) + text[i:]
        elif kind == 1:
            text = text[:i] + text[j:]
        elif kind == 2:
            text = text[:j] + text[i:j] * rng.randint(2, 40) + text[j:]
        elif kind == 3 and n >= 2:
            a, b = sorted(rng.sample(range(n), 2))
            text = text[:a] + text[b] + text[a + 1 : b] + text[a] + text[b + 1 :]
        elif kind == 4:
            run = rng.choice([" ", "\t", "\n", " \n", "// c\n", "  // ,:{}\n"]) * rng.randint(20, 400)
            text = text[:i] + run + text[i:]
        elif kind == 5:
            text = text[:i]
        elif kind == 6:
            other = rng.choice(others)
            a = rng.randint(0, len(other))
            text = text[:i] + other[a : a + rng.randint(1, 30)] + text[j:]
        elif kind == 7:
            text = text[:i] + rng.choice("0123456789") * rng.randint(20, 5000) + text[i:]
        else:
            text = text[:i] + rng.choice(INSERTS) + text[j:]
    return text


def check(text: str, t: ValueType) -> str:
    """Parse within the bound, to a value that formats and parses back, or to a one-line WaveError.

    Returns "value" or "error". Any other exception propagates and fails the test.
    """
    start = time.perf_counter()
    try:
        value = wave.parse(text, t)
    except WaveError as e:
        outcome = "error"
        message = str(e)
        assert message and "\n" not in message, (text[:200], message)
    else:
        outcome = "value"
        canonical = wave.format(value, t)
        assert wave.format(wave.parse(canonical, t), t) == canonical, (text[:200], canonical[:200])
    elapsed = time.perf_counter() - start
    assert elapsed < BOUND_SECONDS, (f"{elapsed:.2f}s", t.wit(), text[:200])
    return outcome


@pytest.mark.parametrize("case", PATHOLOGICAL, ids=[text[:24] for _, text in PATHOLOGICAL])
def test_whitespace_before_a_mistake_is_answered_within_the_bound(case: tuple[ValueType, str]) -> None:
    t, text = case
    assert check(text, t) == "error"


def test_the_corpus_parses() -> None:
    for t, text in corpus():
        assert check(text, t) == "value", text


def test_mutated_inputs_give_a_value_or_a_wave_error_within_the_bound() -> None:
    rng = random.Random(20240611)
    cases = corpus()
    others = [text for _, text in cases]
    outcomes = {"value": 0, "error": 0}
    for _ in range(MUTANTS):
        t, text = rng.choice(cases)
        outcomes[check(mutate(rng, text, others), t)] += 1
    # Both outcomes occur often enough for the mutations to reach past the first token.
    assert outcomes["value"] > MUTANTS // 20 and outcomes["error"] > MUTANTS // 2, outcomes
