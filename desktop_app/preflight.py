"""Before Qt starts: is there a display, and does the platform plugin have its libraries?

Qt aborts the process when its platform plugin cannot load, and its own
message names the wrong library (``xcb-cursor0`` when ``libxcb-icccm4`` is
missing). This module asks the dynamic linker instead (``ldd`` on the
plugin), without importing Qt, and turns the answer into one line naming
what to install — Debian/Ubuntu package names where known — and the CLI as
the way to work without a window.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

# Shared libraries Qt's xcb platform plugin loads, by Debian/Ubuntu package.
DEBIAN_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libSM.so.6": "libsm6",
    "libICE.so.6": "libice6",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
}
# What `make run` needs on a Debian/Ubuntu desktop besides Python (the README lists them).
DESKTOP_PACKAGES = (
    "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-image0", "libxcb-render-util0",
    "libxcb-randr0", "libxcb-shape0", "libxcb-xkb1", "libxkbcommon-x11-0", "libegl1", "libgl1",
    "libfontconfig1", "libdbus-1-3",
)  # fmt: skip

CLI_HINT = "the CLI works without a window: workerdesk --help"


def platform_name() -> str:
    """The Qt platform the app will use: QT_QPA_PLATFORM, else wayland or xcb by the session."""
    chosen = os.environ.get("QT_QPA_PLATFORM", "").split(":", 1)[0].strip()
    if chosen:
        return chosen
    if os.environ.get("WAYLAND_DISPLAY") and not os.environ.get("DISPLAY"):
        return "wayland"
    return "xcb"


def _qt_dir() -> Path | None:
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "Qt"


def missing_libraries(plugin: str, ldd: str | None = None) -> list[str]:
    """Shared libraries the platform plugin needs that the dynamic linker cannot find."""
    qt = _qt_dir()
    ldd = ldd or shutil.which("ldd")
    if qt is None or ldd is None or not sys.platform.startswith("linux"):
        return []
    files = [qt / "plugins" / "platforms" / f"libq{plugin}.so"]
    files += sorted((qt / "lib").glob("libQt6XcbQpa.so*"))[:1] if plugin == "xcb" else []
    env = {**os.environ, "LD_LIBRARY_PATH": os.pathsep.join(filter(None, [str(qt / "lib"), os.environ.get("LD_LIBRARY_PATH")]))}
    missing: list[str] = []
    for f in files:
        if not f.exists():
            continue
        try:
            out = subprocess.run([ldd, str(f)], capture_output=True, text=True, timeout=10, env=env).stdout
        except (OSError, subprocess.SubprocessError):
            return []
        for line in out.splitlines():
            name, _, where = line.strip().partition(" => ")
            if where.strip() == "not found" and name not in missing:
                missing.append(name)
    return missing


def problem() -> str | None:
    """One line saying why the window cannot open here, or None when it can."""
    plugin = platform_name()
    if plugin in ("offscreen", "minimal", "vnc"):
        return None
    if plugin == "xcb" and not os.environ.get("DISPLAY"):
        if os.environ.get("WAYLAND_DISPLAY"):
            return None
        return f"no display: DISPLAY is not set, so the window cannot open; {CLI_HINT}"
    if plugin == "wayland" and not os.environ.get("WAYLAND_DISPLAY"):
        return f"no display: WAYLAND_DISPLAY is not set, so the window cannot open; {CLI_HINT}"
    missing = missing_libraries(plugin)
    if not missing:
        return None
    packages = [DEBIAN_PACKAGES[m] for m in missing if m in DEBIAN_PACKAGES]
    unknown = [m for m in missing if m not in DEBIAN_PACKAGES]
    parts = []
    if packages:
        parts.append("on Debian or Ubuntu: sudo apt-get install " + " ".join(packages))
    if unknown:
        parts.append("install the packages that provide " + ", ".join(unknown))
    return (
        f"the window cannot open: Qt's {plugin} platform plugin needs {', '.join(missing)}, which this system lacks "
        f"({'; '.join(parts)}); {CLI_HINT}"
    )
