"""TokenVault implementations: Secret Manager in production, a local key for the local stack.

Locally the token is encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under a key from the
settings and the ciphertext kept in Firestore; in production each token is a Secret Manager
secret version under TOKEN_SECRET_PREFIX: only the token_vault function (not public) may create
them, and only the functions that use `tokens` may read them (terraform/secrets.tf).
"""

from __future__ import annotations

import contextlib

from cryptography.fernet import Fernet
from google.api_core.exceptions import AlreadyExists, NotFound
from google.cloud import secretmanager

from shared.ports import DocumentStore

LOCAL_PREFIX = "local:"
TOKEN_SECRET_PREFIX = "reachops-token-"  # noqa: S105 - a name prefix; terraform's IAM conditions match it


class LocalTokenVault:
    def __init__(self, store: DocumentStore, key: str) -> None:
        self._store = store
        self._fernet = Fernet(key.encode())

    def store(self, name: str, token: str) -> str:
        ciphertext = self._fernet.encrypt(token.encode()).decode()
        self._store.set(f"token_vault/{name}", {"ciphertext": ciphertext})
        return LOCAL_PREFIX + name

    def load(self, reference: str) -> str:
        name = reference.removeprefix(LOCAL_PREFIX)
        data = self._store.get(f"token_vault/{name}")
        if data is None:
            raise KeyError(f"no token stored as {reference}")
        return self._fernet.decrypt(data["ciphertext"].encode()).decode()

    def delete(self, reference: str) -> None:
        self._store.delete(f"token_vault/{reference.removeprefix(LOCAL_PREFIX)}")


class SecretManagerTokenVault:
    def __init__(self, client: secretmanager.SecretManagerServiceClient, project_id: str) -> None:
        self._client = client
        self._project = f"projects/{project_id}"

    def store(self, name: str, token: str) -> str:
        secret_id = f"{TOKEN_SECRET_PREFIX}{name}"
        with contextlib.suppress(AlreadyExists):
            self._client.create_secret(
                parent=self._project,
                secret_id=secret_id,
                secret=secretmanager.Secret(
                    replication=secretmanager.Replication(
                        automatic=secretmanager.Replication.Automatic()
                    )
                ),
            )
        version = self._client.add_secret_version(
            parent=f"{self._project}/secrets/{secret_id}",
            payload=secretmanager.SecretPayload(data=token.encode()),
        )
        return str(version.name)

    def load(self, reference: str) -> str:
        response = self._client.access_secret_version(name=reference)
        return str(response.payload.data.decode())

    def delete(self, reference: str) -> None:
        """`reference` names a version (`projects/p/secrets/s/versions/n`): the whole secret
        goes, so no older version of the token survives."""
        secret = reference.partition("/versions/")[0]
        with contextlib.suppress(NotFound):
            self._client.delete_secret(name=secret)
