"""Emails at rest: encrypted and decrypted back exactly (normalised), matched by a keyed hash
that ignores case and surrounding blanks but changes with the key, local keys made once and
shared by every process, and no key material in a repr."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from shared.people.pii import PiiCipher, PiiKeys, local_keys, normalise_email, pii_keys

KEYS = PiiKeys(Fernet.generate_key().decode(), "hash-key-for-tests-0123456789abcdef")


def test_an_email_round_trips_through_encryption_normalised() -> None:
    cipher = PiiCipher(KEYS)
    ciphertext = cipher.encrypt("  Anna.Trail@Example.COM ")
    assert "anna" not in ciphertext.lower()
    assert cipher.decrypt(ciphertext) == "anna.trail@example.com"


def test_two_encryptions_of_one_email_differ_but_its_hash_does_not() -> None:
    cipher = PiiCipher(KEYS)
    assert cipher.encrypt("a@b.example") != cipher.encrypt("a@b.example")
    assert cipher.email_hash("a@b.example") == cipher.email_hash(" A@B.Example\t")


def test_the_hash_is_keyed_hex_sha256() -> None:
    mine = PiiCipher(KEYS).email_hash("a@b.example")
    other = PiiCipher(PiiKeys(KEYS.encryption_key, "another-key")).email_hash("a@b.example")
    assert mine != other
    assert len(mine) == 64
    assert int(mine, 16) >= 0


def test_a_ciphertext_of_another_key_is_refused() -> None:
    other = PiiCipher(PiiKeys(Fernet.generate_key().decode(), KEYS.hash_key))
    with pytest.raises(ValueError, match="not made with this encryption key"):
        PiiCipher(KEYS).decrypt(other.encrypt("a@b.example"))


def test_normalisation_is_strip_and_lower_case_only() -> None:
    assert normalise_email(" First.Last+Tag@Example.COM\n") == "first.last+tag@example.com"


def test_local_keys_are_made_once_and_read_by_everyone(tmp_path: Path) -> None:
    key_file = tmp_path / "state" / "pii_keys.json"
    first = local_keys(key_file)
    assert local_keys(key_file) == first
    assert key_file.stat().st_mode & 0o077 == 0
    assert [p.name for p in key_file.parent.iterdir()] == ["pii_keys.json"]


def test_configured_keys_win_and_missing_ones_in_production_are_an_error(tmp_path: Path) -> None:
    assert pii_keys("enc", "hash", tmp_path / "unused.json") == PiiKeys("enc", "hash")
    assert not (tmp_path / "unused.json").exists()
    with pytest.raises(RuntimeError, match="REACHOPS_PII_ENCRYPTION_KEY"):
        pii_keys("", "", None)


def test_no_key_shows_in_a_repr() -> None:
    assert KEYS.hash_key not in repr(PiiCipher(KEYS))
