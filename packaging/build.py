"""Build the standalone Worker Desk application folder and check it.

Usage (from anywhere; `make package` runs it with the defaults)::

    python packaging/build.py [--dist DIR] [--work DIR] [--archive] [--gui-check SECONDS]
    python packaging/build.py --render-icon

1. PyInstaller builds ``packaging/workerdesk.spec`` into ``DIST/workerdesk/``
   (default ``dist/workerdesk/``), with its work files under ``--work``
   (default ``build/``).
2. The desktop entry and the icons are copied to the top of the folder.
3. The folder's size and the build time are printed.
4. ``workerdesk --self-check`` runs from the folder in a bare environment:
   only HOME, QT_QPA_PLATFORM=offscreen, LANG and a PATH without any Python
   interpreter, in a scratch working directory. The build fails unless the
   check exits 0 and its last line starts with ``OK``.
5. With ``--gui-check SECONDS`` the desktop app is started offscreen on a
   scratch home and must still be running, with no traceback on stderr,
   after that many seconds.
6. With ``--archive`` the folder is packed into
   ``DIST/workerdesk-VERSION-linux-ARCH.tar.gz`` for download.

``--render-icon`` only redraws ``resources/icons/workerdesk.png`` (256x256)
from ``workerdesk.svg`` with QtSvg, after the SVG has changed.

The exit code is 0 when every step succeeded, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SPEC = HERE / "workerdesk.spec"
APP = "workerdesk"
DESKTOP_FILE = HERE / "workerdesk.desktop"
ICON_SVG = ROOT / "resources" / "icons" / "workerdesk.svg"
ICON_PNG = ROOT / "resources" / "icons" / "workerdesk.png"
ICON_PNG_SIZE = 256
ICONS = (ICON_SVG, ICON_PNG)

SELF_CHECK_TIMEOUT_SECONDS = 300
# Folders searched for a PATH that holds no Python interpreter.
SYSTEM_BIN_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
_PYTHON_NAME = re.compile(r"^python(\d+(\.\d+)?)?$")
_GUI_TROUBLE = re.compile(r"Traceback|ImportError|ModuleNotFoundError|could not load the Qt platform plugin", re.I)


class BuildError(Exception):
    """A step failed; the message says which and why."""


def step(message: str) -> None:
    print(f"==> {message}", flush=True)


# --- building ----------------------------------------------------------------


def run_pyinstaller(dist: Path, work: Path) -> Path:
    """Build the spec into ``dist/workerdesk`` and return that folder."""
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        raise BuildError(
            f"PyInstaller is not installed in {sys.executable}; run "
            "`pip install -e '.[package]'` (or `make package`)"
        ) from None
    command = [
        sys.executable, "-m", "PyInstaller",
        "--noconfirm", "--clean", "--log-level", "WARN",
        "--distpath", str(dist), "--workpath", str(work),
        str(SPEC),
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise BuildError(f"PyInstaller failed with exit code {done.returncode}")
    bundle = dist / APP
    if not (bundle / APP).is_file():
        raise BuildError(f"PyInstaller finished but {bundle / APP} is missing")
    return bundle


def add_desktop_files(bundle: Path) -> list[Path]:
    """Copy the desktop entry and the icons to the top of the bundle."""
    copied = []
    for source in (DESKTOP_FILE, *ICONS):
        if not source.is_file():
            raise BuildError(f"{source} is missing")
        target = bundle / source.name
        shutil.copy2(source, target)
        copied.append(target)
    return copied


def folder_size(folder: Path) -> tuple[int, int]:
    """(bytes, files) of the regular files under ``folder``, symlinks not followed."""
    total = count = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            total += path.stat().st_size
            count += 1
    return total, count


def mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


def project_version() -> str:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["version"]


def make_archive(bundle: Path) -> Path:
    """Pack the bundle into a .tar.gz next to it, symlinks kept as symlinks."""
    machine = platform.machine().lower()
    archive = bundle.parent / f"{APP}-{project_version()}-linux-{machine}.tar.gz"
    with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=bundle.name)
    return archive


def render_png_icon(svg: Path = ICON_SVG, png: Path = ICON_PNG, size: int = ICON_PNG_SIZE) -> None:
    """Draw the SVG icon into a square PNG with Qt's offscreen platform."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    # Text in the SVG needs the font database, which needs an application.
    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise BuildError(f"{svg} is not a valid SVG image")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    if not image.save(str(png), "PNG"):
        raise BuildError(f"cannot write {png}")


# --- checking ----------------------------------------------------------------


