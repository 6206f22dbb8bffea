"""The headless CLI, shaped like the golem CLI. Never imports Qt.

Over 600 lines, and one thing: the argument parser and, per command, the
few lines that call a service and print its answer; the use cases themselves
live in ``domain/services``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

from domain.model.errors import WorkerDeskError, one_line
from domain.model.hostcalls import describe as describe_host_call
from domain.services.worker_store import describe_store_error, is_store_read_error
from domain.model.labels import MODE_CHOICES
from domain.model.sizes import format_mib, parse_size

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

# (group, command) pairs that only read, so --read-only allows them.
READ_ONLY_COMMANDS = {
    ("worker", "list"),
    ("worker", "get"),
    ("worker", "oplog"),
    ("component", "list"),
    ("component", "get"),
    ("audit", None),
    ("check", None),
}


class CliError(Exception):
    pass


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, default=str))


def _kv(items: Sequence[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        if "=" not in item:
            raise CliError(f"--env expects K=V, got {item!r}")
        k, v = item.split("=", 1)
        out[k] = v
    return out


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="workerdesk",
        description="Operate durable WebAssembly workers: invoke, replay, upgrade and audit them. "
        "Without a command, opens the desktop app.",
    )
    p.add_argument("--home", help="keep data, cache and settings under this folder (or set WORKERDESK_HOME)")
    p.add_argument("--storage", choices=["sqlite", "postgres"], help="event store (default: from settings, else sqlite)")
    p.add_argument("--time-limit", type=float, help="seconds an invocation may run before it is stopped")
    p.add_argument("--demo", action="store_true", help="open the app on a demo workspace (created when the data folder is empty)")
    p.add_argument("--read-only", action="store_true", help="open the data folder without changing it (audit)")
    p.add_argument("--self-check", action="store_true", help="run a built-in end-to-end check and print OK")
    sub = p.add_subparsers(dest="group")

    comp = sub.add_parser("component", help="add and inspect components").add_subparsers(dest="cmd", required=True)
    c = comp.add_parser("add", help="add a component, or a new version of it")
    c.add_argument("name")
    c.add_argument("file", help="a component binary (.wasm) or component text (.wat)")
    c.add_argument(
        "--file",
        dest="initial_files",
        action="append",
        metavar="SRC:/PATH",
        help="an initial file or folder, copied into every new worker's private filesystem at /PATH (repeatable)",
    )
    c.add_argument("--json", action="store_true")
    c = comp.add_parser("list", help="list components")
    c.add_argument("--json", action="store_true")
    c = comp.add_parser("get", help="show a component's versions and exports")
    c.add_argument("name")
    c.add_argument("--version", type=int)
    c.add_argument("--json", action="store_true")
    c = comp.add_parser("update-workers", help="update every worker of a component")
    c.add_argument("name")
    c.add_argument("mode", choices=MODE_CHOICES)
    c.add_argument("version", nargs="?", type=int)
    c.add_argument("--stop-on-failure", action="store_true")
    c.add_argument("--json", action="store_true")

    wk = sub.add_parser("worker", help="create, invoke, inspect and update workers").add_subparsers(dest="cmd", required=True)
    w = wk.add_parser("new", help="create a worker")
    w.add_argument("component")
    w.add_argument("worker")
    w.add_argument("--version", type=int)
    w.add_argument("--env", action="append", metavar="K=V")
    w.add_argument("--arg", action="append", metavar="A")
    w.add_argument(
        "--grant-dir", metavar="DIR",
        help="copy this host folder into the worker's private filesystem as / (later changes to the folder are not seen)",
    )
    w.add_argument("--allow-http", action="store_true", help="allow outgoing HTTP (wasi:http); without it requests get HTTP-request-denied")
    w.add_argument(
        "--max-memory",
        metavar="SIZE",
        help="cap of each of the worker's linear memories, e.g. 256MiB or 2GiB (a bare number is MiB; default: the settings' limit, 1 GiB)",
    )
    w.add_argument("--json", action="store_true")
    w = wk.add_parser("list", help="list workers")
    w.add_argument("--component")
    w.add_argument("--json", action="store_true")
    w = wk.add_parser("get", help="show a worker's metadata and update records")
    w.add_argument("worker")
    w.add_argument("--json", action="store_true")
    w = wk.add_parser("invoke", help="invoke a function (arguments and result in WAVE)")
    w.add_argument("worker")
    w.add_argument("function")
    w.add_argument("args", nargs="*", metavar="ARG")
    w.add_argument(
        "--args-file",
        metavar="FILE",
        help="read the arguments from FILE (WAVE values separated by commas, as in the GUI), before any ARG",
    )
    w.add_argument(
        "--idempotency-key",
        metavar="KEY",
        help="a key of your choosing for this call (per worker): repeating it returns the recorded result "
        "instead of running the call again",
    )
    w.add_argument("--json", action="store_true")
    w = wk.add_parser("oplog", help="show a worker's numbered history")
    w.add_argument("worker")
    w.add_argument("--from", dest="start", type=int, default=1)
    w.add_argument("--limit", type=int)
    w.add_argument("--query", help="only entries whose text matches this regular expression")
    w.add_argument("--json", action="store_true")
    w = wk.add_parser("delete", help="delete a worker (its history stays for audit)")
    w.add_argument("worker")
    w = wk.add_parser("update", help="update a worker to another version")
    w.add_argument("worker")
    w.add_argument("mode", choices=MODE_CHOICES)
    w.add_argument("version", nargs="?", type=int, help="target version (default: latest)")
    w.add_argument("--dry-run", action="store_true", help="try it in a scratch instance; record nothing")
    w.add_argument("--json", action="store_true")
    w = wk.add_parser("cancel-update", help="cancel a pending update")
    w.add_argument("worker")
    w.add_argument("version", type=int)
    w = wk.add_parser("recover", help="rebuild a worker from its history now")
    w.add_argument("worker")
    w = wk.add_parser("complete-promise", help="complete a promise a worker created (golem:api/host create-promise)")
    w.add_argument("worker")
    w.add_argument("promise", type=int, metavar="ID", help="the promise's number (its oplog-idx)")
    w.add_argument("data", metavar="DATA", help="the payload, as UTF-8 text (or hexadecimal with --hex)")
    w.add_argument("--hex", action="store_true", help="DATA is hexadecimal bytes")

    c = sub.add_parser(
        "check", help="verify every stream, blob and compiled component; exit 1 on damage (writes nothing)"
    )
    c.add_argument("--json", action="store_true")

    a = sub.add_parser(
        "audit",
        help="every update attempt across all workers",
        description="Every update attempt of every worker, deleted ones too: when, from and to which version, "
        "automatic or manual, the outcome and why. Without an option, a table on stdout.",
    )
    fmt = a.add_mutually_exclusive_group()
    fmt.add_argument(
        "--json", nargs="?", const=True, default=False, metavar="FILE",
        help="JSON rows: written to FILE, or printed when no FILE is given",
    )
    fmt.add_argument("--csv", metavar="FILE", help="write the rows as CSV to FILE")
    fmt.add_argument("--html", metavar="FILE", help="write a self-contained HTML report to FILE")
    return p


def _open(ns: argparse.Namespace, read_only: bool = False) -> Any:
    from domain.bootstrap import open_desk

    return open_desk(ns.home, storage=ns.storage, read_only=read_only or ns.read_only, time_limit=ns.time_limit)


def run(argv: Sequence[str] | None = None, out: Callable[[str], None] = print) -> int:
    parser = build_parser()
    ns = parser.parse_args(argv)
    try:
        if ns.self_check:
            from desktop_app.selfcheck import self_check

            return self_check(out)
        if ns.group is None:
            return _gui(ns)
        if ns.read_only and (ns.group, getattr(ns, "cmd", None)) not in READ_ONLY_COMMANDS:
            raise CliError(
                f"`{ns.group} {ns.cmd}` changes the data folder, which --read-only forbids: run it without --read-only"
            )
        desk = _open(ns, read_only=ns.group == "check")
        try:
            return _dispatch(ns, desk, out)
        finally:
            desk.close()
    except CliError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except WorkerDeskError as e:
        print(f"error: {one_line(e)}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`workerdesk worker oplog … | head`): stop quietly, as other tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except Exception as e:  # noqa: BLE001 - last line of defence: one line, no traceback
        if os.environ.get("WORKERDESK_DEBUG"):
            raise
        if is_store_read_error(e):
            # A damaged row of the worker this command reads (the other workers are unaffected).
            whose = f"worker {ns.worker}" if getattr(ns, "worker", None) else "a stream"
            print(f"error: {whose} cannot be read: {describe_store_error(e)}; run `workerdesk check`", file=sys.stderr)
            return EXIT_FAILED
        print(f"error: unexpected {type(e).__name__}: {one_line(e)} (set WORKERDESK_DEBUG=1 for details)", file=sys.stderr)
        return EXIT_USAGE


def _gui(ns: argparse.Namespace) -> int:
    from desktop_app.preflight import problem

    blocked = problem()
    if blocked is not None:
        print(f"error: {blocked}", file=sys.stderr)
        return EXIT_USAGE
    try:
        from desktop_app.gui.app import run_gui
    except ImportError as e:
        print(f"error: the desktop app cannot start: {e}", file=sys.stderr)
        return EXIT_USAGE
    return run_gui(home=ns.home, storage=ns.storage, demo=ns.demo, read_only=ns.read_only)


def _dispatch(ns: argparse.Namespace, desk: Any, out: Callable[[str], None]) -> int:
    if ns.group == "component":
        return _component(ns, desk, out)
    if ns.group == "worker":
        return _worker(ns, desk, out)
    if ns.group == "audit":
        if isinstance(ns.json, str):
            return _audit_json_file(ns, desk, out)
        return _audit(ns, desk, out)
    if ns.group == "check":
        return _check(ns, desk, out)
    raise CliError(f"unknown command {ns.group}")


def _component(ns: argparse.Namespace, desk: Any, out: Callable[[str], None]) -> int:
    comps = desk.components
    if ns.cmd == "add":
        path = Path(ns.file)
        try:
            data = path.read_bytes()
        except OSError as e:
            raise CliError(f"cannot read {path}: {e.strerror}") from None
        from domain.services.initial_files import parse_spec

        initial = [parse_spec(spec) for spec in ns.initial_files or []]
        info = comps.add(ns.name, data, source=path.name, files=initial or None)
        if ns.json:
            _print_json({"component": ns.name, **info.to_json()})
        else:
            d = info.description
            snap = ", ".join(x for x, ok in (("save", d.exports_save), ("load", d.exports_load)) if ok) or "none"
            out(f"Added {ns.name} version {info.version} ({info.size} bytes, sha256 {info.sha256[:12]}…)")
            out(f"  exports {len(d.functions)} functions; snapshot support: {snap}")
            if d.unsupported_imports:
                out(f"  unsupported imports (calls to them fail): {', '.join(d.unsupported_imports)}")
        return EXIT_OK
    if ns.cmd == "list":
        items = comps.list()
        if ns.json:
            _print_json([c.to_json() for c in items])
        elif not items:
            out("No components yet. Add one with: workerdesk component add NAME FILE.wasm")
        else:
            out(f"{'NAME':24} {'LATEST':>6} {'SIZE':>10}  SNAPSHOT")
            for c in items:
                d = c.latest.description
                snap = "/".join(x for x, ok in (("save", d.exports_save), ("load", d.exports_load)) if ok) or "-"
                out(f"{c.name:24} {c.latest.version:>6} {c.latest.size:>10}  {snap}")
        return EXIT_OK
    if ns.cmd == "get":
        info = comps.get(ns.name)
        if ns.json:
            _print_json(info.to_json())
            return EXIT_OK
        out(f"{info.name}  ({len(info.versions)} version(s), id {info.id})")
        for v in info.versions:
            if ns.version is not None and v.version != ns.version:
                continue
            d = v.description
            snap = "/".join(x for x, ok in (("save", d.exports_save), ("load", d.exports_load)) if ok) or "none"
            out(f"  version {v.version}: {v.size} bytes, sha256 {v.sha256[:12]}…, added {v.added_at[:19]}, snapshot: {snap}")
            for f in d.functions:
                out(f"    {f.qualified_name}: {f.wit()}")
            for imp in d.unsupported_imports:
                out(f"    unsupported import: {imp}")
        return EXIT_OK
    if ns.cmd == "update-workers":
        from domain.services.bulk import BulkUpdates, WorkerResult

        bulk = BulkUpdates(desk.workers)
        refs = bulk.refs_of(ns.name)
        run = bulk.start(refs, ns.mode, ns.version, stop_on_failure=ns.stop_on_failure)
        results: list[dict[str, Any]] = []

        def report(r: WorkerResult) -> None:
            if r.skipped:
                return
            if r.outcome is not None:
                results.append(r.outcome.to_json())
                line = r.outcome.message()
            else:
                results.append({"worker": r.ref, "outcome": "rejected", "reason": r.error})
                line = f"{r.ref}: {r.error}"
            if not ns.json:
                out(("ok     " if r.ok else "FAILED ") + line)
                if not r.ok and ns.stop_on_failure:
                    out("stopping: --stop-on-failure")

        run.run(each=report)
        if ns.json:
            _print_json(results)
        elif not refs:
            out(f"component {ns.name} has no workers")
        return EXIT_FAILED if any(not r.ok and not r.skipped for r in run.results) else EXIT_OK
    raise CliError(f"unknown component command {ns.cmd}")


def _worker(ns: argparse.Namespace, desk: Any, out: Callable[[str], None]) -> int:
    workers = desk.workers
    if ns.cmd == "new":
        grants: dict[str, Any] = {}
        if ns.grant_dir:
            d = Path(ns.grant_dir)
            if not d.is_dir():
                raise CliError(f"--grant-dir {d} is not a folder")
            grants["dir"] = str(d.resolve())
        if ns.allow_http:
            grants["http"] = True
        max_memory = parse_size(ns.max_memory) if ns.max_memory is not None else None
        meta = workers.create(
            ns.component, ns.worker, ns.version, _kv(ns.env), list(ns.arg or []), grants, max_memory=max_memory
        )
        if ns.json:
            _print_json(meta)
        else:
            out(f"Created worker {ns.component}/{ns.worker} on version {meta['componentVersion']}")
        return EXIT_OK
    if ns.cmd == "list":
        items = workers.list(component=ns.component)
        if ns.json:
            _print_json(items)
        elif not items:
            out("No workers yet. Create one with: workerdesk worker new COMPONENT WORKER")
        else:
            out(f"{'WORKER':36} {'VERSION':>7} {'STATUS':10} {'CALLS':>7}  UPDATES")
            for m in items:
                ref = f"{m['workerId']['componentName']}/{m['workerId']['workerName']}"
                if m["status"] == "unreadable":
                    out(f"{ref:36} {'?':>7} {'unreadable':10} {'?':>7}  {m['unreadable']}; run `workerdesk check`")
                    continue
                last = m["updates"][-1] if m["updates"] else None
                upd = f"{_update_line(last)}" if last else "-"
                out(f"{ref:36} {m['componentVersion']:>7} {m['status']:10} {m['invocationCount']:>7}  {upd}")
        return EXIT_OK
    if ns.cmd == "get":
        meta = workers.get(ns.worker)
        if ns.json:
            _print_json(meta)
            return EXIT_OK
        out(f"Worker {ns.worker}")
        out(f"  status:            {meta['status']}")
        out(f"  component version: {meta['componentVersion']} ({meta['componentSize']} bytes)")
        out(f"  created:           {meta['createdAt']}")
        out(f"  env:               {meta['env'] or '-'}")
        out(f"  args:              {meta['args'] or '-'}")
        if meta.get("maxMemory") is not None:
            out(f"  memory cap:        {format_mib(meta['maxMemory'])}")
        out(f"  invocations:       {meta['invocationCount']} ok, {meta['failedInvocationCount']} failed, "
            f"{meta['interruptedInvocationCount']} interrupted")
        out(f"  history entries:   {meta['historyLength']}")
        if "retryPolicy" in meta:
            rp = meta["retryPolicy"]
            jitter = "no jitter" if rp["max-jitter-factor"] is None else f"jitter {rp['max-jitter-factor']:g}"
            out(f"  retry policy:      {rp['max-attempts']} attempts, {rp['min-delay'] / 1e6:g}–{rp['max-delay'] / 1e6:g} ms "
                f"x{rp['multiplier']:g}, {jitter} (golem:api; Worker Desk does not retry)")
            out(f"  persistence:       {meta['persistenceLevel']}, idempotent: {'yes' if meta['idempotenceMode'] else 'no'}")
        if meta["lastError"]:
            out(f"  last error:        {meta['lastError']}")
        if meta["updates"]:
            out("  updates:")
            for u in meta["updates"]:
                out(f"    {u['timestamp'][:19]}  {_update_line(u)}")
        return EXIT_OK
    if ns.cmd == "invoke":
        from domain.services.invocation import Invocations

        invocations = Invocations(workers, desk.components)
        r = invocations.invoke(ns.worker, ns.function, _invoke_args(ns), idempotency_key=ns.idempotency_key)
        if ns.json:
            _print_json(
                {
                    "function": r.function,
                    "result": r.result_wave,
                    "stdout": r.stdout,
                    "stderr": r.stderr,
                    "durationSeconds": r.duration,
                    "entry": r.entry,
                }
            )
        else:
            if r.stdout:
                sys.stderr.write(r.stdout if r.stdout.endswith("\n") else r.stdout + "\n")
            out(r.result_wave if r.result_wave is not None else "()")
        return EXIT_OK
    if ns.cmd == "oplog":
        entries = workers.oplog(ns.worker, ns.start, ns.limit)
        gaps = _gaps([e.index for e in entries], ns.start)
        for gap in gaps:
            print(f"warning: {ns.worker}: {gap}; run `workerdesk check`", file=sys.stderr)
        if ns.query:
            from domain.services.history_query import HistoryQuery, filter_entries

            try:
                entries = filter_entries(entries, HistoryQuery.cli(ns.query))
            except re.error as e:
                raise CliError(f"--query is not a valid regular expression: {e}") from None
        if ns.json:
            _print_json([e.to_json() for e in entries])
            return EXIT_FAILED if gaps else EXIT_OK
        for e in entries:
            out(f"#{e.index:<6} {e.timestamp[:23]}  v{e.version:<3} {e.kind:18} {e.summary()}")
            if e.kind == "invocation":
                for name, value in e.data.get("hostCalls", []):
                    if name.startswith("golem:"):
                        out(f"{'':8}  host call {describe_host_call([name, value])}")
                        continue
                    if isinstance(value, str) and len(value) > 32:
                        value = f"{value[:32]}… ({len(value) // 2} bytes)"
                    out(f"{'':8}  host call {name} -> {value}")
                for line in (e.data.get("stdout") or "").splitlines():
                    out(f"{'':8}  log: {line}")
        return EXIT_FAILED if gaps else EXIT_OK
    if ns.cmd == "complete-promise":
        try:
            payload = bytes.fromhex(ns.data) if ns.hex else ns.data.encode("utf-8")
        except ValueError:
            raise CliError(f"DATA is not hexadecimal: {ns.data!r}") from None
        done = workers.golem.complete_from_outside(ns.worker, ns.promise, payload)
        out(f"Completed promise {ns.promise} of {ns.worker}" if done else f"Promise {ns.promise} of {ns.worker} was already completed")
        return EXIT_OK
    if ns.cmd == "delete":
        workers.delete(ns.worker)
        out(f"Deleted worker {ns.worker}")
        return EXIT_OK
    if ns.cmd == "update":
        if ns.dry_run:
            o = workers.dry_run(ns.worker, ns.mode, ns.version)
            if ns.json:
                _print_json(o.to_json())
            else:
                if o.compatibility is not None:
                    for line in o.compatibility.lines():
                        out(line)
                out(o.message())
                _print_divergence(o.divergence, out)
            return EXIT_OK if o.ok else EXIT_FAILED
        o = workers.update(ns.worker, ns.mode, ns.version)
        if ns.json:
            _print_json(o.to_json())
        else:
            out(o.message())
            _print_divergence(o.divergence, out)
        return EXIT_OK if o.ok else EXIT_FAILED
    if ns.cmd == "cancel-update":
        workers.cancel_update(ns.worker, ns.version)
        out(f"Cancelled the pending update of {ns.worker} to version {ns.version}")
        return EXIT_OK
    if ns.cmd == "recover":
        n = workers.recover(ns.worker)
        out(f"Recovered {ns.worker}: replayed {n} invocation(s)")
        return EXIT_OK
    raise CliError(f"unknown worker command {ns.cmd}")


def _gaps(indexes: list[int], start: int) -> list[str]:
    """Positions missing from a run of history entries (a deleted row), as phrases."""
    gaps, expected = [], start
    for index in indexes:
        if index > expected:
            span = f"#{expected}" if index == expected + 1 else f"#{expected} to #{index - 1}"
            gaps.append(f"history {'entry' if index == expected + 1 else 'entries'} {span} {'is' if index == expected + 1 else 'are'} missing")
        expected = index + 1
    return gaps


def _print_divergence(div: dict[str, Any] | None, out: Callable[[str], None]) -> None:
    if not div:
        return
    out(f"  at history entry #{div['entry']}: {div['function']} ({div['kind']})")
    out(f"    expected: {div['expected']}")
    out(f"    actual:   {div['actual']}")


def _update_line(u: dict[str, Any]) -> str:
    kind = {
        "pendingUpdate": "Pending update",
        "successfulUpdate": "Successful update",
        "failedUpdate": "Failed update",
        "cancelledUpdate": "Cancelled update",
    }.get(u["type"], u["type"])
    line = f"{kind} to {u['targetVersion']} ({u['mode']})"
    if u.get("details"):
        line += f": {u['details']}"
    return line


FILE_ARG = "@file:"


def _invoke_args(ns: argparse.Namespace) -> list[str | bytes]:
    """The arguments of ``worker invoke``: from --args-file, then each ARG; ``@file:PATH``
    passes that file's bytes as a ``list<u8>`` argument without turning them into text."""
    from domain.model.arguments import split_arguments
    from domain.model.wave import WaveError

    args: list[str | bytes] = []
    if ns.args_file:
        try:
            text = Path(ns.args_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise CliError(f"cannot read --args-file {ns.args_file}: {one_line(e)}") from None
        try:
            args.extend(split_arguments(text))
        except WaveError as e:
            raise CliError(f"--args-file {ns.args_file}: {e}") from None
    for arg in ns.args:
        if arg.startswith(FILE_ARG):
            path = Path(arg[len(FILE_ARG) :])
            try:
                args.append(path.read_bytes())
            except OSError as e:
                raise CliError(f"cannot read {arg}: {one_line(e)}") from None
        else:
            args.append(arg)
    return args


def _audit_json_file(ns: argparse.Namespace, desk: Any, out: Callable[[str], None]) -> int:
    """``audit --json FILE``: the rows ``audit --json`` prints, written to FILE like --csv and --html."""
    from domain.services import audit

    rows, unreadable = _audit_rows(desk)
    target = Path(ns.json)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(audit.to_json(rows) + "\n", encoding="utf-8")
    os.replace(tmp, target)
    out(f"Wrote {len(rows)} update attempt(s) to {target}")
    return EXIT_FAILED if unreadable else EXIT_OK


def _audit_rows(desk: Any) -> tuple[list[Any], list[tuple[str, str]]]:
    """The audit rows, and the workers left out because they cannot be read (warned on stderr)."""
    from domain.services import audit

    unreadable: list[tuple[str, str]] = []
    rows = audit.update_attempts(desk.workers, unreadable)
    for who, reason in unreadable:
        print(f"warning: {who} cannot be read, so its updates are missing from this audit: {reason}", file=sys.stderr)
    if unreadable:
        print("warning: run `workerdesk check` for every damage in the workspace", file=sys.stderr)
    return rows, unreadable


def _audit(ns: argparse.Namespace, desk: Any, out: Callable[[str], None]) -> int:
    from domain.services import audit

    rows, unreadable = _audit_rows(desk)
    if ns.json:
        out(audit.to_json(rows))
        return EXIT_FAILED if unreadable else EXIT_OK
    if ns.csv or ns.html:
        target = Path(ns.csv or ns.html)
        text = audit.to_csv(rows) if ns.csv else audit.to_html(rows)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
        out(f"Wrote {len(rows)} update attempt(s) to {target}")
        return EXIT_FAILED if unreadable else EXIT_OK
    if not rows:
        out("No update attempts recorded yet.")
        return EXIT_FAILED if unreadable else EXIT_OK
    out(f"{'TIME':20} {'WORKER':28} {'FROM':>4} {'TO':>4} {'MODE':9} {'OUTCOME':10} DETAILS")
    for r in rows:
        frm = "-" if r.fromVersion is None else str(r.fromVersion)
        det = r.details or ""
        if r.snapshotSize is not None:
            det = (det + f" [snapshot {r.snapshotSize} B {r.snapshotHash[:10] if r.snapshotHash else ''}]").strip()
        out(f"{r.time[:19]:20} {r.worker:28} {frm:>4} {r.toVersion:>4} {r.mode:9} {r.outcome:10} {det}")
    return EXIT_FAILED if unreadable else EXIT_OK


def _check(ns: argparse.Namespace, desk: Any, out: Callable[[str], None]) -> int:
    from domain.bootstrap import checks
    from domain.services.check import run_checks

    report = run_checks(checks(desk))
    if ns.json:
        _print_json(report.to_json())
    else:
        for line in report.lines():
            out(line)
    return EXIT_OK if report.ok else EXIT_FAILED
