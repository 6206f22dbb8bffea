"""Golem's host API (``golem:api/host``) for the guests that import it.

The functions of ``golem:api/host`` 1.1.x (worker-named) and 1.3.x
(agent-named) are served here; 0.2.x and 1.2.x imports of the same
functions with the same shapes are served too. The WIT implemented is
vendored in ``domain/runtime/wit/``; its 1.3 part follows Golem's published
``golem:api@1.3.0`` (``agent-metadata`` with ``config-vars`` and
``component-revision``, ``fork: func() -> fork-result`` as a variant).

An import item is served only when its declared type fits the one
implemented (records are matched field by field, agent-named fields to
worker-named ones); anything else stays one of the linker's stubs that
fail when called. golem:api 1.5 declares its functions ``async``, which
wasmtime-py 50 cannot expose: its items are always stubs, saying so.

Over 600 lines, and one thing: the types of the host API, then one short
method per host function (each recorded through the host calls).

Every call goes through :meth:`HostCalls.call`, so it is recorded in the
invocation's host calls and served from history on replay. What a call
asks of the rest of Worker Desk after the invocation (a policy stored on
the worker, an update requested) is appended to ``HostCalls.effects`` in
live mode only; promises are written at once through the services the
instance was given (:class:`GolemServices`).
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from domain.model import types as t
from domain.model.errors import InvocationFailed, WorkerDeskError
from domain.model.hostcalls import HostCalls

from . import _types

GOLEM_HOST = "golem:api/host"
_GOLEM_API_RE = re.compile(r"^golem:api/(?P<iface>[a-z0-9-]+)@(?P<major>\d+)\.(?P<minor>\d+)\.(?P<patch>\d+)")

# --- the implemented types (golem:api@1.1.x names) ------------------------------------

U8, U32, U64, F64, STRING, BOOL = t.U8, t.U32, t.U64, t.F64, t.STRING, t.BOOL
UUID_T = t.RecordType((("high-bits", U64), ("low-bits", U64)))
COMPONENT_ID = t.RecordType((("uuid", UUID_T),))
WORKER_ID = t.RecordType((("component-id", COMPONENT_ID), ("worker-name", STRING)))
PROMISE_ID = t.RecordType((("worker-id", WORKER_ID), ("oplog-idx", U64)))
RETRY_POLICY = t.RecordType(
    (
        ("max-attempts", U32),
        ("min-delay", U64),
        ("max-delay", U64),
        ("multiplier", F64),
        ("max-jitter-factor", t.OptionType(F64)),
    )
)
PERSISTENCE_LEVEL = t.VariantType((("persist-nothing", None), ("persist-remote-side-effects", None), ("smart", None)))
UPDATE_MODE = t.EnumType(("automatic", "snapshot-based"))
WORKER_STATUS = t.EnumType(("running", "idle", "suspended", "interrupted", "retrying", "failed", "exited"))
WORKER_METADATA = t.RecordType(
    (
        ("worker-id", WORKER_ID),
        ("args", t.ListType(STRING)),
        ("env", t.ListType(t.TupleType((STRING, STRING)))),
        ("config-vars", t.ListType(t.TupleType((STRING, STRING)))),  # 1.3 only; Worker Desk has none
        ("status", WORKER_STATUS),
        ("component-version", U64),
        ("retry-count", U64),
    )
)
REVERT_TARGET = t.VariantType((("revert-to-oplog-index", U64), ("revert-last-invocations", U64)))
FORK_RESULT = t.EnumType(("original", "forked"))
FORK_DETAILS = t.RecordType((("forked-phantom-id", UUID_T),))
FORK_RESULT_1_3 = t.VariantType((("original", FORK_DETAILS), ("forked", FORK_DETAILS)))
BYTES = t.ListType(U8)

# Golem's defaults (golem-worker-executor's RetryConfig, persistence "smart", idempotent).
DEFAULT_RETRY_POLICY: dict[str, Any] = {
    "max-attempts": 3,
    "min-delay": 100_000_000,
    "max-delay": 1_000_000_000,
    "multiplier": 3.0,
    "max-jitter-factor": 0.15,
}
DEFAULT_POLICIES: dict[str, Any] = {
    "retry-policy": DEFAULT_RETRY_POLICY,
    "persistence-level": "smart",
    "idempotence-mode": True,
}

# A field of an agent-named record and the worker-named fields it may stand for.
_ALIASES: dict[str, tuple[str, ...]] = {
    "agent-id": ("worker-id", "worker-name"),
    "worker-id": ("agent-id",),
    "worker-name": ("agent-id", "agent-name"),
    "source-agent-id": ("source-worker-id",),
    "target-agent-id": ("target-worker-id",),
    "component-revision": ("component-version",),
}


@dataclass(frozen=True)
class Spec:
    """One implemented function: its 1.1.x shape and the method that serves it."""

    params: tuple[t.ValueType, ...]
    result: t.ValueType | None
    method: str


_SPECS: dict[str, Spec] = {
    "create-promise": Spec((), PROMISE_ID, "create_promise"),
    "await-promise": Spec((PROMISE_ID,), BYTES, "await_promise"),
    "poll-promise": Spec((PROMISE_ID,), t.OptionType(BYTES), "poll_promise"),
    "complete-promise": Spec((PROMISE_ID, BYTES), BOOL, "complete_promise"),
    "delete-promise": Spec((PROMISE_ID,), None, "delete_promise"),
    "get-oplog-index": Spec((), U64, "get_oplog_index"),
    "set-oplog-index": Spec((U64,), None, "unsupported"),
    "oplog-commit": Spec((U8,), None, "oplog_commit"),
    "mark-begin-operation": Spec((), U64, "mark_begin_operation"),
    "mark-end-operation": Spec((U64,), None, "mark_end_operation"),
    "get-retry-policy": Spec((), RETRY_POLICY, "get_retry_policy"),
    "set-retry-policy": Spec((RETRY_POLICY,), None, "set_retry_policy"),
    "get-oplog-persistence-level": Spec((), PERSISTENCE_LEVEL, "get_persistence_level"),
    "set-oplog-persistence-level": Spec((PERSISTENCE_LEVEL,), None, "set_persistence_level"),
    "get-idempotence-mode": Spec((), BOOL, "get_idempotence_mode"),
    "set-idempotence-mode": Spec((BOOL,), None, "set_idempotence_mode"),
    "generate-idempotency-key": Spec((), UUID_T, "generate_idempotency_key"),
    "update-worker": Spec((WORKER_ID, U64, UPDATE_MODE), None, "update_worker"),
    "update-agent": Spec((WORKER_ID, U64, UPDATE_MODE), None, "update_worker"),
    "get-self-metadata": Spec((), WORKER_METADATA, "get_self_metadata"),
    "get-worker-metadata": Spec((WORKER_ID,), t.OptionType(WORKER_METADATA), "get_worker_metadata"),
    "get-agent-metadata": Spec((WORKER_ID,), t.OptionType(WORKER_METADATA), "get_worker_metadata"),
    "resolve-component-id": Spec((STRING,), t.OptionType(COMPONENT_ID), "resolve_component_id"),
    "resolve-worker-id": Spec((STRING, STRING), t.OptionType(WORKER_ID), "resolve_worker_id"),
    "resolve-agent-id": Spec((STRING, STRING), t.OptionType(WORKER_ID), "resolve_worker_id"),
    "resolve-worker-id-strict": Spec((STRING, STRING), t.OptionType(WORKER_ID), "resolve_worker_id_strict"),
    "resolve-agent-id-strict": Spec((STRING, STRING), t.OptionType(WORKER_ID), "resolve_worker_id_strict"),
    "fork-worker": Spec((WORKER_ID, WORKER_ID, U64), None, "unsupported"),
    "fork-agent": Spec((WORKER_ID, WORKER_ID, U64), None, "unsupported"),
    "revert-worker": Spec((WORKER_ID, REVERT_TARGET), None, "unsupported"),
    "revert-agent": Spec((WORKER_ID, REVERT_TARGET), None, "unsupported"),
    "fork": Spec((STRING,), FORK_RESULT, "unsupported"),
}

# Items whose 1.3 signature is not the 1.1 one, with no 1.1 value to convert: tried after _SPECS.
_OTHER_SPECS: dict[str, tuple[Spec, ...]] = {
    "fork": (Spec((), FORK_RESULT_1_3, "unsupported"),),
}

_UNSUPPORTED = {
    "set-oplog-index": "jumping back in a worker's history is not supported yet",
    "fork-worker": "forking workers is not supported yet",
    "fork-agent": "forking agents is not supported yet",
    "revert-worker": "reverting a worker's history is not supported yet",
    "revert-agent": "reverting an agent's history is not supported yet",
    "fork": "forking workers is not supported yet",
}


def api_version(import_name: str) -> tuple[str, tuple[int, int, int]] | None:
    """``golem:api/host@1.1.7`` -> ``("host", (1, 1, 7))``; None for anything else."""
    m = _GOLEM_API_RE.match(import_name)
    if m is None:
        return None
    return m["iface"], (int(m["major"]), int(m["minor"]), int(m["patch"]))


def is_async_api(import_name: str) -> bool:
    """golem:api 1.5 and later declare their functions ``async``."""
    found = api_version(import_name)
    return found is not None and found[1] >= (1, 5, 0)


def provided(import_name: str, item: str, ftype: Any) -> bool:
    """Whether this import item is served here (its declared type fits the implemented one)."""
    found = api_version(import_name)
    if found is None or found[0] != "host" or found[1] >= (1, 5, 0):
        return False
    return _spec_for(item, ftype) is not None


def _matches(spec: Spec, sig: Any) -> bool:
    if len(sig.params) != len(spec.params):
        return False
    if not all(fits(canon, p.type) for canon, p in zip(spec.params, sig.params)):
        return False
    if (spec.result is None) != (sig.result is None):
        return False
    return spec.result is None or sig.result is None or fits(sig.result, spec.result)


def _spec_for(item: str, ftype: Any) -> Spec | None:
    """The implemented shape this declared item fits, if any."""
    candidates = ((_SPECS[item],) if item in _SPECS else ()) + _OTHER_SPECS.get(item, ())
    if not candidates:
        return None
    sig = _types.signature(None, item, ftype)
    return next((spec for spec in candidates if _matches(spec, sig)), None)


# --- matching and converting values between the declared and the implemented shapes --------


def _defaultable(vt: t.ValueType) -> bool:
    return isinstance(vt, (t.ListType, t.OptionType))


def _default(vt: t.ValueType) -> Any:
    return [] if isinstance(vt, t.ListType) and not vt.is_bytes else (b"" if isinstance(vt, t.ListType) else None)


def _field(src: t.RecordType, name: str, dst_type: t.ValueType) -> tuple[str, t.ValueType] | None:
    for candidate in (name, *_ALIASES.get(name, ())):
        for sname, stype in src.fields:
            if sname == candidate and fits(dst_type, stype):
                return sname, stype
    return None


def fits(dst: t.ValueType, src: t.ValueType) -> bool:
    """Whether every value of ``src`` converts to ``dst`` (:func:`convert`)."""
    if isinstance(dst, t.RecordType):
        if not isinstance(src, t.RecordType):
            return False
        return all(_field(src, n, ft) is not None or _defaultable(ft) for n, ft in dst.fields)
    if isinstance(dst, (t.EnumType, t.VariantType)):
        if isinstance(dst, t.EnumType):
            dst_cases: dict[str, t.ValueType | None] = {n: None for n in dst.names}
        else:
            dst_cases = dict(dst.cases)
        if isinstance(src, t.EnumType):
            src_cases: dict[str, t.ValueType | None] = {n: None for n in src.names}
        elif isinstance(src, t.VariantType):
            src_cases = dict(src.cases)
        else:
            return False
        for name, payload in src_cases.items():
            if name not in dst_cases:
                return False
            other = dst_cases[name]
            if (payload is None) != (other is None):
                return False
            if payload is not None and other is not None and not fits(other, payload):
                return False
        return True
    if isinstance(dst, t.OptionType):
        return isinstance(src, t.OptionType) and fits(dst.payload, src.payload)
    if isinstance(dst, t.ListType):
        return isinstance(src, t.ListType) and fits(dst.element, src.element)
    if isinstance(dst, t.TupleType):
        return (
            isinstance(src, t.TupleType)
            and len(src.elements) == len(dst.elements)
            and all(fits(d, s) for d, s in zip(dst.elements, src.elements))
        )
    return dst == src


def convert(value: Any, src: t.ValueType, dst: t.ValueType) -> Any:
    """A domain value of type ``src`` as one of type ``dst`` (which :func:`fits` it)."""
    if isinstance(dst, t.RecordType) and isinstance(src, t.RecordType):
        out = {}
        for name, ftype in dst.fields:
            found = _field(src, name, ftype)
            out[name] = _default(ftype) if found is None else convert(value[found[0]], found[1], ftype)
        return out
    if isinstance(dst, t.OptionType) and isinstance(src, t.OptionType):
        return None if value is None else t.Some(convert(value.value, src.payload, dst.payload))
    if isinstance(dst, t.ListType) and isinstance(src, t.ListType):
        if dst.is_bytes:
            return bytes(value)
        return [convert(v, src.element, dst.element) for v in value]
    if isinstance(dst, t.TupleType) and isinstance(src, t.TupleType):
        return tuple(convert(v, s, d) for v, s, d in zip(value, src.elements, dst.elements))
    if isinstance(dst, t.VariantType):
        case = value.case if isinstance(value, t.Variant) else str(value)
        payload = value.payload if isinstance(value, t.Variant) else None
        dst_payload = dict(dst.cases).get(case)
        if dst_payload is not None and isinstance(src, t.VariantType):
            src_payload = dict(src.cases)[case]
            assert src_payload is not None
            payload = convert(payload, src_payload, dst_payload)
        return t.Variant(case, payload)
    if isinstance(dst, t.EnumType):
        return value.case if isinstance(value, t.Variant) else str(value)
    return value


# --- what the host functions ask of the services ------------------------------------------


class GolemServices(Protocol):
    """What Worker Desk's services do for the host API (``domain/services/golem_host.py``).

    Workers are named by component id (a UUID's text) and worker name.
    """

    def worker_metadata(self, component_id: str, worker_name: str) -> dict[str, Any] | None: ...

    def check_update(self, component_id: str, worker_name: str, target_version: int, mode: str) -> None: ...

    def component_id(self, reference: str) -> str | None: ...

    def worker_exists(self, component_id: str, worker_name: str) -> bool: ...

    def create_promise(self, component_id: str, worker_name: str) -> int: ...

    def poll_promise(self, component_id: str, worker_name: str, index: int) -> bytes | None: ...

    def complete_promise(self, component_id: str, worker_name: str, index: int, data: bytes) -> bool: ...

    def delete_promise(self, component_id: str, worker_name: str, index: int) -> None: ...


@dataclass(frozen=True)
class WorkerIdentity:
    """What an instance knows of its worker (from ``InstanceConfig``)."""

    component_id: str
    worker_name: str
    component_version: int
    env: tuple[tuple[str, str], ...]
    args: tuple[str, ...]


def _uuid_record(text: str) -> dict[str, int]:
    n = uuid.UUID(text).int
    return {"high-bits": n >> 64, "low-bits": n & 0xFFFF_FFFF_FFFF_FFFF}


def _uuid_text(record: dict[str, Any]) -> str:
    return str(uuid.UUID(int=(int(record["high-bits"]) << 64) | int(record["low-bits"])))


def worker_id_record(component_id: str, worker_name: str) -> dict[str, Any]:
    return {"component-id": {"uuid": _uuid_record(component_id)}, "worker-name": worker_name}


def _worker_of(worker_id: dict[str, Any]) -> tuple[str, str]:
    return _uuid_text(worker_id["component-id"]["uuid"]), str(worker_id["worker-name"])


def _metadata_value(data: dict[str, Any]) -> dict[str, Any]:
    """Recorded metadata JSON -> the worker-metadata record."""
    return {
        "worker-id": worker_id_record(data["componentId"], data["workerName"]),
        "args": list(data["args"]),
        "env": [(str(k), str(v)) for k, v in data["env"]],
        "config-vars": [(str(k), str(v)) for k, v in data.get("configVars", [])],
        "status": data["status"],
        "component-version": int(data["componentVersion"]),
        "retry-count": int(data.get("retryCount", 0)),
    }


def _retry_policy_json(record: dict[str, Any]) -> dict[str, Any]:
    jitter = record["max-jitter-factor"]
    return {
        "max-attempts": int(record["max-attempts"]),
        "min-delay": int(record["min-delay"]),
        "max-delay": int(record["max-delay"]),
        "multiplier": float(record["multiplier"]),
        "max-jitter-factor": None if jitter is None else float(jitter.value),
    }


def _retry_policy_value(data: dict[str, Any]) -> dict[str, Any]:
    jitter = data.get("max-jitter-factor")
    return {**data, "max-jitter-factor": None if jitter is None else t.Some(float(jitter))}


class GolemHost:
    """The host API of one instance: its worker, its policies and open atomic regions."""

    def __init__(
        self,
        identity: WorkerIdentity,
        host_calls: HostCalls,
        services: GolemServices | None,
        policies: dict[str, Any],
        time_limit: float,
    ) -> None:
        self.identity = identity
        self.hc = host_calls
        self.services = services
        self.policies = {**DEFAULT_POLICIES, **policies}
        self.time_limit = time_limit
        self.regions: list[int] = []
        self.call_started = time.monotonic()

    def begin_call(self) -> None:
        """A new invocation: regions are per invocation (a completed invocation commits them)."""
        self.regions = []
        self.call_started = time.monotonic()

    # -- linking ---------------------------------------------------------------------------

    def define(self, inst: Any, import_name: str, items: tuple[tuple[str, Any], ...]) -> None:
        """Define the served items of one import into its linker instance."""
        for item, ftype in items:
            inst.add_func(item, self._host_func(import_name, item, ftype))

    def _host_func(self, import_name: str, item: str, ftype: Any) -> Callable[..., Any]:
        spec = _spec_for(item, ftype)
        assert spec is not None, item
        sig = _types.signature(None, item, ftype)
        lifts = [_types.lifter(pt) for _, pt in ftype.params]
        declared = [p.type for p in sig.params]
        lower = None if ftype.result is None else _types.lowerer(ftype.result)
        method = getattr(self, spec.method)
        name = f"{GOLEM_HOST}.{item}"
        qualified = f"{import_name}.{{{item}}}"

        def call(_store: Any, *raw: Any) -> Any:
            args = [convert(lift(r), d, c) for lift, r, d, c in zip(lifts, raw, declared, spec.params)]
            if spec.method == "unsupported":
                raise InvocationFailed(
                    "unsupported-import", f"the component called {qualified}: {_UNSUPPORTED[item]} in Worker Desk"
                )
            try:
                out = method(name, *args)
            except InvocationFailed:
                raise
            except WorkerDeskError as e:
                raise InvocationFailed("trap", f"the component called {qualified}: {e}") from None
            if lower is None or spec.result is None or sig.result is None:
                return None
            return lower(convert(out, spec.result, sig.result))

        return call

    # -- the history -----------------------------------------------------------------------

    def get_oplog_index(self, name: str) -> int:
        return int(self.hc.call(name, lambda: self.hc.position))

    def oplog_commit(self, name: str, replicas: int) -> None:
        # Every invocation is committed before its result is returned: nothing to wait for.
        self.hc.call(name, lambda: int(replicas))

    def mark_begin_operation(self, name: str) -> int:
        begin = int(self.hc.call(name, lambda: self.hc.position))
        self.regions.append(begin)
        return begin

    def mark_end_operation(self, name: str, begin: int) -> None:
        self.hc.call(name, lambda: int(begin), check=lambda v: v == begin)
        if begin in self.regions:
            del self.regions[len(self.regions) - 1 - self.regions[::-1].index(begin)]

    # -- policies --------------------------------------------------------------------------

    def _set(self, name: str, key: str, value: Any) -> None:
        def live() -> Any:
            self.hc.effects.append(("policy", key, value))
            return value

        self.hc.call(name, live, check=lambda v: v == value)
        self.policies[key] = value

    def get_retry_policy(self, name: str) -> dict[str, Any]:
        return _retry_policy_value(self.hc.call(name, lambda: dict(self.policies["retry-policy"])))

    def set_retry_policy(self, name: str, policy: dict[str, Any]) -> None:
        self._set(name, "retry-policy", _retry_policy_json(policy))

    def get_persistence_level(self, name: str) -> t.Variant:
        return t.Variant(str(self.hc.call(name, lambda: self.policies["persistence-level"])), None)

    def set_persistence_level(self, name: str, level: t.Variant) -> None:
        self._set(name, "persistence-level", level.case)

    def get_idempotence_mode(self, name: str) -> bool:
        return bool(self.hc.call(name, lambda: bool(self.policies["idempotence-mode"])))

    def set_idempotence_mode(self, name: str, idempotent: bool) -> None:
        self._set(name, "idempotence-mode", bool(idempotent))

    def generate_idempotency_key(self, name: str) -> dict[str, int]:
        return _uuid_record(self.hc.call(name, lambda: str(uuid.uuid4())))

    # -- workers ---------------------------------------------------------------------------

    def _services(self, what: str) -> GolemServices:
        if self.services is None:
            raise InvocationFailed("unsupported-import", f"{what} is not available to this instance")
        return self.services

    def _self_metadata(self) -> dict[str, Any]:
        ident = self.identity
        return {
            "componentId": ident.component_id,
            "workerName": ident.worker_name,
            "args": list(ident.args),
            "env": [list(p) for p in ident.env],
            "status": "running",
            "componentVersion": ident.component_version,
            "retryCount": 0,
        }

    def get_self_metadata(self, name: str) -> dict[str, Any]:
        return _metadata_value(self.hc.call(name, self._self_metadata))

    def get_worker_metadata(self, name: str, worker_id: dict[str, Any]) -> t.Some | None:
        component_id, worker_name = _worker_of(worker_id)

        def live() -> dict[str, Any] | None:
            return self._services(name).worker_metadata(component_id, worker_name)

        found = self.hc.call(name, live)
        return None if found is None else t.Some(_metadata_value(found))

    def update_worker(self, name: str, worker_id: dict[str, Any], target: int, mode: str) -> None:
        component_id, worker_name = _worker_of(worker_id)
        request = {"componentId": component_id, "workerName": worker_name, "targetVersion": int(target), "mode": mode}

        def live() -> dict[str, Any]:
            try:
                self._services(name).check_update(component_id, worker_name, int(target), mode)
            except WorkerDeskError as e:
                raise InvocationFailed("trap", f"{name} refused: {e}") from None
            self.hc.effects.append(("update", component_id, worker_name, int(target), mode))
            return request

        self.hc.call(name, live, check=lambda v: v == request)

    def resolve_component_id(self, name: str, reference: str) -> t.Some | None:
        found = self.hc.call(name, lambda: self._services(name).component_id(reference))
        return None if found is None else t.Some({"uuid": _uuid_record(found)})

    def _resolve_worker(self, name: str, reference: str, worker_name: str, strict: bool) -> t.Some | None:
        def live() -> str | None:
            services = self._services(name)
            component_id = services.component_id(reference)
            if component_id is None or (strict and not services.worker_exists(component_id, worker_name)):
                return None
            return component_id

        found = self.hc.call(name, live)
        return None if found is None else t.Some(worker_id_record(found, worker_name))

    def resolve_worker_id(self, name: str, reference: str, worker_name: str) -> t.Some | None:
        return self._resolve_worker(name, reference, worker_name, strict=False)

    def resolve_worker_id_strict(self, name: str, reference: str, worker_name: str) -> t.Some | None:
        return self._resolve_worker(name, reference, worker_name, strict=True)

    # -- promises --------------------------------------------------------------------------

    def create_promise(self, name: str) -> dict[str, Any]:
        ident = self.identity
        index = int(self.hc.call(name, lambda: self._services(name).create_promise(ident.component_id, ident.worker_name)))
        return {"worker-id": worker_id_record(ident.component_id, ident.worker_name), "oplog-idx": index}

    def _promise(self, promise_id: dict[str, Any]) -> tuple[str, str, int]:
        component_id, worker_name = _worker_of(promise_id["worker-id"])
        return component_id, worker_name, int(promise_id["oplog-idx"])

    def await_promise(self, name: str, promise_id: dict[str, Any]) -> bytes:
        key = self._promise(promise_id)

        def live() -> str:
            services = self._services(name)
            # The guest's time limit keeps running while it waits: give up just before it.
            deadline = self.call_started + max(0.0, self.time_limit - 0.25)
            while True:
                data = services.poll_promise(*key)
                if data is not None:
                    return data.hex()
                if time.monotonic() >= deadline:
                    raise InvocationFailed(
                        "timeout",
                        f"{name} waited {self.time_limit:g} s (the worker's time limit) for promise {key[2]} "
                        f"of {key[0]}/{key[1]}, which was not completed",
                    )
                time.sleep(0.05)

        return bytes.fromhex(self.hc.call(name, live))

    def poll_promise(self, name: str, promise_id: dict[str, Any]) -> t.Some | None:
        key = self._promise(promise_id)

        def live() -> str | None:
            data = self._services(name).poll_promise(*key)
            return None if data is None else data.hex()

        found = self.hc.call(name, live)
        return None if found is None else t.Some(bytes.fromhex(found))

    def complete_promise(self, name: str, promise_id: dict[str, Any], data: bytes) -> bool:
        key = self._promise(promise_id)
        return bool(self.hc.call(name, lambda: self._services(name).complete_promise(*key, bytes(data))))

    def delete_promise(self, name: str, promise_id: dict[str, Any]) -> None:
        key = self._promise(promise_id)

        def live() -> int:
            self._services(name).delete_promise(*key)
            return key[2]

        self.hc.call(name, live)

    def unsupported(self, name: str, *_args: Any) -> None:  # pragma: no cover - raised before dispatch
        raise InvocationFailed("unsupported-import", f"{name} is not supported")


def async_unprovided_message(qualified: str) -> str:
    return (
        f"the component called {qualified}, which Worker Desk does not provide: golem:api 1.5 declares it as an "
        "async function, which wasmtime-py 50 cannot expose"
    )
