"""Lossless JSON-able encoding of types, signatures and component descriptions."""

from __future__ import annotations

import json
from typing import Any

import pytest

from domain.model.typecodec import (
    TypeDataError,
    description_from_data,
    description_to_data,
    signature_from_data,
    signature_to_data,
    type_from_data,
    type_to_data,
)
from domain.model.types import (
    BOOL,
    BYTES,
    F32,
    PRIMITIVES,
    STRING,
    U8,
    U32,
    ComponentDescription,
    EnumType,
    FlagsType,
    FunctionSignature,
    HandleType,
    ListType,
    OptionType,
    Param,
    Primitive,
    RecordType,
    ResultType,
    TupleType,
    UnsupportedType,
    ValueType,
    VariantType,
)

ITEM = RecordType((("name", STRING), ("qty", U32), ("note", OptionType(STRING))))

TYPES: list[ValueType] = [
    *(Primitive(name) for name in PRIMITIVES),
    BYTES,
    ListType(ListType(STRING)),
    TupleType(()),
    TupleType((U8, STRING, TupleType((BOOL,)))),
    RecordType(()),
    ITEM,
    RecordType((("items", ListType(ITEM)), ("total", F32))),
    VariantType((("circle", U32), ("empty", None), ("nested", OptionType(OptionType(U8))))),
    VariantType((("only", None),)),
    EnumType(("red", "green", "none")),
    OptionType(U32),
    OptionType(OptionType(ITEM)),
    ResultType(STRING, STRING),
    ResultType(None, None),
    ResultType(U8, None),
    ResultType(None, U8),
    ResultType(ResultType(None, None), OptionType(U8)),
    FlagsType(()),
    FlagsType(("read", "write")),
    HandleType("own"),
    HandleType("borrow", "file"),
    UnsupportedType("future"),
    UnsupportedType("stream"),
]


@pytest.mark.parametrize("t", TYPES, ids=[t.wit()[:40] for t in TYPES])
def test_every_type_round_trips_exactly(t: ValueType) -> None:
    data = type_to_data(t)
    back = type_from_data(data)
    assert back == t
    assert type(back) is type(t)


@pytest.mark.parametrize("t", TYPES, ids=[t.wit()[:40] for t in TYPES])
def test_type_data_survives_json(t: ValueType) -> None:
    data = type_to_data(t)
    assert json.loads(json.dumps(data)) == data
    assert type_from_data(json.loads(json.dumps(data))) == t


ENCODINGS: list[tuple[ValueType, Any]] = [
    (U32, "u32"),
    (STRING, "string"),
    (BYTES, {"list": "u8"}),
    (TupleType((U8, STRING)), {"tuple": ["u8", "string"]}),
    (RecordType((("name", STRING), ("qty", U32))), {"record": [["name", "string"], ["qty", "u32"]]}),
    (VariantType((("a", U8), ("b", None))), {"variant": [["a", "u8"], ["b", None]]}),
    (EnumType(("x", "y")), {"enum": ["x", "y"]}),
    (OptionType(U8), {"option": "u8"}),
    (ResultType(U8, None), {"result": {"ok": "u8", "err": None}}),
    (FlagsType(("r", "w")), {"flags": ["r", "w"]}),
    (HandleType("own", "file"), {"own": "file"}),
    (HandleType("borrow"), {"borrow": "resource"}),
    (UnsupportedType("future"), {"unsupported": "future"}),
]


@pytest.mark.parametrize(("t", "data"), ENCODINGS, ids=[t.wit()[:40] for t, _ in ENCODINGS])
def test_types_encode_compactly_and_readably(t: ValueType, data: Any) -> None:
    assert type_to_data(t) == data


def test_decoding_accepts_tuples_where_json_would_give_lists() -> None:
    assert type_from_data({"record": (("a", "u8"),)}) == RecordType((("a", U8),))
    assert type_from_data({"enum": ("x",)}) == EnumType(("x",))


def test_decoded_primitives_are_shared_instances() -> None:
    assert type_from_data("u32") is type_from_data("u32")


