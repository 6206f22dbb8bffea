"""The Settings dialog: limits and storage, saved to the data folder's settings file."""

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

from desktop_app.gui.style import set_role
from domain.storage.paths import Paths
from domain.storage.settings import StorageSettings


class QtSettingsDialog(QDialog):
    """Edits :class:`StorageSettings`; the values apply the next time Worker Desk starts."""

    def __init__(self, paths: Paths, settings: StorageSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(460)
        self._paths = paths
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

        note = set_role(
            QLabel(
                f"Settings are saved to {paths.settings_file}.\n"
                "Changes apply the next time Worker Desk starts.",
                self,
            ),
            "subtle",
        )
        note.setWordWrap(True)
        self.error = set_role(QLabel(self), "error")
        self.error.hide()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(limits)
        layout.addWidget(storage)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

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
        )

    def accept(self) -> None:
        chosen = self.settings()
        try:
            chosen.save(self._paths)
        except OSError as e:
            self.error.setText(f"Cannot save the settings: {e.strerror or e}")
            self.error.show()
            return
        self.saved = chosen
        super().accept()


def edit_settings(paths: Paths, parent: QWidget | None = None) -> StorageSettings | None:
    """Show the dialog on the settings file's current values; the saved settings, or None."""
    try:
        current = StorageSettings.load(paths, environment=False)
    except Exception as e:  # noqa: BLE001 - a broken settings file is replaced from the dialog
        QMessageBox.warning(parent, "Settings", f"The settings file could not be read ({e}); showing defaults.")
        current = StorageSettings()
    dialog = QtSettingsDialog(paths, current, parent)
    return dialog.saved if dialog.exec() == QDialog.DialogCode.Accepted else None
