"""The standalone application build under packaging/.

The fast tests check the packaging files on every run. The slow ones build
the folder with PyInstaller and run it; they take 30–45 s, so they run
only when asked for:

    WORKERDESK_PACKAGE_TEST=1 .venv/bin/pytest tests/packaging -m slow
"""

from __future__ import annotations

import configparser
import importlib.util
import os
import platform
import shlex
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
DESKTOP_FILE = PACKAGING / "workerdesk.desktop"
SPEC = PACKAGING / "workerdesk.spec"
BUILD_SCRIPT = PACKAGING / "build.py"
ICONS = ROOT / "resources" / "icons"

PACKAGE_TEST_ENV = "WORKERDESK_PACKAGE_TEST"
BUILD_TIMEOUT_SECONDS = 1200

# The main categories of the freedesktop.org menu specification.
MAIN_CATEGORIES = {
    "AudioVideo", "Audio", "Video", "Development", "Education", "Game",
    "Graphics", "Network", "Office", "Science", "Settings", "System", "Utility",
}  # fmt: skip


def load_build_script() -> ModuleType:
    """packaging/build.py as a module (packaging/ is not a package: the name
    would shadow the ``packaging`` distribution)."""
    spec = importlib.util.spec_from_file_location("workerdesk_package_build", BUILD_SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(DESKTOP_FILE.read_text(encoding="utf-8"))
    assert parser.has_section("Desktop Entry"), "the first group must be [Desktop Entry]"
    return parser["Desktop Entry"]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


# --- fast: the packaging files -------------------------------------------------


def test_desktop_entry_has_the_required_keys() -> None:
    entry = desktop_entry()
    assert entry.get("Type") == "Application"
    assert entry.get("Name", "").strip()
    exec_line = shlex.split(entry.get("Exec", ""))
    assert exec_line and exec_line[0] == "workerdesk"
    assert entry.get("Icon") == "workerdesk"
    assert entry.get("Terminal") == "false"
    categories = entry.get("Categories", "")
    assert categories.endswith(";"), "Categories is a ;-terminated list"
    assert MAIN_CATEGORIES & set(filter(None, categories.split(";"))), "needs one main category"


def test_icons_exist_in_svg_and_256px_png() -> None:
    svg = ET.parse(ICONS / "workerdesk.svg").getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert svg.get("viewBox") == "0 0 256 256"
    assert png_size(ICONS / "workerdesk.png") == (256, 256)


def test_spec_bundles_the_wasmtime_library_resources_and_runtime_imports() -> None:
    spec = SPEC.read_text(encoding="utf-8")
    assert '"_libwasmtime.so"' in spec
    assert "binaries=_wasmtime_native_library()" in spec
    assert '(str(ROOT / "resources"), "resources")' in spec
    for module in ("eventsourcing.sqlite", "eventsourcing.postgres", "eventsourcing.popo", "psycopg_pool"):
        assert f'"{module}"' in spec, f"{module} must be a hidden import"
    for package in ("domain", "desktop_app"):
        assert f'collect_submodules("{package}")' in spec


@pytest.mark.skipif(sys.platform != "linux" or platform.machine() != "x86_64", reason="Linux x86-64 layout")
def test_the_wasmtime_library_is_where_the_spec_looks() -> None:
    import wasmtime

    assert (Path(wasmtime.__file__).parent / "linux-x86_64" / "_libwasmtime.so").is_file()


def test_samples_find_resources_where_the_spec_puts_them(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from domain.storage import samples

    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert samples.resources_dir() == tmp_path / "resources"


def test_the_check_path_holds_no_python(tmp_path: Path) -> None:
    build = load_build_script()
    env = build.bare_environment(tmp_path)
    assert set(env) == {"HOME", "PATH", "LANG", "QT_QPA_PLATFORM"}
    assert env["QT_QPA_PLATFORM"] == "offscreen"
    for interpreter in ("python", "python3", "python3.11"):
        assert shutil.which(interpreter, path=env["PATH"]) is None, env["PATH"]


# --- slow: build the folder and run it -------------------------------------------

needs_package_build = pytest.mark.skipif(
    os.environ.get(PACKAGE_TEST_ENV) != "1",
    reason=f"builds the package with PyInstaller (30–45 s): set {PACKAGE_TEST_ENV}=1",
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(bundle folder, build output) of packaging/build.py into a scratch dist."""
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.fail("PyInstaller is not installed: pip install -e '.[package]'")
    scratch = tmp_path_factory.mktemp("package")
    done = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), "--dist", str(scratch / "dist"), "--work", str(scratch / "work")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_SECONDS,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    return scratch / "dist" / "workerdesk", done.stdout


@pytest.mark.slow
@pytest.mark.timeout(BUILD_TIMEOUT_SECONDS + 60)
@needs_package_build
def test_the_bundle_passes_its_self_check(built: tuple[Path, str]) -> None:
    _, output = built
    check = [line.removeprefix("    | ") for line in output.splitlines() if line.startswith("    | ")]
    assert check and check[-1].startswith("OK"), output
    assert any(line.startswith("invoke: ") for line in check)
    assert any(line.startswith("update: ") for line in check)


@pytest.mark.slow
@pytest.mark.timeout(BUILD_TIMEOUT_SECONDS + 60)
@needs_package_build
def test_the_bundle_holds_desktop_files_resources_and_wasmtime(built: tuple[Path, str]) -> None:
    bundle, _ = built
    assert os.access(bundle / "workerdesk", os.X_OK)
    for name in ("workerdesk.desktop", "workerdesk.svg", "workerdesk.png"):
        assert (bundle / name).is_file(), name
    internal = bundle / "_internal"
    assert (internal / "wasmtime" / "linux-x86_64" / "_libwasmtime.so").is_file()
    assert (internal / "resources" / "components" / "counter" / "v0.wat").is_file()
    assert (internal / "resources" / "components" / "python-cart" / "app.py").is_file()
    assert (internal / "resources" / "icons" / "workerdesk.svg").is_file()


@pytest.mark.slow
@pytest.mark.timeout(BUILD_TIMEOUT_SECONDS + 60)
@needs_package_build
def test_the_bundle_runs_the_cli_without_python(built: tuple[Path, str], tmp_path: Path) -> None:
    bundle, _ = built
    env = load_build_script().bare_environment(tmp_path)
    wat = bundle / "_internal" / "resources" / "components" / "counter" / "v1.wat"

    def workerdesk(*args: str) -> str:
        done = subprocess.run(
            [str(bundle / "workerdesk"), "--home", str(tmp_path / "data"), *args],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    workerdesk("component", "add", "counter", str(wat))
    workerdesk("worker", "new", "counter", "w1")
    assert workerdesk("worker", "invoke", "counter/w1", "increment", "5").strip() == "5"


@pytest.mark.slow
@pytest.mark.timeout(BUILD_TIMEOUT_SECONDS + 60)
@needs_package_build
def test_the_bundle_starts_the_desktop_app(built: tuple[Path, str]) -> None:
    if importlib.util.find_spec("desktop_app.gui.app") is None:
        pytest.skip("the desktop app (desktop_app.gui.app) is not in this checkout yet")
    bundle, _ = built
    load_build_script().run_gui_check(bundle, 8)