BAD_DATA: list[Any] = [
    None,
    1,
    "u128",
    "list",
    {},
    {"list": "u8", "option": "u8"},
    {"array": "u8"},
    {"list": 1},
    {"tuple": "u8"},
    {"record": [["name"]]},
    {"record": [[1, "u8"]]},
    {"record": {"name": "u8"}},
    {"variant": [["a", "nope"]]},
    {"enum": "a"},
    {"enum": [1]},
    {"result": ["u8", None]},
    {"result": {"ok": "u8", "oops": None}},
    {"flags": None},
    {"own": 1},
    {"unsupported": None},
]


@pytest.mark.parametrize("data", BAD_DATA, ids=[repr(d)[:40] for d in BAD_DATA])
def test_malformed_type_data_raises_type_data_error(data: Any) -> None:
    with pytest.raises(TypeDataError):
        type_from_data(data)


def test_type_data_error_is_a_value_error_with_a_short_message() -> None:
    assert issubclass(TypeDataError, ValueError)
    with pytest.raises(TypeDataError) as info:
        type_from_data({"tuple": "x" * 1000})
    assert len(str(info.value)) < 150


SIGNATURES = [
    FunctionSignature(None, "run", ()),
    FunctionSignature("golem:component/api", "add-item", (Param("item", ITEM), Param("count", U32)), OptionType(STRING)),
    FunctionSignature("demo:shop/cart@1.0.0", "checkout", (), ResultType(U32, STRING)),
    FunctionSignature("x:y/z", "raw", (Param("h", HandleType("borrow", "file")),), UnsupportedType("future")),
]


@pytest.mark.parametrize("sig", SIGNATURES, ids=[s.qualified_name for s in SIGNATURES])
def test_signature_round_trips_through_json(sig: FunctionSignature) -> None:
    data = signature_to_data(sig)
    assert signature_from_data(json.loads(json.dumps(data))) == sig


def test_signature_data_is_readable() -> None:
    sig = FunctionSignature("golem:component/api", "add", (Param("a", U32),), U32)
    assert signature_to_data(sig) == {
        "interface": "golem:component/api",
        "name": "add",
        "params": [["a", "u32"]],
        "result": "u32",
    }


@pytest.mark.parametrize("data", [None, {}, {"name": 1}, {"name": "f", "interface": 3}, {"name": "f", "params": [["a"]]}])
def test_malformed_signature_data_raises_type_data_error(data: Any) -> None:
    with pytest.raises(TypeDataError):
        signature_from_data(data)


def _description(extra: dict[str, Any] | None = None) -> ComponentDescription:
    return ComponentDescription(
        functions=tuple(SIGNATURES),
        imports=("wasi:cli/environment@0.2.0", "golem:api/host@1.1.0"),
        unsupported_imports=("golem:api/host@1.1.0",),
        save_snapshot="golem:api/save-snapshot@1.1.0",
        load_snapshot=None,
        extra=extra if extra is not None else {},
    )


def test_description_round_trips_through_json() -> None:
    desc = _description()
    back = description_from_data(json.loads(json.dumps(description_to_data(desc))))
    assert back == desc
    assert back.save_snapshot == "golem:api/save-snapshot@1.1.0"
    assert back.load_snapshot is None
    assert back.interfaces == desc.interfaces


def test_description_extra_passes_through_as_is() -> None:
    extra = {"wit": "package demo:shop;", "sizes": [1, 2], "nested": {"a": None}}
    desc = _description(extra)
    data = description_to_data(desc)
    assert data["extra"] == extra
    back = description_from_data(json.loads(json.dumps(data)))
    assert back.extra == extra


def test_description_without_extra_decodes_to_an_empty_extra() -> None:
    data = description_to_data(_description())
    del data["extra"]
    assert description_from_data(data).extra == {}


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"functions": "f"},
        {"functions": [], "imports": "x"},
        {"functions": [], "save_snapshot": 1},
        {"functions": [], "extra": []},
    ],
)
def test_malformed_description_data_raises_type_data_error(data: Any) -> None:
    with pytest.raises(TypeDataError):
        description_from_data(data)
