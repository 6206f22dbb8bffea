"""Where Worker Desk keeps its files."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "workerdesk"
HOME_ENV = "WORKERDESK_HOME"


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

    def ensure(self) -> None:
        for p in (self.data, self.cache, self.config, self.blobs, self.inflight):
            p.mkdir(parents=True, exist_ok=True)

    def has_user_data(self) -> bool:
        return self.database.exists() and self.database.stat().st_size > 0
