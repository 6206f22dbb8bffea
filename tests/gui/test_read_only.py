"""A data folder opened read-only is never written, and the window says it is read-only."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialog

from desktop_app.gui.settings.dialog import QtSettingsDialog
from domain.bootstrap import Desk, open_desk
from domain.storage.settings import StorageSettings
from tests.gui.conftest import Windows


def snapshot(root: Path) -> dict[str, str]:
    """Every directory, file and link under ``root`` (links not followed), with each file's sha256 and mtime."""
    out: dict[str, str] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            rel = str(path.relative_to(root))
            if path.is_symlink():
                out[rel] = "link -> " + os.readlink(path)
            elif path.is_dir():
                out[rel] = "dir"
            else:
                out[rel] = f"{hashlib.sha256(path.read_bytes()).hexdigest()} {path.stat().st_mtime_ns}"
    return out


@pytest.fixture
def open_read_only() -> Iterator[Callable[[Path], Desk]]:
    opened: list[Desk] = []

    def open_(home: Path) -> Desk:
        desk = open_desk(home, read_only=True)
        opened.append(desk)
        return desk

    yield open_
    for desk in opened:
        Windows.close_on(desk)
        desk.close()


def test_the_settings_dialog_of_a_read_only_folder_shows_the_values_and_writes_nothing(
    qtbot: Any, windows: Windows, gui_home: Path, open_read_only: Callable[[Path], Desk]
) -> None:
    # Written by hand, so saving even the same values would change the bytes.
    (gui_home / "config" / "settings.json").write_text('{"time_limit": 3.5, "memory_limit_mib": 128}')
    before = snapshot(gui_home)
    assert "config/settings.json" in before

    desk = open_read_only(gui_home)
    window = windows.open(desk)
    seen: list[QtSettingsDialog] = []

    def try_to_save(dialog: QDialog) -> int:
        assert isinstance(dialog, QtSettingsDialog)
        seen.append(dialog)
        dialog.show()
        # The values are shown, but nothing can be changed or saved, and a line says why.
        assert (dialog.time_limit.value(), dialog.memory_limit.value()) == (3.5, 128)
        assert not dialog.time_limit.isEnabled() and not dialog.storage.isEnabled()
        assert not dialog.save_button.isEnabled()
        assert dialog.read_only_note.isVisible() and "read-only" in dialog.read_only_note.text().lower()
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        # Accepting by other means (Enter, code) is refused too, on one line.
        dialog.accept()
        assert dialog.error.isVisible() and "read-only" in dialog.error.text()
        assert "\n" not in dialog.error.text()
        assert dialog.saved is None
        dialog.reject()
        return dialog.result()

    window.exec_dialog = try_to_save
    window.settings_action.trigger()
    Windows.close_on(desk)

    assert len(seen) == 1
    assert snapshot(gui_home) == before


def test_the_settings_dialog_of_a_writable_folder_still_saves(qtbot: Any, windows: Windows, gui_desk: Desk) -> None:
    window = windows.open(gui_desk)

    def save(dialog: QDialog) -> int:
        assert isinstance(dialog, QtSettingsDialog)
        assert dialog.save_button.isEnabled() and not dialog.read_only_note.isVisibleTo(dialog)
        dialog.time_limit.setValue(4.0)
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    window.exec_dialog = save
    window.settings_action.trigger()

    assert StorageSettings.load(gui_desk.paths, environment=False).time_limit == 4.0


def test_a_window_on_a_read_only_folder_shows_a_read_only_bar_under_the_toolbar(
    windows: Windows, gui_home: Path, open_read_only: Callable[[Path], Desk]
) -> None:
    window = windows.open(open_read_only(gui_home))

    bar = window.read_only_banner
    assert bar.isVisible()
    assert bar.text().startswith("Read-only:") and "nothing you do here is written" in bar.text()
    top = bar.mapTo(window, QPoint(0, 0)).y()
    assert top >= window.toolbar.geometry().bottom()
    assert top < window.splitter.mapTo(window, QPoint(0, 0)).y()


def test_a_window_on_a_writable_folder_has_no_read_only_bar(window: Any) -> None:
    assert not window.read_only_banner.isVisibleTo(window)
    assert "drop a .wasm" in window.empty_label.text()


def test_an_empty_read_only_folder_says_there_is_nothing_here_instead_of_inviting_a_drop(
    windows: Windows, empty_home: Path, open_read_only: Callable[[Path], Desk]
) -> None:
    open_desk(empty_home).close()  # an event store with nothing in it
    window = windows.open(open_read_only(empty_home))

    assert window.stack.currentWidget() is window.empty_page
    text = window.empty_label.text()
    assert window.empty_label.isVisible() and "nothing here" in text
    assert "drop" not in text.lower() and ".wasm" not in text and "Ctrl+O" not in text
    assert not window.banner.isVisibleTo(window)  # no "add a component or create a demo" either


def test_a_read_only_folder_with_data_asks_only_for_a_selection(
    windows: Windows, gui_home: Path, open_read_only: Callable[[Path], Desk]
) -> None:
    window = windows.open(open_read_only(gui_home))

    assert window.stack.currentWidget() is window.empty_page
    assert window.empty_label.text() == "Select a component or a worker on the left."
