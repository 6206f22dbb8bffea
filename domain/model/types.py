"""Component-model value types and the Python values that inhabit them.

These classes are plain Python: the runtime translates wasmtime's types into
them, the WAVE codec parses and prints values for them, and the stored
history keeps values in them. Nothing here knows about wasmtime.

Python representation of values, by type:

=================  =========================================================
bool               ``bool``
s8 … u64           ``int`` (range-checked by the codec)
f32, f64           ``float`` (nan and ±inf included)
char               ``str`` of length 1
string             ``str``
list<u8>           ``bytes``
list<T>            ``list``
tuple<…>           ``tuple``
record { … }       ``dict`` (field name → value, in declaration order)
variant { … }      :class:`Variant` (case name, payload or ``None``)
enum { … }         ``str`` (the case name)
option<T>          ``None`` or :class:`Some`
result<T, E>       :class:`Ok` or :class:`Err` (payload ``None`` when absent)
flags { … }        ``frozenset`` of flag names
own/borrow<R>      not supported as a stored value
=================  =========================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PRIMITIVES = (
    "bool",
    "s8",
    "s16",
    "s32",
    "s64",
    "u8",
    "u16",
    "u32",
    "u64",
    "f32",
    "f64",
    "char",
    "string",
)

INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "s8": (-(2**7), 2**7 - 1),
    "s16": (-(2**15), 2**15 - 1),
    "s32": (-(2**31), 2**31 - 1),
    "s64": (-(2**63), 2**63 - 1),
    "u8": (0, 2**8 - 1),
    "u16": (0, 2**16 - 1),
    "u32": (0, 2**32 - 1),
    "u64": (0, 2**64 - 1),
}


class ValueType:
    """Base class of every component-model value type."""

    def wit(self) -> str:
        """The type written as in WIT, e.g. ``list<u8>``."""
        raise NotImplementedError

    def __str__(self) -> str:
        return self.wit()


@dataclass(frozen=True)
class Primitive(ValueType):
    name: str

    def __post_init__(self) -> None:
        if self.name not in PRIMITIVES:
            raise ValueError(f"unknown primitive type {self.name!r}")

    def wit(self) -> str:
        return self.name


@dataclass(frozen=True)
class ListType(ValueType):
    element: ValueType

    def wit(self) -> str:
        return f"list<{self.element.wit()}>"

    @property
    def is_bytes(self) -> bool:
        return self.element == Primitive("u8")


@dataclass(frozen=True)
class TupleType(ValueType):
    elements: tuple[ValueType, ...]

    def wit(self) -> str:
        return "tuple<" + ", ".join(e.wit() for e in self.elements) + ">"


@dataclass(frozen=True)
class RecordType(ValueType):
    fields: tuple[tuple[str, ValueType], ...]

    def wit(self) -> str:
        inner = ", ".join(f"{n}: {t.wit()}" for n, t in self.fields)
        return "record { " + inner + " }"


@dataclass(frozen=True)
class VariantType(ValueType):
    cases: tuple[tuple[str, ValueType | None], ...]

    def wit(self) -> str:
        inner = ", ".join(n if t is None else f"{n}({t.wit()})" for n, t in self.cases)
        return "variant { " + inner + " }"


@dataclass(frozen=True)
class EnumType(ValueType):
    names: tuple[str, ...]

    def wit(self) -> str:
        return "enum { " + ", ".join(self.names) + " }"


@dataclass(frozen=True)
class OptionType(ValueType):
    payload: ValueType

    def wit(self) -> str:
        return f"option<{self.payload.wit()}>"


@dataclass(frozen=True)
class ResultType(ValueType):
    ok: ValueType | None
    err: ValueType | None

    def wit(self) -> str:
        if self.ok is None and self.err is None:
            return "result"
        ok = "_" if self.ok is None else self.ok.wit()
        if self.err is None:
            return f"result<{ok}>"
        return f"result<{ok}, {self.err.wit()}>"


@dataclass(frozen=True)
class FlagsType(ValueType):
    names: tuple[str, ...]

    def wit(self) -> str:
        return "flags { " + ", ".join(self.names) + " }"


@dataclass(frozen=True)
class HandleType(ValueType):
    """A resource handle (own/borrow). Shown in descriptions, not callable."""

    kind: str  # "own" or "borrow"
    resource: str = "resource"

    def wit(self) -> str:
        return f"{self.kind}<{self.resource}>"


@dataclass(frozen=True)
class UnsupportedType(ValueType):
    """A type this version cannot exchange values of (future, stream, …)."""

    name: str

    def wit(self) -> str:
        return self.name


# Shorthands used throughout the code base and the tests.
BOOL = Primitive("bool")
S8, S16, S32, S64 = (Primitive(n) for n in ("s8", "s16", "s32", "s64"))
U8, U16, U32, U64 = (Primitive(n) for n in ("u8", "u16", "u32", "u64"))
F32, F64 = Primitive("f32"), Primitive("f64")
CHAR, STRING = Primitive("char"), Primitive("string")
BYTES = ListType(U8)


# --- values -----------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """A value of a ``variant`` type: the case name and its payload."""

    case: str
    payload: Any = None


@dataclass(frozen=True)
class Some:
    """The ``some`` case of an ``option``; ``None`` is the ``none`` case."""

    value: Any


@dataclass(frozen=True)
class Ok:
    """The ``ok`` case of a ``result`` (``value`` is None when it has no payload)."""

    value: Any = None


@dataclass(frozen=True)
class Err:
    """The ``err`` case of a ``result`` (``value`` is None when it has no payload)."""

    value: Any = None


# --- signatures -------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    name: str
    type: ValueType


@dataclass(frozen=True)
class FunctionSignature:
    """An exported function: its Golem name, parameters and result.

    ``interface`` is the full export name of the interface that holds it
    (``golem:component/api``), or ``None`` for a function exported at the
    component's top level.
    """

    interface: str | None
    name: str
    params: tuple[Param, ...]
    result: ValueType | None = None

    @property
    def qualified_name(self) -> str:
        if self.interface is None:
            return self.name
        return f"{self.interface}.{{{self.name}}}"

    def wit(self) -> str:
        ps = ", ".join(f"{p.name}: {p.type.wit()}" for p in self.params)
        out = f"func({ps})"
        if self.result is not None:
            out += f" -> {self.result.wit()}"
        return out


@dataclass(frozen=True)
class ComponentDescription:
    """What a component exports and imports, as shown to users."""

    functions: tuple[FunctionSignature, ...]
    imports: tuple[str, ...]
    unsupported_imports: tuple[str, ...]
    save_snapshot: str | None = None  # full interface name, e.g. golem:api/save-snapshot@1.1.0
    load_snapshot: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def exports_save(self) -> bool:
        return self.save_snapshot is not None

    @property
    def exports_load(self) -> bool:
        return self.load_snapshot is not None

    @property
    def interfaces(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for f in self.functions:
            if f.interface is not None:
                seen.setdefault(f.interface, None)
        return tuple(seen)
