"""The Settings dialog: limits and storage, saved to the data folder's settings file.

On a data folder opened read-only the dialog shows the values and saves nothing.
"""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.gui.widgets.style import set_role
from domain.model.errors import one_line
from domain.storage.paths import Paths
from domain.storage.settings import SettingsError, StorageSettings

READ_ONLY_NOTE = "Read-only: this data folder is opened for reading, so its settings cannot be saved here."
READ_ONLY_STYLE = (
    "QLabel { background: #fff8e1; border: 1px solid #f0d78c; border-radius: 4px; padding: 6px 8px; color: #5c4813; }"
)


class QtSettingsDialog(QDialog):
    """Edits :class:`StorageSettings`; the values apply the next time Worker Desk starts.

    Settings loaded read-only (``settings.read_only``) are shown with every field
    and the Save button disabled, and a line that says why.
    """

    def __init__(self, paths: Paths, settings: StorageSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings (read-only)" if settings.read_only else "Settings")
        self.setMinimumWidth(460)
        self._paths = paths
        self.read_only = settings.read_only
        self.saved: StorageSettings | None = None

        self.time_limit = QDoubleSpinBox(self)
        self.time_limit.setRange(0.1, 86400.0)
        self.time_limit.setDecimals(1)
        self.time_limit.setSuffix(" s")
        self.time_limit.setValue(settings.time_limit)
        self.time_limit.setToolTip("How long one invocation may run before it is stopped")
        self.memory_limit = QSpinBox(self)
        self.memory_limit.setRange(16, 65536)
        self.memory_limit.setSuffix(" MiB")
        self.memory_limit.setValue(settings.memory_limit_mib)
        self.memory_limit.setToolTip("The most linear memory one worker may use")

        limits = QGroupBox("Limits", self)
        limits.setProperty("titled", True)
        lf = QFormLayout(limits)
        lf.addRow("Time limit per invocation:", self.time_limit)
        lf.addRow("Memory limit per worker:", self.memory_limit)

        self.storage = QComboBox(self)
        self.storage.addItem("SQLite (this computer)", "sqlite")
        self.storage.addItem("PostgreSQL (shared by a team)", "postgres")
        self.storage.setCurrentIndex(0 if settings.kind == "sqlite" else 1)
        pg = settings.postgres
        self.host = QLineEdit(str(pg.get("host", "127.0.0.1")), self)
        self.port = QSpinBox(self)
        self.port.setRange(1, 65535)
        self.port.setValue(int(pg.get("port", 5432)))
        self.dbname = QLineEdit(str(pg.get("dbname", "workerdesk")), self)
        self.user = QLineEdit(str(pg.get("user", "workerdesk")), self)
        self.password = QLineEdit(str(pg.get("password", "")), self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.schema = QLineEdit(str(pg.get("schema", "") or ""), self)
        self.schema.setPlaceholderText("default schema")

        storage = QGroupBox("Storage", self)
        storage.setProperty("titled", True)
        sf = QFormLayout(storage)
        sf.addRow("Event store:", self.storage)
        self.postgres_box = QWidget(storage)
        pf = QFormLayout(self.postgres_box)
        pf.setContentsMargins(0, 0, 0, 0)
        pf.addRow("Host:", self.host)
        pf.addRow("Port:", self.port)
        pf.addRow("Database:", self.dbname)
        pf.addRow("User:", self.user)
        pf.addRow("Password:", self.password)
        pf.addRow("Schema:", self.schema)
        sf.addRow(self.postgres_box)
        self.storage.currentIndexChanged.connect(self._on_storage)
        self._on_storage()

        if self.read_only:
            note_text = f"Settings are read from {paths.settings_file}."
        else:
            note_text = f"Settings are saved to {paths.settings_file}.\nChanges apply the next time Worker Desk starts."
        note = set_role(QLabel(note_text, self), "subtle")
        note.setWordWrap(True)
        self.read_only_note = QLabel(READ_ONLY_NOTE, self)
        self.read_only_note.setObjectName("readOnlyNote")
        self.read_only_note.setStyleSheet(READ_ONLY_STYLE)
        self.read_only_note.setWordWrap(True)
        self.read_only_note.setVisible(self.read_only)
        self.error = set_role(QLabel(self), "error")
        self.error.hide()

        close = QDialogButtonBox.StandardButton.Close if self.read_only else QDialogButtonBox.StandardButton.Cancel
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | close, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        if self.read_only:
            for box in (limits, storage):
                box.setEnabled(False)
            self.save_button.setEnabled(False)
            self.save_button.setToolTip(READ_ONLY_NOTE)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(self.read_only_note)
        layout.addWidget(limits)
        layout.addWidget(storage)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    @Slot()
    def _on_storage(self) -> None:
        self.postgres_box.setVisible(self.storage.currentData() == "postgres")
        self.adjustSize()

    def settings(self) -> StorageSettings:
        postgres: dict[str, object] = {}
        if self.storage.currentData() == "postgres":
            postgres = {
                "host": self.host.text().strip() or "127.0.0.1",
                "port": self.port.value(),
                "dbname": self.dbname.text().strip() or "workerdesk",
                "user": self.user.text().strip() or "workerdesk",
                "password": self.password.text(),
            }
            if self.schema.text().strip():
                postgres["schema"] = self.schema.text().strip()
        return StorageSettings(
            kind=str(self.storage.currentData()),
            postgres=postgres,
            time_limit=float(self.time_limit.value()),
            memory_limit_mib=int(self.memory_limit.value()),
            read_only=self.read_only,
        )

    def accept(self) -> None:
        chosen = self.settings()
        try:
            chosen.save(self._paths)
        except SettingsError as e:
            self._show_error(one_line(e))
            return
        except OSError as e:
            self._show_error(f"Cannot save the settings: {e.strerror or e}")
            return
        self.saved = chosen
        super().accept()

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()


def settings_dialog(paths: Paths, parent: QWidget | None = None, read_only: bool = False) -> QtSettingsDialog:
    """The dialog on the settings file's current values (defaults when the file cannot be read)."""
    try:
        current = StorageSettings.load(paths, environment=False, read_only=read_only)
    except Exception as e:  # noqa: BLE001 - a broken settings file is replaced from the dialog
        QMessageBox.warning(parent, "Settings", f"The settings file could not be read ({one_line(e)}); showing defaults.")
        current = StorageSettings(read_only=read_only)
    return QtSettingsDialog(paths, current, parent)

