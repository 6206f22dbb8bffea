"""The sample components shipped with Worker Desk, and how to build them.

Two families tell the update story:

- ``counter`` v0..v3, hand-written component WAT. Turning WAT into a binary
  is the runtime's job; this module only hands out the text.
- ``cart`` v0, a Python component built with componentize-py on first use
  and cached by the hash of its sources.

Sources live under ``resources/``, next to the packages in a source
checkout and under ``sys._MEIPASS`` in a PyInstaller bundle.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from domain.model.errors import NotFound, WorkerDeskError
from domain.storage.locks import exclusive

SampleKind = Literal["wat", "python"]

COMPONENTIZE_PY = "componentize-py"
BUILD_TIMEOUT_SECONDS = 600
# Part of the build hash: bump it when the build command changes.
_BUILD_RECIPE = b"workerdesk-python-sample/1"


class SampleBuildError(WorkerDeskError):
    """A Python sample could not be built; ``output`` holds the tool's output."""

    def __init__(self, message: str, output: str = "") -> None:
        super().__init__(message)
        self.output = output


@dataclass(frozen=True)
class SampleComponent:
    """One version of a sample component.

    ``source`` is relative to :func:`resources_dir` (an absolute path is used
    as is): a ``.wat`` file for ``kind="wat"``, a directory holding ``wit/``
    and the app module for ``kind="python"``.
    """

    name: str
    version: int
    title: str
    story: str
    source: Path
    kind: SampleKind
    world: str = ""
    app_module: str = "app"

    @property
    def source_path(self) -> Path:
        return resources_dir() / self.source

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version}"


def _counter(version: int, title: str, story: str) -> SampleComponent:
    return SampleComponent(
        name="counter",
        version=version,
        title=title,
        story=story,
        source=Path("components", "counter", f"v{version}.wat"),
        kind="wat",
    )


SAMPLES: tuple[SampleComponent, ...] = (
    _counter(
        0,
        "Counter without snapshots",
        "A running total; without snapshot exports it can only be updated automatically, by replay.",
    ),
    _counter(
        1,
        "Counter with snapshots",
        "Same results as v0, so an automatic update from v0 replays cleanly; adds save/load snapshot.",
    ),
    _counter(
        2,
        "Counter in cents",
        "Totals are now in cents: replaying a v0/v1 history diverges, a manual update from v1 migrates the snapshot.",
    ),
    _counter(
        3,
        "Counter that drops old snapshots",
        "Same results as v2, but load rejects format 1 and 2 snapshots: a manual update fails and the worker reverts.",
    ),
    SampleComponent(
        name="cart",
        version=0,
        title="Shopping cart in Python",
        story="A component written in Python with componentize-py: JSON snapshots and a log line on stdout per change.",
        source=Path("components", "python-cart"),
        kind="python",
        world="cart",
    ),
)


def samples_named(name: str) -> tuple[SampleComponent, ...]:
    """Every version of the sample called ``name``, oldest first."""
    return tuple(sorted((s for s in SAMPLES if s.name == name), key=lambda s: s.version))


def get_sample(name: str, version: int) -> SampleComponent:
    for sample in SAMPLES:
        if sample.name == name and sample.version == version:
            return sample
    known = ", ".join(s.label for s in SAMPLES)
    raise NotFound(f"there is no sample {name} v{version} (samples: {known})")


def resources_dir() -> Path:
    """The ``resources`` folder, in a PyInstaller bundle or a source checkout."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    # domain/storage/samples.py -> the checkout root
    return Path(__file__).resolve().parents[2] / "resources"


def read_source(sample: SampleComponent) -> str:
    """The sample's source text: the WAT, or the app module of a Python sample."""
    path = sample.source_path
    if sample.kind == "python":
        path = path / f"{sample.app_module}.py"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound(f"the source of sample {sample.label} is missing: {path}") from None


# --- building Python samples -------------------------------------------------


def find_componentize_py() -> Path:
    """componentize-py next to the running interpreter, else on PATH."""
    here = Path(sys.executable).parent
    for name in (COMPONENTIZE_PY, COMPONENTIZE_PY + ".exe"):
        candidate = here / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(COMPONENTIZE_PY)
    if found:
        return Path(found)
    raise SampleBuildError(
        f"componentize-py was not found next to {sys.executable} or on PATH; "
        "install it with `pip install componentize-py==0.25.1` to build Python samples"
    )


@lru_cache(maxsize=8)
def _tool_version(path: str, mtime_ns: int) -> str:
    try:
        done = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=60, check=False
        )
    except OSError as e:
        raise SampleBuildError(f"could not run {path}: {e}") from None
    if done.returncode != 0:
        raise SampleBuildError(f"{path} --version failed", done.stdout + done.stderr)
    return done.stdout.strip()


