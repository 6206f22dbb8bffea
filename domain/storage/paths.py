"""Where Worker Desk keeps its files."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from domain.model.errors import WorkerDeskError

APP_NAME = "workerdesk"
HOME_ENV = "WORKERDESK_HOME"


@dataclass(frozen=True)
class Permissions:
    """The modes of everything Worker Desk creates in its folders.

    Private to the owner by default; ``shared_with_group`` (settings.json)
    lets the folder's group read and write too (a team's shared drive).
    SQLite gives its ``-wal`` and ``-shm`` files the database file's mode,
    so setting the database's mode is enough for them.
    """

    dir_mode: int = 0o700
    file_mode: int = 0o600

    @classmethod
    def for_sharing(cls, shared_with_group: bool) -> "Permissions":
        return cls(0o770, 0o660) if shared_with_group else cls()

    def apply(self, path: Path, is_dir: bool) -> None:
        """Give an existing file or folder its mode (symbolic links are left alone)."""
        try:
            st = path.lstat()
        except FileNotFoundError:
            return
        # A folder's set-group-ID bit (new files take the folder's group: how shared
        # drives are usually set up) is kept.
        want = (self.dir_mode | (st.st_mode & stat.S_ISGID)) if is_dir else self.file_mode
        # Another user's file (a teammate's, in a shared folder) is theirs to set.
        if st.st_mode & 0o7777 != want and not stat.S_ISLNK(st.st_mode) and st.st_uid == os.geteuid():
            os.chmod(path, want)


PRIVATE = Permissions()


@dataclass(frozen=True)
class Paths:
    data: Path
    cache: Path
    config: Path

    @classmethod
    def resolve(cls, home: str | os.PathLike[str] | None = None) -> "Paths":
        """``--home`` wins, then ``WORKERDESK_HOME``, then the platform's user folders."""
        chosen = home if home is not None else os.environ.get(HOME_ENV) or None
        if chosen is not None:
            root = Path(chosen).expanduser().resolve()
            return cls(root / "data", root / "cache", root / "config")
        return cls(
            Path(platformdirs.user_data_dir(APP_NAME)),
            Path(platformdirs.user_cache_dir(APP_NAME)),
            Path(platformdirs.user_config_dir(APP_NAME)),
        )

    @property
    def database(self) -> Path:
        return self.data / "workerdesk.sqlite"

    @property
    def blobs(self) -> Path:
        return self.data / "blobs"

    @property
    def inflight(self) -> Path:
        return self.data / "inflight"

    @property
    def compiled(self) -> Path:
        return self.cache / "compiled"

    @property
    def settings_file(self) -> Path:
        return self.config / "settings.json"

    @property
    def database_side_files(self) -> tuple[Path, Path]:
        """SQLite's write-ahead log and its index, beside the database."""
        db = self.database
        return db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")

    def folders(self) -> tuple[tuple[Path, str], ...]:
        return (
            (self.data, "data folder"),
            (self.cache, "cache folder"),
            (self.config, "settings folder"),
            (self.blobs, "blob folder"),
            (self.inflight, "in-flight marker folder"),
            (self.compiled, "compiled-component cache"),
        )

    def check_layout(self) -> None:
        """Each of Worker Desk's folders is a folder where it exists (one line otherwise)."""
        for path, what in self.folders():
            if path.exists() and not path.is_dir():
                raise WorkerDeskError(
                    f"{path} is a file, but Worker Desk keeps its {what} there: move the file away "
                    "(or pass another --home)"
                )

    def ensure(self, permissions: Permissions = PRIVATE) -> None:
        """Create the folders (and give the data folder its permissions, see :meth:`make_consistent`)."""
        self.check_layout()
        for path, what in self.folders():
            try:
                path.mkdir(parents=True, exist_ok=True, mode=permissions.dir_mode)
            except OSError as e:
                raise WorkerDeskError(f"cannot create the {what} {path}: {e.strerror}") from None
        self.make_consistent(permissions)

    def make_consistent(self, permissions: Permissions) -> None:
        """Give the folders and the files of the data folder the modes of ``permissions``.

        The folders, the database and its side files and the settings file are
        checked on every open (a few ``stat`` calls). Everything below the data
        folder (blobs, markers) is walked only when the data folder itself does
        not have its mode yet: the first open of a folder written before this
        rule, or after the sharing setting changed. The data folder gets its
        mode last, so an interrupted walk is repeated by the next open.
        """
        try:
            st = self.data.stat()
        except FileNotFoundError:
            return
        try:
            if st.st_mode & 0o7777 & ~stat.S_ISGID != permissions.dir_mode:
                for root, dirs, files in os.walk(self.data):
                    for d in dirs:
                        permissions.apply(Path(root, d), True)
                    for f in files:
                        permissions.apply(Path(root, f), False)
            for path, _ in self.folders():
                if path != self.data:
                    permissions.apply(path, True)
            for file in (self.database, *self.database_side_files, self.settings_file):
                permissions.apply(file, False)
            permissions.apply(self.data, True)
        except OSError as e:
            raise WorkerDeskError(f"cannot set the permissions of {e.filename}: {e.strerror}") from None

    def has_user_data(self) -> bool:
        return self.database.exists() and self.database.stat().st_size > 0
