"""How a component's imports are satisfied.

Three sources, in this order of precedence:

1. Worker Desk's own host functions: the recorded WASI calls (clocks,
   random), defined *into* wasmtime's WASI instances so that imports of any
   0.2.x patch resolve to them, and the HTTP denial (below).
2. wasmtime's WASI 0.2 (``add_wasip2``) and wasi:http (``add_wasi_http``).
   An import at another 0.2.x patch (``wasi:random/random@0.2.3``) is
   matched by wasmtime's semver rules to its own latest 0.2 instance; nothing
   may be defined under the import's exact name there, or the real WASI
   would be shadowed (``Linker.define_unknown_imports_as_traps`` does exactly
   that, so it is never used).
3. Golem's host API (``_golem_host``): the ``golem:api/host`` functions whose
   declared types fit the implemented ones.
4. Stubs for everything else, functions and resource types alike: they link,
   so the component instantiates, and fail only when called, naming
   themselves (golem:api 1.5's, saying that its functions are async).

wasi:http is always linked. Without the worker's HTTP grant, ``handle``
drops the request and returns ``error-code::HTTP-request-denied`` to the
guest, whose HTTP client reports an error it can handle.

Which items wasmtime provides is probed once per engine on a linker of its
own (adding an existing name fails when shadowing is off) and cached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

import wasmtime
from wasmtime import component as wc

from domain.model.errors import InvocationFailed
from domain.model.vocabulary import strip_version

from . import _golem_context, _golem_host

# The non-deterministic WASI calls that go through the recording point.
RECORDED_INTERFACES = (
    "wasi:clocks/wall-clock",
    "wasi:clocks/monotonic-clock",
    "wasi:random/random",
    "wasi:random/insecure",
    "wasi:random/insecure-seed",
)
HTTP_HANDLER = "wasi:http/outgoing-handler"
HTTP_DENIED = "HTTP-request-denied"

_VERSION_RE = re.compile(r"^(?P<base>[^@]+)@(?P<major>\d+)\.(?P<minor>\d+)\.(?P<patch>\d+)(?P<pre>[-+].*)?$")

# Resource type numbers for stubs; each stub resource needs its own.
_STUB_RESOURCE_BASE = 0x5700_0000


# The vocabulary's one way to drop an interface's version (``wasi:random/random@0.2.3`` -> ``wasi:random/random``).
interface_base = strip_version


@dataclass(frozen=True)
class Unprovided:
    """One import item Worker Desk does not provide (a function or a resource type)."""

    interface: str | None  # None: a function imported at the top level
    item: str
    kind: str  # "func" | "resource"

    @property
    def qualified(self) -> str:
        return self.item if self.interface is None else f"{self.interface}.{{{self.item}}}"


@dataclass(frozen=True)
class LinkPlan:
    """What linking a component needs besides wasmtime's WASI: Golem's host API and stubs, per import."""

    # (name to define under, items) — the name is the import's own, or the
    # version wasmtime registered when its instance exists but lacks an item.
    stubs: tuple[tuple[str | None, tuple[Unprovided, ...]], ...]
    # (import name, ((item, its declared FuncType), ...)): served by ``_golem_host``.
    golem: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()

    @property
    def golem_items(self) -> tuple[str, ...]:
        """``golem:api/host@1.1.7.{generate-idempotency-key}`` for each served item."""
        return tuple(f"{name}.{{{item}}}" for name, items in self.golem for item, _ in items)

    @property
    def unprovided_imports(self) -> tuple[str, ...]:
        """Import names with at least one item that only a stub satisfies."""
        names: list[str] = []
        for _, items in self.stubs:
            for u in items:
                name = u.interface if u.interface is not None else u.item
                if name not in names:
                    names.append(name)
        return tuple(names)


class WasiSurface:
    """What wasmtime's own WASI and wasi:http define, probed once per engine.

    wasmtime registers WASI 0.2 under one patch version (``0.2.12`` for
    wasmtime 50) and resolves imports of any 0.2.x to it. A definition under
    another patch (``@0.2.3``) does not add to that instance: it takes its
    place for such imports. So items are probed, and missing ones added,
    under the registered version only.
    """

    def __init__(self, engine: wasmtime.Engine) -> None:
        self.engine = engine
        self._known: dict[tuple[str, str, str], bool] = {}
        self.wasi_version = self._registered_version("wasi:random/random", "get-random-u64")
        self.http_version = self._registered_version(HTTP_HANDLER, "handle")

    def _fresh(self) -> wc.Linker:
        linker = wc.Linker(self.engine)  # ~0.2 ms: a clean probe every time
        linker.add_wasip2()
        linker.add_wasi_http()
        return linker

    def defines(self, interface: str, item: str, kind: str) -> bool:
        """Whether wasmtime defines ``item`` under exactly this versioned interface name."""
        key = (interface, item, kind)
        known = self._known.get(key)
        if known is None:
            with self._fresh().root() as root:
                with root.add_instance(interface) as inst:
                    try:
                        if kind == "resource":
                            inst.add_resource(item, wc.ResourceType.host(_STUB_RESOURCE_BASE), lambda _s, _r: None)
                        else:
                            inst.add_func(item, lambda _s, *_a: None)
                        known = False
                    except wasmtime.WasmtimeError:
                        known = True  # "defined twice"
            self._known[key] = known
        return known

    def _registered_version(self, base: str, item: str) -> str | None:
        for patch in range(64, -1, -1):
            if self.defines(f"{base}@0.2.{patch}", item, "func"):
                return f"0.2.{patch}"
        return None

    def registered_name(self, name: str) -> str | None:
        """``wasi:io/poll@0.2.3`` -> ``wasi:io/poll@0.2.12`` when wasmtime serves 0.2.x imports of it."""
        m = _VERSION_RE.match(name)
        if m is None or not name.startswith("wasi:") or (m["major"], m["minor"]) != ("0", "2") or m["pre"]:
            return None
        versions = {v for v in (self.wasi_version, self.http_version) if v is not None}
        return next((f"{m['base']}@{v}" for v in sorted(versions)), None)

    def plan(self, component: wc.Component) -> LinkPlan:
        """The stubs a component needs: every import item wasmtime does not define."""
        stubs: list[tuple[str | None, tuple[Unprovided, ...]]] = []
        golem: list[tuple[str, tuple[tuple[str, Any], ...]]] = []
        # A resource an interface takes from another (``use wasi:io/poll.{pollable}``)
        # is that one's type, not one to define: only the first sighting counts.
        seen_resources: list[wc.ResourceType] = []
        for name, ext in component.type.imports(self.engine).items():
            ty = ext.ty
            if isinstance(ty, wc.FuncType):
                stubs.append((None, (Unprovided(None, name, "func"),)))
                continue
            if not isinstance(ty, wc.ComponentInstanceType):
                continue  # modules, types: nothing to define
            registered = self.registered_name(name)
            found = _golem_host.api_version(name)
            if found is not None and found[0] == "context" and found[1] < (1, 5, 0):
                exported = [
                    (item, iext.ty) for item, iext in ty.exports(self.engine).items()
                    if isinstance(iext.ty, (wc.FuncType, wc.ResourceType))
                ]  # fmt: skip
                kinds = [(item, "func" if isinstance(ity, wc.FuncType) else "resource") for item, ity in exported]
                if _golem_context.provided(kinds):
                    golem.append((name, tuple(exported)))
                    continue
            items: list[tuple[str, str]] = []
            served: list[tuple[str, Any]] = []
            for item, iext in ty.exports(self.engine).items():
                if isinstance(iext.ty, wc.FuncType):
                    if registered is None and _golem_host.provided(name, item, iext.ty):
                        served.append((item, iext.ty))
                        continue
                    items.append((item, "func"))
                elif isinstance(iext.ty, wc.ResourceType):
                    if any(iext.ty == r for r in seen_resources):
                        continue
                    seen_resources.append(iext.ty)
                    items.append((item, "resource"))
                # plain types need no definition
            provided = {(i, k) for i, k in items if registered is not None and self.defines(registered, i, k)}
            missing = tuple(Unprovided(name, i, k) for i, k in items if (i, k) not in provided)
            if missing:
                # Into wasmtime's own instance when it has one, so the rest stays its own.
                stubs.append((registered if provided else name, missing))
            if served:
                golem.append((name, tuple(served)))
        return LinkPlan(tuple(stubs), tuple(golem))


def define_stubs(
    root: Any,
    plan: LinkPlan,
    on_call: Callable[[Unprovided], Exception],
    golem: Callable[[Any, str, tuple[tuple[str, Any], ...]], None] | None = None,
) -> None:
    """Link every planned stub; calling one raises ``on_call(item)``. Items Golem's
    host API serves are defined by ``golem(instance, import name, items)`` in the
    same instance (one instance per import name)."""
    counter = 0
    served = dict(plan.golem)
    for target, items in plan.stubs:
        if target is None:
            for u in items:
                root.add_func(u.item, _raiser(u, on_call))
            continue
        with root.add_instance(target) as inst:
            for u in items:
                if u.kind == "resource":
                    counter += 1
                    inst.add_resource(u.item, wc.ResourceType.host(_STUB_RESOURCE_BASE + counter), lambda _s, _r: None)
            for u in items:
                if u.kind == "func":
                    inst.add_func(u.item, _raiser(u, on_call))
            _define_golem(inst, target, served.pop(target, ()), on_call, golem)
    for name, golem_items in served.items():
        with root.add_instance(name) as inst:
            _define_golem(inst, name, golem_items, on_call, golem)


def _define_golem(
    inst: Any,
    name: str,
    items: tuple[tuple[str, Any], ...],
    on_call: Callable[[Unprovided], Exception],
    golem: Callable[[Any, str, tuple[tuple[str, Any], ...]], None] | None,
) -> None:
    if not items:
        return
    if golem is not None:
        golem(inst, name, items)
        return
    for item, ty in items:
        if isinstance(ty, wc.FuncType):
            inst.add_func(item, _raiser(Unprovided(name, item, "func"), on_call))
        else:
            inst.add_resource(item, wc.ResourceType.host(_STUB_RESOURCE_BASE - 1 - len(item)), lambda _s, _r: None)


def _raiser(u: Unprovided, on_call: Callable[[Unprovided], Exception]) -> Callable[..., Any]:
    def fail(_store: Any, *_args: Any) -> Any:
        raise on_call(u)

    return fail


def unprovided_error(u: Unprovided) -> InvocationFailed:
    if u.interface is not None and _golem_host.is_async_api(u.interface):
        return InvocationFailed("unsupported-import", _golem_host.async_unprovided_message(u.qualified))
    return InvocationFailed(
        "unsupported-import",
        f"the component called {u.qualified}, which Worker Desk does not provide (no grant enables it)",
    )


def define_http_denial(root: Any, http_version: str, on_denied: Callable[[], None]) -> None:
    """Shadow ``handle`` in wasmtime's wasi:http: drop the request, answer ``HTTP-request-denied``."""

    def handle(store: Any, request: Any, options: Any) -> Any:
        for resource in (request, options):
            if resource is not None:
                resource.drop(store)
        on_denied()
        return wc.Variant(HTTP_DENIED)

    with root.add_instance(f"{HTTP_HANDLER}@{http_version}") as inst:
        inst.add_func("handle", handle)
