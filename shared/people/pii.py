"""Personal data at rest: emails are kept only encrypted (Fernet: AES-128-CBC + HMAC-SHA256)
and matched by a keyed hash, so a stolen table or export names nobody and a guessed email
cannot be checked against the hashes without the hash key.

Production reads both keys from Secret Manager (secrets reachops-pii-encryption-key and
reachops-pii-hash-key, injected as REACHOPS_PII_ENCRYPTION_KEY and REACHOPS_PII_HASH_KEY for
the functions whose `uses` list `pii`). Locally, when they are unset, they live in one key file
under the stack's state directory, created on first use, as shared/adapters/token_vault.py's
local Fernet key lives with the stack.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken


def normalise_email(email: str) -> str:
    """The form two spellings of one address share: surrounding blanks dropped, lower case."""
    return email.strip().lower()


@dataclass(frozen=True)
class PiiKeys:
    encryption_key: str
    hash_key: str


class PiiCipher:
    """Encrypts, decrypts and hashes emails; never logs or returns one in a repr."""

    def __init__(self, keys: PiiKeys) -> None:
        self._fernet = Fernet(keys.encryption_key.encode())
        self._hash_key = keys.hash_key.encode()

    def __repr__(self) -> str:
        return "PiiCipher(<keys hidden>)"

    def encrypt(self, email: str) -> str:
        return self._fernet.encrypt(normalise_email(email).encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("the ciphertext was not made with this encryption key") from exc

    def email_hash(self, email: str) -> str:
        """HMAC-SHA256 of the normalised email under the hash key, as hex: the matching key."""
        message = normalise_email(email).encode()
        return hmac.new(self._hash_key, message, hashlib.sha256).hexdigest()


def local_keys(key_file: Path) -> PiiKeys:
    """The local stack's keys, made on first use. A complete file is linked into place, which
    fails when one is there already, so processes starting together agree on one pair."""
    key_file.parent.mkdir(parents=True, exist_ok=True)
    if not key_file.exists():
        fresh = {
            "encryption_key": Fernet.generate_key().decode(),
            "hash_key": secrets.token_hex(32),
        }
        draft = key_file.with_name(f"{key_file.name}.{secrets.token_hex(8)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(fresh, handle)
        try:
            with contextlib.suppress(FileExistsError):
                os.link(draft, key_file)
        finally:
            draft.unlink()
    stored = json.loads(key_file.read_text(encoding="utf-8"))
    return PiiKeys(str(stored["encryption_key"]), str(stored["hash_key"]))


def pii_keys(encryption_key: str, hash_key: str, key_file: Path | None) -> PiiKeys:
    """The configured keys; without them the local key file (None: a deployed function, where
    missing keys are a configuration error, never a fresh key that orphans stored emails)."""
    if encryption_key and hash_key:
        return PiiKeys(encryption_key, hash_key)
    if key_file is None:
        raise RuntimeError("REACHOPS_PII_ENCRYPTION_KEY and REACHOPS_PII_HASH_KEY must be set")
    return local_keys(key_file)
