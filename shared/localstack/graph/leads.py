"""Lead Ads leads, as GET /{leadgen_id} answers them (graph_samples/leads.json, labelled sample
data, each created some minutes before the server's clock): the lead's fields as asked
(`fields`), or Meta's errors for a lead that is gone ((#100) subcode 33, as for any object that
does not exist) and for a token that may not retrieve the Page's leads ((#200), a permissions
error)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from shared.localstack.graph.wire import GraphError, no_such_object, pick

LEADS = Path(__file__).parent.with_name("graph_samples") / "leads.json"
DEFAULT_FIELDS = ["id", "created_time"]
"""What Meta answers when no `fields` are asked for."""


class Leads:
    def __init__(self, clock: Callable[[], datetime], path: Path = LEADS) -> None:
        self._clock = clock
        document = json.loads(path.read_text(encoding="utf-8"))
        self._leads: dict[str, dict[str, Any]] = {
            str(lead["id"]): lead for lead in document["leads"]
        }

    def ids(self) -> list[str]:
        return list(self._leads)

    def read(self, lead_id: str, fields: list[str] | None) -> dict[str, Any] | None:
        """The lead's `fields`; None when `lead_id` names no sample lead (another object)."""
        lead = self._leads.get(lead_id)
        if lead is None:
            return None
        answer = lead["_answer"]
        if answer == "deleted":
            raise no_such_object(lead_id)
        if answer == "no_permission":
            raise GraphError(
                200,
                "(#200) The user does not have sufficient permission to retrieve leads of this "
                "Page (leads_retrieval)",
                status=403,
            )
        public = {k: v for k, v in lead.items() if not k.startswith("_")}
        created = self._clock() - timedelta(minutes=public.pop("created_minutes_ago"))
        public["created_time"] = created.strftime("%Y-%m-%dT%H:%M:%S+0000")
        return pick(public, fields or DEFAULT_FIELDS)