def componentize_py_version(tool: Path) -> str:
    """The tool's ``--version`` line, e.g. ``componentize-py 0.25.1``."""
    return _tool_version(str(tool), tool.stat().st_mtime_ns)


def _is_build_input(relative: Path) -> bool:
    return not any(part == "__pycache__" or part.startswith(".") for part in relative.parts) and (
        relative.suffix != ".pyc"
    )


def _source_files(root: Path) -> list[Path]:
    files = (p for p in root.rglob("*") if p.is_file())
    return sorted(
        (p for p in files if _is_build_input(p.relative_to(root))),
        key=lambda p: p.relative_to(root).as_posix(),
    )


def source_digest(sample: SampleComponent, tool_version: str) -> str:
    """SHA-256 over the sample's sources, world, app module and the tool version."""
    root = sample.source_path
    h = hashlib.sha256()
    for part in (_BUILD_RECIPE, tool_version.encode(), sample.world.encode(), sample.app_module.encode()):
        h.update(len(part).to_bytes(8, "little") + part)
    for path in _source_files(root):
        name = path.relative_to(root).as_posix().encode()
        data = path.read_bytes()
        h.update(len(name).to_bytes(8, "little") + name)
        h.update(len(data).to_bytes(8, "little") + data)
    return h.hexdigest()


def build_python_sample(sample: SampleComponent, cache_dir: Path) -> Path:
    """Build a Python sample into ``cache_dir`` and return the ``.wasm`` path.

    The file name carries the hash of the sources and the componentize-py
    version, so an unchanged sample is not rebuilt. The build runs on a copy
    of the sources in a temporary folder inside ``cache_dir`` and the result
    is renamed into place, so a failed or interrupted build leaves nothing
    behind under the final name.
    """
    if sample.kind != "python":
        raise ValueError(f"{sample.label} is a {sample.kind} sample, not a Python one")
    root = sample.source_path
    if not (root / "wit").is_dir() or not (root / f"{sample.app_module}.py").is_file():
        raise NotFound(f"the sources of sample {sample.label} are missing: {root}")
    tool = find_componentize_py()
    digest = source_digest(sample, componentize_py_version(tool))
    cache_dir = Path(cache_dir)
    target = cache_dir / f"{sample.name}-v{sample.version}-{digest[:16]}.wasm"
    if target.is_file():
        return target

    cache_dir.mkdir(parents=True, exist_ok=True)
    # Two processes asking for the same build (parallel test workers, two windows) build it once:
    # the second waits for the first and finds the result.
    with exclusive(cache_dir / f".{target.stem}.lock"):
        if target.is_file():
            return target
        return _build(sample, tool, root, cache_dir, target)


def _build(sample: SampleComponent, tool: Path, root: Path, cache_dir: Path, target: Path) -> Path:
    with tempfile.TemporaryDirectory(prefix=".build-", dir=cache_dir) as tmp:
        work = Path(tmp) / "src"
        # The build writes __pycache__ next to the app, so it runs on a copy.
        shutil.copytree(root, work, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"))
        out = Path(tmp) / "out.wasm"
        command = [str(tool), "-d", "wit"]
        if sample.world:
            command += ["-w", sample.world]
        command += ["componentize", "-p", ".", sample.app_module, "-o", str(out)]
        # Keep a failure's output to the Python error, without a Rust backtrace.
        env = dict(os.environ, RUST_BACKTRACE="0", RUST_LIB_BACKTRACE="0")
        try:
            done = subprocess.run(
                command,
                cwd=work,
                env=env,
                capture_output=True,
                text=True,
                timeout=BUILD_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired as e:
            raise SampleBuildError(
                f"building sample {sample.label} took longer than {BUILD_TIMEOUT_SECONDS} s",
                _text(e.stdout) + _text(e.stderr),
            ) from None
        except OSError as e:
            raise SampleBuildError(f"could not run {tool}: {e}") from None
        output = done.stdout + done.stderr
        if done.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
            raise SampleBuildError(
                f"building sample {sample.label} failed: {_summary(output)}", output
            )
        os.replace(out, target)
    return target


def _text(data: str | bytes | None) -> str:
    if data is None:
        return ""
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else data


def _summary(output: str) -> str:
    """The line of componentize-py's output that names the cause.

    After ``Caused by:`` come either one line or numbered causes, the
    innermost last; without that section the last line is used.
    """
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    if "Caused by:" in lines:
        causes = lines[lines.index("Caused by:") + 1 :]
        numbered = [c for c in causes if re.match(r"\d+: ", c)]
        if numbered:
            return numbered[-1].split(": ", 1)[1]
        if causes:
            return causes[0]
    for line in reversed(lines):
        if line != "Stack backtrace:" and not line[0].isdigit() and not line.startswith("at "):
            return line
    return "componentize-py reported nothing"
