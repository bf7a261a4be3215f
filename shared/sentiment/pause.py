"""The engine's pause: when Anthropic says the credit or the spend limit is exhausted, every
retry would fail the same way, so sentiment work stops until a person acts. The flag is one
Firestore document (`sentiment_engine/pause`, the API key is the platform's, so it pauses every
organization) read before any work; the first to set it raises one alert to the organization
whose work hit it. Deleting the document (after adding credit or raising the limit) resumes:
the next bulk run scores what was left."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from shared.adaccounts.alerts import SpendAlerts
from shared.ports import DocumentStore

PAUSE_PATH = "sentiment_engine/pause"


class EnginePause:
    def __init__(
        self,
        store: DocumentStore,
        alerts: SpendAlerts,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._alerts = alerts
        self._clock = clock

    def current(self) -> dict[str, Any] | None:
        """The pause in force (paused_at, engine, reason), None when work may go on."""
        return self._store.get(PAUSE_PATH)

    def pause(self, org_id: str, engine: str, reason: str) -> bool:
        """Set the flag; True (and one alert) only for the call that set it."""
        now = self._clock()
        if not self._store.create(
            PAUSE_PATH, {"paused_at": now, "engine": engine, "reason": reason}
        ):
            return False
        self._alerts.raise_alert(
            org_id,
            key=f"sentiment-paused-{now:%Y%m%dT%H%M%S}",
            kind="sentiment_paused",
            subject=engine,
            message=(
                f"Sentiment scoring is paused: {engine} refused for the account ({reason}). "
                f"Add credit or raise the spend limit, then delete Firestore document "
                f"{PAUSE_PATH} to resume."
            ),
            data={"engine": engine, "reason": reason},
        )
        return True
