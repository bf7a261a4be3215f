"""Results cached by content hash and model, per organization
(`orgs/{org}/sentiment_cache/{key}`): a text is scored once per model, whichever source
carries it and however often it is asked for. A refusal is cached too (it is the engine's
answer to that text); a transient failure never is."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import asdict

from shared.ports import DocumentStore, SentimentResult


def content_hash(text: str) -> str:
    """SHA-256 (hex) of the text as scored (surrounding whitespace stripped)."""
    return hashlib.sha256(text.strip().encode()).hexdigest()


def cache_key(model: str, text_hash: str) -> str:
    return hashlib.sha256(f"{model}\n{text_hash}".encode()).hexdigest()


def cache_collection(org_id: str) -> str:
    return f"orgs/{org_id}/sentiment_cache"


class ScoreCache:
    def __init__(self, store: DocumentStore) -> None:
        self._store = store

    def _path(self, org_id: str, model: str, text_hash: str) -> str:
        return f"{cache_collection(org_id)}/{cache_key(model, text_hash)}"

    def get_many(
        self, org_id: str, model: str, hashes: Iterable[str]
    ) -> dict[str, SentimentResult]:
        """The cached results among `hashes`, by hash."""
        paths = {self._path(org_id, model, h): h for h in set(hashes)}
        found = self._store.get_many(list(paths))
        return {
            paths[path]: SentimentResult(
                **{
                    **data["result"],
                    "keywords": tuple(data["result"]["keywords"]),
                    "entities": tuple(data["result"]["entities"]),
                }
            )
            for path, data in found.items()
        }

    def put(self, org_id: str, model: str, text_hash: str, result: SentimentResult) -> None:
        """Keep `result` under the model it was asked of (the answer may name a dated one)."""
        data = asdict(result)
        data["keywords"], data["entities"] = list(result.keywords), list(result.entities)
        path = self._path(org_id, model, text_hash)
        self._store.set(path, {"content_hash": text_hash, "result": data})
