"""Golem's invocation context (``golem:api/context``), kept locally per invocation.

Each invocation has a trace and a root span; ``start-span`` opens a child of
the current span, which stays current until it is finished or dropped.
Attributes live on spans and are inherited by their children. The ids and
start times generated are recorded host calls (``golem:api/context.start-span
-> 9c4e…``), so replay hands back the same ones. Nothing leaves the worker:
``trace-context-headers`` only describes the context.

Served only when every item the component imports from the interface is
one implemented here (``provided``); otherwise the whole interface stays stubs.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from wasmtime import component as wc

from domain.model import types as t
from domain.model.errors import InvocationFailed
from domain.model.hostcalls import HostCalls

from . import _types

CONTEXT = "golem:api/context"
_SPAN_TYPE = 0x6700_0001
_CONTEXT_TYPE = 0x6700_0002

_FUNCS = frozenset(
    [
        "start-span",
        "current-context",
        "allow-forwarding-trace-context-headers",
        "[method]span.started-at",
        "[method]span.set-attribute",
        "[method]span.set-attributes",
        "[method]span.finish",
        "[method]invocation-context.trace-id",
        "[method]invocation-context.span-id",
        "[method]invocation-context.parent",
        "[method]invocation-context.get-attribute",
        "[method]invocation-context.get-attributes",
        "[method]invocation-context.get-attribute-chain",
        "[method]invocation-context.get-attribute-chains",
        "[method]invocation-context.trace-context-headers",
    ]
)
_RESOURCES = frozenset(["span", "invocation-context"])


def provided(items: list[tuple[str, str]]) -> bool:
    """Whether every imported (item, kind) of golem:api/context is implemented here."""
    return bool(items) and all(
        (kind == "resource" and item in _RESOURCES) or (kind == "func" and item in _FUNCS) for item, kind in items
    )


@dataclass
class _Span:
    id: str
    parent: "_Span | None"
    started: list[int]
    attributes: dict[str, str] = field(default_factory=dict)
    finished: bool = False


class GolemContext:
    """The invocation context of one instance's current invocation."""

    def __init__(self, host_calls: HostCalls) -> None:
        self.hc = host_calls
        self.forwarding = True
        self._next = 0
        self.begin_call()

    def begin_call(self) -> None:
        self.trace: str | None = None
        self.root: _Span | None = None
        self.current: _Span | None = None
        self.spans: dict[int, _Span] = {}
        self.contexts: dict[int, _Span] = {}

    # -- the spans ---------------------------------------------------------------------------

    def _rep(self) -> int:
        self._next += 1
        return self._next

    def _root(self) -> _Span:
        if self.root is None:
            trace, span, secs, nanos = self.hc.call(
                f"{CONTEXT}.current-context",
                lambda: [os.urandom(16).hex(), os.urandom(8).hex(), *_now()],
            )
            self.trace = str(trace)
            self.root = self.current = _Span(str(span), None, [int(secs), int(nanos)])
        return self.root

    def _context(self, span: _Span) -> Any:
        rep = self._rep()
        self.contexts[rep] = span
        return wc.ResourceHost.own(rep, _CONTEXT_TYPE)

    def start_span(self, name: str) -> Any:
        parent = self.current or self._root()
        span_id, secs, nanos = self.hc.call(f"{CONTEXT}.start-span", lambda: [os.urandom(8).hex(), *_now()])
        span = _Span(str(span_id), parent, [int(secs), int(nanos)], {"name": name})
        rep = self._rep()
        self.spans[rep] = span
        self.current = span
        return wc.ResourceHost.own(rep, _SPAN_TYPE)

    def finish(self, span: _Span) -> None:
        if span.finished:
            return
        span.finished = True
        if self.current is span:
            parent = span.parent
            while parent is not None and parent.finished:
                parent = parent.parent
            self.current = parent

    @staticmethod
    def attribute(span: _Span | None, key: str, inherited: bool) -> str | None:
        while span is not None:
            if key in span.attributes:
                return span.attributes[key]
            span = span.parent if inherited else None
        return None

    @staticmethod
    def attributes(span: _Span | None, inherited: bool) -> dict[str, str]:
        chain = []
        while span is not None:
            chain.append(span)
            span = span.parent if inherited else None
        merged: dict[str, str] = {}
        for s in reversed(chain):
            merged.update(s.attributes)
        return merged

    # -- linking -------------------------------------------------------------------------------

    def define(self, inst: Any, items: tuple[tuple[str, Any], ...]) -> None:
        for item, ty in items:
            if isinstance(ty, wc.ResourceType) or not isinstance(ty, wc.FuncType):
                type_id = _SPAN_TYPE if item == "span" else _CONTEXT_TYPE
                dtor = self._drop_span if item == "span" else self._drop_context
                inst.add_resource(item, wc.ResourceType.host(type_id), dtor)
        for item, ty in items:
            if isinstance(ty, wc.FuncType):
                inst.add_func(item, self._func(item, ty))

    def _drop_span(self, _store: Any, rep: int) -> None:
        span = self.spans.pop(rep, None)
        if span is not None:
            self.finish(span)

    def _drop_context(self, _store: Any, rep: int) -> None:
        self.contexts.pop(rep, None)

    def _span_of(self, store: Any, handle: Any) -> _Span:
        span = self.spans.get(_rep_of(store, handle))
        if span is None:
            raise InvocationFailed("trap", "golem:api/context: this span belongs to another invocation")
        return span

    def _context_of(self, store: Any, handle: Any) -> _Span:
        span = self.contexts.get(_rep_of(store, handle))
        if span is None:
            raise InvocationFailed("trap", "golem:api/context: this invocation context belongs to another invocation")
        return span

    def _func(self, item: str, ftype: Any) -> Callable[..., Any]:
        params = [pt for _, pt in ftype.params]
        lift = [_safe_lifter(pt) for pt in params]
        lower = None if ftype.result is None else _safe_lowerer(ftype.result)

        def value(v: Any) -> str:
            return str(v.payload) if hasattr(v, "payload") else str(v)

        def attr_value(text: str) -> Any:
            return t.Variant("string", text)

        def record(key: str, text: str) -> dict[str, Any]:
            return {"key": key, "value": attr_value(text)}

        def out(v: Any) -> Any:
            return v if lower is None else lower(v)

        if item == "start-span":
            return lambda _s, name: self.start_span(str(name))
        if item == "current-context":
            return lambda _s: self._context(self.current or self._root())
        if item == "allow-forwarding-trace-context-headers":
            def allow(_s: Any, flag: bool) -> bool:
                before, self.forwarding = self.forwarding, bool(flag)
                return before

            return allow
        if item == "[method]span.started-at":
            def started_at(s: Any, h: Any) -> Any:
                secs, nanos = self._span_of(s, h).started
                return out({"seconds": secs, "nanoseconds": nanos})

            return started_at
        if item == "[method]span.set-attribute":
            def set_attribute(s: Any, h: Any, name: str, v: Any) -> None:
                self._span_of(s, h).attributes[str(name)] = value(lift[2](v))

            return set_attribute
        if item == "[method]span.set-attributes":
            def set_attributes(s: Any, h: Any, attrs: Any) -> None:
                span = self._span_of(s, h)
                for a in lift[1](attrs):
                    span.attributes[str(a["key"])] = value(a["value"])

            return set_attributes
        if item == "[method]span.finish":
            return lambda s, h: self.finish(self._span_of(s, h))
        if item == "[method]invocation-context.trace-id":
            def trace_id(s: Any, h: Any) -> str:
                self._context_of(s, h)
                self._root()
                return str(self.trace)

            return trace_id
        if item == "[method]invocation-context.span-id":
            return lambda s, h: self._context_of(s, h).id
        if item == "[method]invocation-context.parent":
            def parent(s: Any, h: Any) -> Any:
                up = self._context_of(s, h).parent
                return None if up is None else self._context(up)

            return parent
        if item == "[method]invocation-context.get-attribute":
            def get_attribute(s: Any, h: Any, key: str, inherited: bool) -> Any:
                found = self.attribute(self._context_of(s, h), str(key), bool(inherited))
                return out(None if found is None else t.Some(attr_value(found)))

            return get_attribute
        if item == "[method]invocation-context.get-attributes":
            def get_attributes(s: Any, h: Any, inherited: bool) -> Any:
                merged = self.attributes(self._context_of(s, h), bool(inherited))
                return out([record(k, v) for k, v in sorted(merged.items())])

            return get_attributes
        if item == "[method]invocation-context.get-attribute-chain":
            def chain(s: Any, h: Any, key: str) -> Any:
                span: _Span | None = self._context_of(s, h)
                values = []
                while span is not None:
                    if str(key) in span.attributes:
                        values.append(attr_value(span.attributes[str(key)]))
                    span = span.parent
                return out(values)

            return chain
        if item == "[method]invocation-context.get-attribute-chains":
            def chains(s: Any, h: Any) -> Any:
                span: _Span | None = self._context_of(s, h)
                found: dict[str, list[Any]] = {}
                while span is not None:
                    for k, v in span.attributes.items():
                        found.setdefault(k, []).append(attr_value(v))
                    span = span.parent
                return out([{"key": k, "values": vs} for k, vs in sorted(found.items())])

            return chains
        if item == "[method]invocation-context.trace-context-headers":
            def headers(s: Any, h: Any) -> Any:
                span = self._context_of(s, h)
                self._root()
                return out([("traceparent", f"00-{self.trace}-{span.id}-01")])

            return headers
        raise AssertionError(f"unplanned golem:api/context item {item}")  # pragma: no cover - see provided()


def _now() -> list[int]:
    ns = time.time_ns()
    return [ns // 1_000_000_000, ns % 1_000_000_000]


def _rep_of(store: Any, handle: Any) -> int:
    rep = getattr(handle, "rep", None)
    if rep is None:
        rep = handle.to_host(store).rep
    return int(rep)


def _safe_lifter(vt: Any) -> Callable[[Any], Any]:
    try:
        return _types.lifter(vt)
    except TypeError:
        return lambda v: v


def _safe_lowerer(vt: Any) -> Callable[[Any], Any]:
    try:
        return _types.lowerer(vt)
    except TypeError:
        return lambda v: v
