"""Translation between wasmtime's component types/values and the domain's."""

from __future__ import annotations

from typing import Any, Callable

from wasmtime import component as wc

from domain.model import types as t

_PRIMS: dict[type, t.Primitive] = {
    wc.Bool: t.BOOL,
    wc.S8: t.S8,
    wc.S16: t.S16,
    wc.S32: t.S32,
    wc.S64: t.S64,
    wc.U8: t.U8,
    wc.U16: t.U16,
    wc.U32: t.U32,
    wc.U64: t.U64,
    wc.F32: t.F32,
    wc.F64: t.F64,
    wc.Char: t.CHAR,
    wc.String: t.STRING,
}


def to_domain_type(vt: Any) -> t.ValueType:
    prim = _PRIMS.get(type(vt))
    if prim is not None:
        return prim
    if isinstance(vt, wc.ListType):
        return t.ListType(to_domain_type(vt.element))
    if isinstance(vt, wc.TupleType):
        return t.TupleType(tuple(to_domain_type(e) for e in vt.elements))
    if isinstance(vt, wc.RecordType):
        return t.RecordType(tuple((n, to_domain_type(f)) for n, f in vt.fields))
    if isinstance(vt, wc.VariantType):
        return t.VariantType(tuple((n, None if c is None else to_domain_type(c)) for n, c in vt.cases))
    if isinstance(vt, wc.EnumType):
        return t.EnumType(tuple(vt.names))
    if isinstance(vt, wc.OptionType):
        return t.OptionType(to_domain_type(vt.payload))
    if isinstance(vt, wc.ResultType):
        ok, err = vt.ok, vt.err
        return t.ResultType(None if ok is None else to_domain_type(ok), None if err is None else to_domain_type(err))
    if isinstance(vt, wc.FlagsType):
        return t.FlagsType(tuple(vt.names))
    if isinstance(vt, wc.OwnType):
        return t.HandleType("own")
    if isinstance(vt, wc.BorrowType):
        return t.HandleType("borrow")
    return t.UnsupportedType(type(vt).__name__.replace("Type", "").lower())


def signature(interface: str | None, name: str, ft: Any) -> t.FunctionSignature:
    params = tuple(t.Param(pn, to_domain_type(pt)) for pn, pt in ft.params)
    result = ft.result
    return t.FunctionSignature(interface, name, params, None if result is None else to_domain_type(result))


# --- values -----------------------------------------------------------------
# A converter is built once per function type and reused for every call.

Converter = Callable[[Any], Any]


def _identity(v: Any) -> Any:
    return v


def _classes_of(vt: Any) -> tuple[type, ...]:
    s: set[type] = set()
    vt.add_classes(s)
    return tuple(s)


def lowerer(vt: Any) -> Converter:
    """Domain value -> wasmtime-py value."""
    if type(vt) in _PRIMS:
        if isinstance(vt, (wc.F32, wc.F64)):
            return float
        return _identity
    if isinstance(vt, wc.ListType):
        if vt.element.__class__ is wc.U8:
            return bytes
        el = lowerer(vt.element)
        if el is _identity:
            return list
        return lambda v: [el(x) for x in v]
    if isinstance(vt, wc.TupleType):
        els = [lowerer(e) for e in vt.elements]
        return lambda v: tuple(f(x) for f, x in zip(els, v))
    if isinstance(vt, wc.RecordType):
        fields = [(n, lowerer(f)) for n, f in vt.fields]

        def record(v: dict) -> Any:
            r = wc.Record()
            for n, f in fields:
                setattr(r, n, f(v[n]))
            return r

        return record
    if isinstance(vt, wc.EnumType):
        return str
    if isinstance(vt, wc.FlagsType):
        return set
    if isinstance(vt, (wc.VariantType, wc.OptionType, wc.ResultType)):
        tagged = vt._tagged()
        cases = {n: (None if c is None else lowerer(c)) for n, c in vt._cases()}
        if isinstance(vt, wc.OptionType):
            some = cases["some"]
            assert some is not None
            if tagged:
                return lambda v: wc.Variant("none") if v is None else wc.Variant("some", some(v.value))
            return lambda v: None if v is None else some(v.value)
        if isinstance(vt, wc.ResultType):
            ok, err = cases["ok"], cases["err"]

            def result(v: Any) -> Any:
                tag = "ok" if isinstance(v, t.Ok) else "err"
                conv = ok if tag == "ok" else err
                payload = None if conv is None else conv(v.value)
                return wc.Variant(tag, payload) if tagged else payload

            return result

        def variant(v: t.Variant) -> Any:
            conv = cases[v.case]
            payload = None if conv is None else conv(v.payload)
            return wc.Variant(v.case, payload) if tagged else payload

        return variant
    raise TypeError(f"values of type {to_domain_type(vt).wit()} cannot be passed")


def lifter(vt: Any) -> Converter:
    """wasmtime-py value -> domain value."""
    if type(vt) in _PRIMS:
        return _identity
    if isinstance(vt, wc.ListType):
        if vt.element.__class__ is wc.U8:
            return bytes
        el = lifter(vt.element)
        if el is _identity:
            return list
        return lambda v: [el(x) for x in v]
    if isinstance(vt, wc.TupleType):
        els = [lifter(e) for e in vt.elements]
        return lambda v: tuple(f(x) for f, x in zip(els, v))
    if isinstance(vt, wc.RecordType):
        fields = [(n, lifter(f)) for n, f in vt.fields]
        return lambda v: {n: f(getattr(v, n)) for n, f in fields}
    if isinstance(vt, wc.EnumType):
        return _identity
    if isinstance(vt, wc.FlagsType):
        return frozenset
    if isinstance(vt, (wc.VariantType, wc.OptionType, wc.ResultType)):
        tagged = vt._tagged()
        raw_cases = vt._cases()
        cases = [(n, None if c is None else lifter(c), None if c is None else _classes_of(c)) for n, c in raw_cases]
        by_name = {n: conv for n, conv, _ in cases}

        def which(v: Any) -> tuple[str, Any]:
            if tagged:
                conv = by_name[v.tag]
                return v.tag, None if conv is None else conv(v.payload)
            for n, conv, classes in cases:
                if classes is None:
                    if v is None:
                        return n, None
                elif isinstance(v, classes):
                    assert conv is not None
                    return n, conv(v)
            raise ValueError(f"value {v!r} matches no case")

        if isinstance(vt, wc.OptionType):
            def option(v: Any) -> Any:
                tag, payload = which(v)
                return None if tag == "none" else t.Some(payload)

            return option
        if isinstance(vt, wc.ResultType):
            def result(v: Any) -> Any:
                tag, payload = which(v)
                return t.Ok(payload) if tag == "ok" else t.Err(payload)

            return result

        def variant(v: Any) -> Any:
            tag, payload = which(v)
            return t.Variant(tag, payload)

        return variant
    raise TypeError(f"values of type {to_domain_type(vt).wit()} cannot be returned")
