"""Configuration: production refuses to start without a secret and hardens cookies."""

import pytest
from cryptography.fernet import Fernet

from cstier import create_app


def test_production_refuses_without_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("CSTIER_SECRET_KEY", raising=False)
    monkeypatch.setenv("CSTIER_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="CSTIER_SECRET_KEY"):
        create_app(env="production")


def test_production_sets_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("CSTIER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CSTIER_SECRET_KEY", "s3cret")
    monkeypatch.setenv("CSTIER_ENCRYPTION_KEY", Fernet.generate_key().decode())
    app = create_app(env="production")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")


def test_unknown_environment_is_refused():
    with pytest.raises(RuntimeError, match="CSTIER_ENV"):
        create_app(env="staging")


def test_the_environment_is_read_when_the_app_is_created(monkeypatch, tmp_path):
    monkeypatch.setenv("CSTIER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CSTIER_SECRET_KEY", "first")
    monkeypatch.setenv("CSTIER_ENCRYPTION_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("CSTIER_ACCOUNTS_PER_PAGE", "20")
    assert create_app(env="production").config["ACCOUNTS_PER_PAGE"] == 20

    monkeypatch.setenv("CSTIER_ACCOUNTS_PER_PAGE", "30")
    monkeypatch.delenv("CSTIER_SECRET_KEY")
    with pytest.raises(RuntimeError, match="CSTIER_SECRET_KEY"):
        create_app(env="production")
    monkeypatch.setenv("CSTIER_SECRET_KEY", "second")
    assert create_app(env="production").config["ACCOUNTS_PER_PAGE"] == 30


def test_production_refuses_without_an_encryption_key(monkeypatch, tmp_path):
    monkeypatch.setenv("CSTIER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CSTIER_SECRET_KEY", "s3cret")
    monkeypatch.delenv("CSTIER_ENCRYPTION_KEY", raising=False)
    with pytest.raises(RuntimeError, match="CSTIER_ENCRYPTION_KEY"):
        create_app(env="production")


def test_development_generates_an_encryption_key_in_the_instance(monkeypatch, tmp_path):
    monkeypatch.setenv("CSTIER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("CSTIER_ENCRYPTION_KEY", raising=False)
    key = create_app(env="development").config["ENCRYPTION_KEY"]
    assert Fernet(key) and (tmp_path / "encryption_key").read_text().strip() == key


def test_links_in_emails_have_one_setting_and_its_older_name_still_works(monkeypatch, tmp_path):
    monkeypatch.setenv("CSTIER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("CSTIER_BASE_URL", raising=False)
    monkeypatch.setenv("CSTIER_APP_URL", "https://old.example.com/")
    assert create_app(env="testing").config["BASE_URL"] == "https://old.example.com"

    monkeypatch.setenv("CSTIER_BASE_URL", "https://cstier.example.com")
    assert create_app(env="testing").config["BASE_URL"] == "https://cstier.example.com"
