"""Screenshots of the GUI on a demo workspace, as a user sees them under a window manager.

Run ``python packaging/screenshots.py`` (needs ``Xvfb``, ``openbox`` and
ImageMagick's ``import``). It starts a virtual display with a window
manager, opens Worker Desk on a fresh demo workspace and saves, at
1024×700 and at 1600×1000, under ``resources/screenshots/``:

* ``main_window[_1024].png`` — a worker's Overview;
* ``update_dialog[_1024].png`` — the update dialog after a dry run that fails (alone; over the window at 1024×700);
* ``timeline[_1024].png`` — the History tab with the version timeline;
* ``audit[_1024].png`` — the update audit of the component with its drain view.

The 1600×1000 pictures carry no suffix (the README shows ``main_window.png``).
Look at every picture after running it; nothing compares pixels.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "screenshots"
SIZES = ((1600, 1000, ""), (1024, 700, "_1024"))
DISPLAY = ":97"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(OUT), help="where the PNGs go (default: resources/screenshots)")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        return inside(Path(args.out))
    missing = [tool for tool in ("Xvfb", "openbox", "import") if shutil.which(tool) is None]
    if missing:
        print(f"screenshots need {', '.join(missing)} (apt install xvfb openbox imagemagick)", file=sys.stderr)
        return 2
    env = dict(os.environ, DISPLAY=DISPLAY, QT_QPA_PLATFORM="xcb")
    xvfb = subprocess.Popen(["Xvfb", DISPLAY, "-screen", "0", "1920x1200x24", "-nolisten", "tcp"])
    wm = None
    try:
        time.sleep(1.0)
        wm = subprocess.Popen(["openbox"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)
        code = subprocess.call([sys.executable, __file__, "--inside", "--out", args.out], env=env, cwd=ROOT)
    finally:
        for proc in (wm, xvfb):
            if proc is not None:
                proc.terminate()
                proc.wait(10)
    return code


# -- inside the virtual display ---------------------------------------------------------------


def inside(out: Path) -> int:
    sys.path.insert(0, str(ROOT))
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication, QWidget

    from desktop_app.gui.app import application, build_main_window
    from desktop_app.gui.main_window.pages import QtWorkerPage
    from desktop_app.gui.updates import QtUpdateDialog
    from domain.bootstrap import open_desk
    from domain.demo import create_demo

    out.mkdir(parents=True, exist_ok=True)
    app = application()
    work = Path(tempfile.mkdtemp(prefix="workerdesk-screenshots-"))
    desk = open_desk(work / "home")
    create_demo(desk)
    # A longer life for alice, so the timeline has something to show: calls, a failed and a good update.
    for n in range(1, 60):
        desk.workers.invoke("counter/alice", "increment", [str(n)])
    desk.workers.update("counter/alice", "auto", 2)
    for n in range(1, 40):
        desk.workers.invoke("counter/alice", "increment", [str(n)])
    desk.workers.update("counter/alice", "auto", 1)
    for n in range(1, 30):
        desk.workers.invoke("counter/alice", "increment", [str(n)])
    desk.workers.forget_instances()

    def settle(seconds: float = 0.6) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            time.sleep(0.02)

    def wait(condition: object, timeout: float = 30.0) -> None:
        end = time.monotonic() + timeout
        while not condition() and time.monotonic() < end:  # type: ignore[operator]
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            time.sleep(0.02)

    def shoot(widget: QWidget, name: str, on_top: bool = True) -> None:
        settle()
        if on_top:
            widget.raise_()
            widget.activateWindow()
        settle(0.4)
        frame = widget.frameGeometry()
        path = out / f"{name}.png"
        crop = f"{frame.width()}x{frame.height()}+{max(0, frame.x())}+{max(0, frame.y())}"
        subprocess.run(["import", "-window", "root", "-crop", crop, "+repage", str(path)], check=True)
        print(f"saved {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} ({frame.width()}×{frame.height()})")

    window = build_main_window(desk, work / "gui.ini")
    window.show()
    wait(lambda: window.navigator.has_loaded)
    for width, height, suffix in SIZES:
        window.audit_dock.hide()
        window.resize(width, height)
        window.move(0, 0)
        settle()

        window.navigator.select_key("worker:counter/alice")
        window.worker_page.show_tab(QtWorkerPage.OVERVIEW)
        wait(lambda: window.worker_page.overview.meta is not None)
        window.ops.wait_idle()
        shoot(window, f"main_window{suffix}")

        window.worker_page.show_tab(QtWorkerPage.HISTORY)
        history = window.worker_page.history
        wait(lambda: history.timeline.summary is not None and history.model.is_loaded(0))
        history.show_entry(64)
        window.ops.wait_idle()
        shoot(window, f"timeline{suffix}")

        window.audit_dock.show()
        wait(lambda: window.audit.model.rowCount() > 0)
        window.audit.set_filters(component="counter")
        wait(lambda: window.audit.drain.isVisible())
        window.ops.wait_idle()
        shoot(window, f"audit{suffix}")
        window.audit_dock.hide()

        dialog = QtUpdateDialog(desk.workers, desk.components, window.ops, ["counter/bob"], window)
        dialog.show()
        wait(lambda: dialog.target() is not None)
        dialog.set_mode("manual")
        dialog.set_target(3)
        finished: list[object] = []
        dialog.dry_run_finished.connect(finished.append)
        wait(lambda: dialog.dry_run_button.isEnabled() and dialog.dry_run() is not None, timeout=10)
        wait(lambda: bool(finished))
        window.ops.wait_idle()
        # At 1024×700, the dialog over the window, as it is seen on a small screen.
        if suffix:
            shoot(window, f"update_dialog{suffix}", on_top=False)
        else:
            shoot(dialog, f"update_dialog{suffix}")
        dialog.reject()
        dialog.deleteLater()
        settle(0.2)

    window.close()
    window.ops.wait_idle()
    desk.close()
    shutil.rmtree(work, ignore_errors=True)
    QApplication.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
