"""Lossless JSON-able encoding of value types, signatures and descriptions.

Events store types as plain data (dicts, lists, str, None) so that stored
history stays readable and independent of the Python classes:

=========================  =============================================
``u32``                    ``"u32"`` (every primitive by its name)
``list<T>``                ``{"list": T}``
``tuple<A, B>``            ``{"tuple": [A, B]}``
``record { a: A }``        ``{"record": [["a", A]]}``
``variant { x(A), y }``    ``{"variant": [["x", A], ["y", null]]}``
``enum { a, b }``          ``{"enum": ["a", "b"]}``
``option<T>``              ``{"option": T}``
``result<A, E>``           ``{"result": {"ok": A, "err": E}}`` (null when absent)
``flags { r, w }``         ``{"flags": ["r", "w"]}``
``own<R>``, ``borrow<R>``  ``{"own": "R"}``, ``{"borrow": "R"}``
unsupported (``future``)   ``{"unsupported": "future"}``
=========================  =============================================

Decoding malformed data raises :class:`TypeDataError` (a ``ValueError``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.model.types import (
    PRIMITIVES,
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

__all__ = [
    "TypeDataError",
    "description_from_data",
    "description_to_data",
    "signature_from_data",
    "signature_to_data",
    "type_from_data",
    "type_to_data",
]


class TypeDataError(ValueError):
    """Stored data that does not describe a type, signature or description."""


_PRIMITIVE_TYPES: dict[str, Primitive] = {name: Primitive(name) for name in PRIMITIVES}


# --- types --------------------------------------------------------------------


def type_to_data(t: ValueType) -> Any:
    """The JSON-able form of ``t`` (see the module docstring)."""
    if isinstance(t, Primitive):
        return t.name
    if isinstance(t, ListType):
        return {"list": type_to_data(t.element)}
    if isinstance(t, TupleType):
        return {"tuple": [type_to_data(e) for e in t.elements]}
    if isinstance(t, RecordType):
        return {"record": [[n, type_to_data(f)] for n, f in t.fields]}
    if isinstance(t, VariantType):
        return {"variant": [[n, _optional_to_data(c)] for n, c in t.cases]}
    if isinstance(t, EnumType):
        return {"enum": list(t.names)}
    if isinstance(t, OptionType):
        return {"option": type_to_data(t.payload)}
    if isinstance(t, ResultType):
        return {"result": {"ok": _optional_to_data(t.ok), "err": _optional_to_data(t.err)}}
    if isinstance(t, FlagsType):
        return {"flags": list(t.names)}
    if isinstance(t, HandleType):
        if t.kind not in ("own", "borrow"):
            raise TypeDataError(f"handle kind must be own or borrow, not {t.kind!r}")
        return {t.kind: t.resource}
    if isinstance(t, UnsupportedType):
        return {"unsupported": t.name}
    raise TypeDataError(f"cannot encode {type(t).__name__} as type data")


def _optional_to_data(t: ValueType | None) -> Any:
    return None if t is None else type_to_data(t)


def _bad(d: Any, what: str = "type") -> TypeDataError:
    text = repr(d)
    if len(text) > 80:
        text = text[:79] + "…"
    return TypeDataError(f"invalid {what} data: {text}")


def _names(d: Any) -> tuple[str, ...]:
    if not isinstance(d, (list, tuple)) or not all(isinstance(n, str) for n in d):
        raise _bad(d, "name list")
    return tuple(d)


def _pairs(d: Any, decode: Callable[[Any], Any]) -> tuple[tuple[str, Any], ...]:
    if not isinstance(d, (list, tuple)):
        raise _bad(d, "field list")
    out = []
    for item in d:
        if not isinstance(item, (list, tuple)) or len(item) != 2 or not isinstance(item[0], str):
            raise _bad(item, "field")
        out.append((item[0], decode(item[1])))
    return tuple(out)


def _optional_from_data(d: Any) -> ValueType | None:
    return None if d is None else type_from_data(d)


def _result_from_data(d: Any) -> ResultType:
    if not isinstance(d, dict) or set(d) - {"ok", "err"}:
        raise _bad(d, "result")
    return ResultType(_optional_from_data(d.get("ok")), _optional_from_data(d.get("err")))


def _string(d: Any) -> str:
    if not isinstance(d, str):
        raise _bad(d, "name")
    return d


def _tuple_from_data(d: Any) -> TupleType:
    if not isinstance(d, (list, tuple)):
        raise _bad(d, "tuple")
    return TupleType(tuple(type_from_data(e) for e in d))


_DECODERS: dict[str, Callable[[Any], ValueType]] = {
    "list": lambda d: ListType(type_from_data(d)),
    "tuple": _tuple_from_data,
    "record": lambda d: RecordType(_pairs(d, type_from_data)),
    "variant": lambda d: VariantType(_pairs(d, _optional_from_data)),
    "enum": lambda d: EnumType(_names(d)),
    "option": lambda d: OptionType(type_from_data(d)),
    "result": _result_from_data,
    "flags": lambda d: FlagsType(_names(d)),
    "own": lambda d: HandleType("own", _string(d)),
    "borrow": lambda d: HandleType("borrow", _string(d)),
    "unsupported": lambda d: UnsupportedType(_string(d)),
}


def type_from_data(d: Any) -> ValueType:
    """The type that :func:`type_to_data` encoded as ``d``."""
    if isinstance(d, str):
        primitive = _PRIMITIVE_TYPES.get(d)
        if primitive is None:
            raise TypeDataError(f"unknown primitive type {d!r}")
        return primitive
    if isinstance(d, dict) and len(d) == 1:
        ((kind, payload),) = d.items()
        decode = _DECODERS.get(kind)
        if decode is not None:
            return decode(payload)
    raise _bad(d)


# --- signatures and descriptions ---------------------------------------------


def signature_to_data(sig: FunctionSignature) -> dict[str, Any]:
    """The JSON-able form of a function signature."""
    return {
        "interface": sig.interface,
        "name": sig.name,
        "params": [[p.name, type_to_data(p.type)] for p in sig.params],
        "result": _optional_to_data(sig.result),
    }


def signature_from_data(d: Any) -> FunctionSignature:
    """The signature that :func:`signature_to_data` encoded as ``d``."""
    if not isinstance(d, dict) or not isinstance(d.get("name"), str):
        raise _bad(d, "signature")
    interface = d.get("interface")
    if interface is not None and not isinstance(interface, str):
        raise _bad(d, "signature")
    params = tuple(Param(n, t) for n, t in _pairs(d.get("params", []), type_from_data))
    return FunctionSignature(interface, d["name"], params, _optional_from_data(d.get("result")))


def description_to_data(desc: ComponentDescription) -> dict[str, Any]:
    """The JSON-able form of a component description (``extra`` as it is)."""
    return {
        "functions": [signature_to_data(f) for f in desc.functions],
        "imports": list(desc.imports),
        "unsupported_imports": list(desc.unsupported_imports),
        "save_snapshot": desc.save_snapshot,
        "load_snapshot": desc.load_snapshot,
        "extra": desc.extra,
    }


def _optional_string(d: Any, key: str) -> str | None:
    value = d.get(key)
    if value is not None and not isinstance(value, str):
        raise _bad(value, key)
    return value


def description_from_data(d: Any) -> ComponentDescription:
    """The description that :func:`description_to_data` encoded as ``d``."""
    if not isinstance(d, dict):
        raise _bad(d, "description")
    functions = d.get("functions", [])
    if not isinstance(functions, (list, tuple)):
        raise _bad(functions, "function list")
    extra = d.get("extra")
    if extra is None:
        extra = {}
    elif not isinstance(extra, dict):
        raise _bad(extra, "extra")
    return ComponentDescription(
        functions=tuple(signature_from_data(f) for f in functions),
        imports=_names(d.get("imports", [])),
        unsupported_imports=_names(d.get("unsupported_imports", [])),
        save_snapshot=_optional_string(d, "save_snapshot"),
        load_snapshot=_optional_string(d, "load_snapshot"),
        extra=extra,
    )
