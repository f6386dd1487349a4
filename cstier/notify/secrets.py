"""Webhook signing secrets, encrypted with keys kept outside the database (Fernet)."""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


class MissingKey(RuntimeError):
    """No CSTIER_ENCRYPTION_KEY is configured, or it cannot read a stored secret."""


def cipher(keys: str | None = None) -> MultiFernet:
    """Return the cipher of the configured keys: the first encrypts, every one decrypts."""
    keys = keys if keys is not None else current_app.config.get("ENCRYPTION_KEY")
    parts = [k.strip() for k in (keys or "").split(",") if k.strip()]
    if not parts:
        raise MissingKey("Set CSTIER_ENCRYPTION_KEY (a Fernet key) to store webhook secrets.")
    return MultiFernet([Fernet(k) for k in parts])


def encrypt(secret: str) -> bytes:
    """Encrypt a secret with the current key."""
    return cipher().encrypt(secret.encode())


def decrypt(token: bytes) -> str:
    """Decrypt a stored secret with whichever configured key made it."""
    try:
        return cipher().decrypt(bytes(token)).decode()
    except InvalidToken as exc:
        raise MissingKey("No configured CSTIER_ENCRYPTION_KEY opens this secret.") from exc


def rotate(token: bytes) -> bytes:
    """Re-encrypt a stored secret with the current (first) key."""
    return cipher().rotate(bytes(token))


def new_key() -> str:
    """Return a new Fernet key."""
    return Fernet.generate_key().decode()
