"""Before Qt starts: a missing display or platform library is one line, not a Qt abort."""

from __future__ import annotations

import importlib.util
import os
import stat

import pytest

from desktop_app import preflight


@pytest.fixture
def fake_ldd(tmp_path, monkeypatch):
    """An `ldd` first on PATH that reports the given libraries as not found."""

    def install(*missing: str) -> None:
        script = tmp_path / "ldd"
        lines = "".join(f'echo "\t{m} => not found"\n' for m in missing)
        script.write_text(f'#!/bin/sh\necho "\tlibc.so.6 => /lib/libc.so.6 (0x0)"\n{lines}')
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
        monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")

    return install


def test_no_display_at_all_is_one_line_pointing_to_the_cli(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    assert preflight.problem() == (
        "no display: DISPLAY is not set, so the window cannot open; the CLI works without a window: workerdesk --help"
    )


def test_offscreen_needs_nothing(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.delenv("DISPLAY", raising=False)
    assert preflight.problem() is None


needs_qt_package = pytest.mark.skipif(
    importlib.util.find_spec("PySide6") is None, reason="the check reads Qt's platform plugin files, installed with PySide6"
)


@needs_qt_package
def test_missing_xcb_libraries_are_named_with_their_debian_packages(monkeypatch, fake_ldd):
    monkeypatch.setenv("DISPLAY", ":42")
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    fake_ldd("libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libwhatever.so.3")
    message = preflight.problem()
    assert message is not None
    assert "needs libxcb-icccm.so.4, libxcb-keysyms.so.1, libwhatever.so.3" in message
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1" in message
    assert "install the packages that provide libwhatever.so.3" in message
    assert message.endswith("the CLI works without a window: workerdesk --help")


def test_a_complete_system_passes(monkeypatch, fake_ldd):
    monkeypatch.setenv("DISPLAY", ":42")
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    fake_ldd()
    assert preflight.problem() is None


def test_the_readme_lists_the_desktop_packages():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert " ".join(preflight.DESKTOP_PACKAGES) in readme
