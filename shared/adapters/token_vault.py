"""TokenVault implementations: Secret Manager in production, a local key for the local stack.

Locally the token is encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under a key from the
settings and the ciphertext kept in Firestore; in production each token is a Secret Manager
secret version, readable only by the functions that sync ad accounts.
"""

from __future__ import annotations

import contextlib

from cryptography.fernet import Fernet
from google.api_core.exceptions import AlreadyExists
from google.cloud import secretmanager

from shared.ports import DocumentStore

LOCAL_PREFIX = "local:"


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


class SecretManagerTokenVault:
    def __init__(self, client: secretmanager.SecretManagerServiceClient, project_id: str) -> None:
        self._client = client
        self._project = f"projects/{project_id}"

    def store(self, name: str, token: str) -> str:
        secret_id = f"reachops-token-{name}"
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