def python_free_path(scratch: Path) -> str:
    """A PATH of system folders that hold no ``python*`` interpreter.

    If every system folder has one, the PATH is an empty folder: the bundle
    needs no program from PATH to start.
    """
    kept: list[str] = []
    seen: set[Path] = set()
    for name in SYSTEM_BIN_DIRS:
        folder = Path(name)
        if not folder.is_dir() or folder.resolve() in seen:
            continue
        seen.add(folder.resolve())
        if not any(_PYTHON_NAME.match(entry.name) for entry in folder.iterdir()):
            kept.append(name)
    if not kept:
        empty = scratch / "bin"
        empty.mkdir(exist_ok=True)
        kept.append(str(empty))
    path = os.pathsep.join(kept)
    for interpreter in ("python", "python3", f"python3.{sys.version_info.minor}"):
        if shutil.which(interpreter, path=path):
            raise BuildError(f"{interpreter} is still on PATH={path}")
    return path


def bare_environment(scratch: Path) -> dict[str, str]:
    """What ``env -i`` plus the few variables a desktop session always has gives."""
    home = scratch / "home"
    home.mkdir(exist_ok=True)
    return {
        "HOME": str(home),
        "PATH": python_free_path(scratch),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
    }


def run_self_check(bundle: Path) -> str:
    """Run ``workerdesk --self-check`` from the bundle; return its output."""
    with tempfile.TemporaryDirectory(prefix="workerdesk-package-check-") as tmp:
        scratch = Path(tmp)
        env = bare_environment(scratch)
        print(f"    environment: {' '.join(f'{k}={v}' for k, v in env.items())}", flush=True)
        try:
            done = subprocess.run(
                [str(bundle / APP), "--self-check"],
                cwd=scratch,
                env=env,
                capture_output=True,
                text=True,
                timeout=SELF_CHECK_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise BuildError(f"the self-check took longer than {SELF_CHECK_TIMEOUT_SECONDS} s") from None
    output = done.stdout + done.stderr
    for line in output.splitlines():
        print(f"    | {line}")
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or not lines or not lines[-1].startswith("OK"):
        raise BuildError(f"the self-check failed (exit code {done.returncode}); its output is above")
    return output


def run_gui_check(bundle: Path, seconds: float) -> None:
    """Start the desktop app offscreen; it must keep running for ``seconds``."""
    with tempfile.TemporaryDirectory(prefix="workerdesk-package-gui-") as tmp:
        scratch = Path(tmp)
        env = bare_environment(scratch)
        with open(scratch / "stderr.txt", "w+", encoding="utf-8") as errors:
            proc = subprocess.Popen(
                [str(bundle / APP), "--home", str(scratch / "data")],
                cwd=scratch,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=errors,
            )
            try:
                exited = proc.wait(timeout=seconds)
            except subprocess.TimeoutExpired:
                exited = None
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            errors.seek(0)
            stderr = errors.read()
    for line in stderr.splitlines():
        print(f"    | {line}")
    if exited is not None:
        raise BuildError(f"the desktop app exited after less than {seconds:g} s with exit code {exited}")
    if _GUI_TROUBLE.search(stderr):
        raise BuildError("the desktop app reported an error on stderr (above)")


# --- main --------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="PyInstaller work folder (default: build/)")
    parser.add_argument("--no-check", action="store_true", help="skip the self-check of the result")
    parser.add_argument(
        "--gui-check",
        type=float,
        metavar="SECONDS",
        help="also start the desktop app offscreen and require it to keep running this long",
    )
    parser.add_argument("--archive", action="store_true", help="also pack the folder into a .tar.gz")
    parser.add_argument(
        "--render-icon",
        action="store_true",
        help=f"only redraw {ICON_PNG.relative_to(ROOT)} from {ICON_SVG.name}, build nothing",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    dist, work = args.dist.resolve(), args.work.resolve()
    try:
        if args.render_icon:
            render_png_icon()
            step(f"rendered {ICON_PNG} ({ICON_PNG_SIZE}x{ICON_PNG_SIZE}) from {ICON_SVG.name}")
            return 0
        step(f"building {dist / APP} with PyInstaller (work files in {work})")
        started = time.perf_counter()
        bundle = run_pyinstaller(dist, work)
        for path in add_desktop_files(bundle):
            print(f"    added {path.relative_to(bundle)}")
        build_seconds = time.perf_counter() - started
        size, files = folder_size(bundle)
        step(f"built {bundle}: {mib(size)} in {files} files, build time {build_seconds:.0f} s")

        if not args.no_check:
            step("self-check from the bundle, with no Python on PATH")
            started = time.perf_counter()
            run_self_check(bundle)
            step(f"self-check passed in {time.perf_counter() - started:.1f} s")
        if args.gui_check:
            step(f"starting the desktop app offscreen for {args.gui_check:g} s")
            run_gui_check(bundle, args.gui_check)
            step("the desktop app kept running")
        if args.archive:
            archive = make_archive(bundle)
            step(f"archive {archive}: {mib(archive.stat().st_size)}")
    except BuildError as e:
        print(f"PACKAGE BUILD FAILED: {e}", file=sys.stderr)
        return 1
    step(f"done: run {bundle / APP}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
