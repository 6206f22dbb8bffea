"""Storage settings: file, environment and flags."""

from __future__ import annotations

import pytest

from domain.storage.paths import Paths
from domain.model.errors import WorkerDeskError
from domain.storage.settings import ReadOnlySettings, SettingsError, StorageSettings


def test_the_file_the_environment_and_the_flag_override_in_that_order(tmp_path, monkeypatch):
    paths = Paths.resolve(tmp_path)
    StorageSettings(kind="sqlite", postgres={"host": "filehost"}).save(paths)
    monkeypatch.setenv("WORKERDESK_STORAGE", "postgres")
    monkeypatch.setenv("WORKERDESK_PG_HOST", "envhost")
    merged = StorageSettings.load(paths)
    assert (merged.kind, merged.postgres["host"]) == ("postgres", "envhost")
    assert StorageSettings.load(paths, "sqlite").kind == "sqlite"
    # A settings editor reads the file alone, so it never saves the environment back.
    own = StorageSettings.load(paths, environment=False)
    assert (own.kind, own.postgres["host"]) == ("sqlite", "filehost")


def test_home_puts_data_cache_and_config_under_one_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("WORKERDESK_HOME", raising=False)
    paths = Paths.resolve(tmp_path)
    assert (paths.data.parent, paths.cache.parent, paths.config.parent) == (tmp_path, tmp_path, tmp_path)
    monkeypatch.setenv("WORKERDESK_HOME", str(tmp_path / "env"))
    assert Paths.resolve().data == tmp_path / "env" / "data"


def test_an_unknown_storage_kind_is_a_clear_error(tmp_path):
    with pytest.raises(SettingsError, match="unknown storage 'oracle'"):
        StorageSettings.load(Paths.resolve(tmp_path), "oracle")


def test_settings_loaded_read_only_refuse_to_be_saved(tmp_path):
    paths = Paths.resolve(tmp_path)
    settings = StorageSettings.load(paths, read_only=True)
    settings.time_limit = 1.0
    with pytest.raises(ReadOnlySettings, match="opened read-only") as caught:
        settings.save(paths)
    assert isinstance(caught.value, WorkerDeskError) and "\n" not in str(caught.value)
    assert not paths.config.exists()
    # Settings loaded for writing still save.
    StorageSettings.load(paths).save(paths)
    assert paths.settings_file.exists()


def test_a_desk_opened_read_only_refuses_to_save_its_settings(tmp_path):
    from domain.bootstrap import open_desk
    from domain.storage.settings import ReadOnlySettings

    open_desk(tmp_path / "home").close()
    desk = open_desk(tmp_path / "home", read_only=True)
    try:
        with pytest.raises(ReadOnlySettings):
            desk.settings.save(desk.paths)
    finally:
        desk.close()
    assert not (tmp_path / "home" / "config" / "settings.json").exists()
