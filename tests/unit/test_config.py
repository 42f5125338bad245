import pytest

from stengage import create_app
from stengage.config import ConfigError


def test_production_without_secret_key_refuses_to_start_with_a_clear_message(monkeypatch, tmp_path):
    monkeypatch.delenv("STENGAGE_SECRET_KEY", raising=False)
    monkeypatch.setenv("STENGAGE_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(ConfigError, match="STENGAGE_SECRET_KEY is not set"):
        create_app("production")


def test_environment_overrides_the_config_class(monkeypatch, tmp_path):
    monkeypatch.setenv("STENGAGE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("STENGAGE_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("STENGAGE_DATABASE_URL", f"sqlite:///{tmp_path}/other.db")
    monkeypatch.setenv("STENGAGE_PASSWORD_MIN_LENGTH", "14")
    app = create_app("production")
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("other.db")
    assert app.config["PASSWORD_MIN_LENGTH"] == 14
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_unknown_environment_name_is_refused(monkeypatch):
    monkeypatch.setenv("STENGAGE_ENV", "staging-typo")
    with pytest.raises(ConfigError, match="Unknown STENGAGE_ENV"):
        create_app()


def test_development_runs_without_configuration_and_sqlite_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("STENGAGE_INSTANCE_PATH", str(tmp_path))
    app = create_app("development")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'stengage.db'}"
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


@pytest.mark.parametrize(("settings", "message"), [
    ({"STENGAGE_PAGE_CACHE": "sometimes"}, "must be auto, redis, memory or off"),
    ({"STENGAGE_PAGE_CACHE": "redis"}, "needs STENGAGE_REDIS_URL"),
])
def test_a_page_cache_that_cannot_work_stops_start_up_with_a_clear_message(monkeypatch, tmp_path, settings, message):
    monkeypatch.setenv("STENGAGE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("STENGAGE_REDIS_URL", raising=False)
    for key, value in settings.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError, match=message):
        create_app("development")


@pytest.mark.parametrize("value", ["0", "many", "2.5", "true"])
def test_a_discussion_page_size_that_is_no_whole_number_stops_start_up(monkeypatch, tmp_path, value):
    monkeypatch.setenv("STENGAGE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("STENGAGE_COMMENTS_PER_PAGE", value)
    with pytest.raises(ConfigError, match="STENGAGE_COMMENTS_PER_PAGE must be a whole number of at least 1"):
        create_app("development")


def test_without_redis_several_workers_get_no_page_cache_unless_asked(monkeypatch, tmp_path):
    monkeypatch.setenv("STENGAGE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("STENGAGE_REDIS_URL", raising=False)
    monkeypatch.delenv("STENGAGE_PAGE_CACHE", raising=False)
    assert not create_app("development").extensions["stengage_page_cache"].enabled
