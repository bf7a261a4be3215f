"""Sentiment as the API takes and returns it, and the sources it is computed for."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from shared.model_base import ApiModel, PageLimit, QueryModel
from shared.ports import SentimentLabel, SentimentResult

SourceType = Literal["feedback", "form_response", "comment"]
SOURCE_TYPES: tuple[SourceType, ...] = ("feedback", "form_response", "comment")
SourceId = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_:.-]+$")]
MAX_TEXT = 10_000
"""The most characters of one source scored (a form's answers together may exceed a single
field's 5,000); what is longer is cut, and the content hash is of what was scored."""
MAX_RANGE_DAYS = 400
DEFAULT_RANGE_DAYS = 30


@dataclass(frozen=True)
class SentimentSource:
    source_type: SourceType
    source_id: str
    text: str


def source_text(row: dict[str, Any]) -> str:
    """A sources row's text: the text itself, or a form response's answers (its text values,
    in the form's order, one per line)."""
    if row.get("text"):
        return str(row["text"])[:MAX_TEXT]
    try:
        fields = json.loads(row.get("fields_json") or "{}")
    except ValueError:
        return ""
    values = fields.values() if isinstance(fields, dict) else []
    answers = [v.strip() for v in values if isinstance(v, str) and v.strip()]
    return "\n".join(answers)[:MAX_TEXT]


class SentimentRecord(BaseModel):
    """One source's sentiment, naming the engine and model that produced it. A failed record is
    one the engine refused: no score or label, and the engine's reason."""

    source_type: SourceType
    source_id: str
    content_hash: str
    engine: str
    model: str
    status: Literal["scored", "failed"]
    score: float | None = Field(description="-1 (negative) .. 1 (positive); null when failed")
    label: SentimentLabel | None
    keywords: list[str]
    entities: list[str]
    toxicity: float | None = Field(description="0..1; null when the engine does not report it")
    reason: str | None
    scored_at: datetime
    occurred_at: datetime | None = Field(
        default=None, description="when the customer wrote the text (lists only)"
    )

    @classmethod
    def of(
        cls, source: SentimentSource, content_hash: str, result: SentimentResult, at: datetime
    ) -> SentimentRecord:
        return cls(
            source_type=source.source_type,
            source_id=source.source_id,
            content_hash=content_hash,
            engine=result.engine,
            model=result.model,
            status=result.status,
            score=result.score,
            label=result.label,
            keywords=list(result.keywords),
            entities=list(result.entities),
            toxicity=result.toxicity,
            reason=result.reason,
            scored_at=at,
        )

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> SentimentRecord:
        return cls.model_validate(
            {
                **row,
                "keywords": json.loads(row["keywords_json"]),
                "entities": json.loads(row["entities_json"]),
            }
        )

    def row(self, org_id: str) -> dict[str, Any]:
        data = self.model_dump(exclude={"keywords", "entities", "occurred_at"})
        return {
            "org_id": org_id,
            **data,
            "keywords_json": json.dumps(self.keywords),
            "entities_json": json.dumps(self.entities),
        }


class SentimentListQuery(QueryModel):
    source_type: SourceType | None = None
    label: SentimentLabel | None = None
    limit: PageLimit | None = None
    cursor: str | None = None


class SentimentRangeQuery(QueryModel):
    """UTC days of when the texts were written, both included (default: the last 30 days)."""

    from_: date | None = Field(default=None, alias="from")
    to: date | None = None
    source_type: SourceType | None = None


class SentimentTrendQuery(SentimentRangeQuery):
    granularity: Literal["day", "week"] = "day"


class AnalyzeRequest(ApiModel):
    source_type: SourceType
    source_id: SourceId


class BulkAnalyzeRequest(ApiModel):
    """Nothing to send: every unscored source of the organization is queued."""


class BulkAccepted(BaseModel):
    queued: bool
    run_id: str
    engine: str
    model: str
    batch: bool = Field(description="true: through Anthropic's Message Batches API")


class SentimentFigures(BaseModel):
    """Counts and shares over some results; shares and means are null (with `reason`) when
    there is nothing scored to divide by."""

    results: int
    scored: int
    failed: int
    mean_score: float | None
    positive_share: float | None
    negative_share: float | None
    neutral_share: float | None
    mixed_share: float | None
    mean_toxicity: float | None
    toxicity_reported: int
    reason: str | None = None


class SourceFigures(SentimentFigures):
    source_type: SourceType


class PeriodFigures(SentimentFigures):
    period_start: date
    mean_score_change: float | None = Field(
        description="mean_score minus the previous period's; null when either is null"
    )


class SentimentStats(BaseModel):
    since: date
    until: date
    total: SentimentFigures
    by_source: list[SourceFigures]
    by_day: list[PeriodFigures]


class SentimentTrends(BaseModel):
    since: date
    until: date
    granularity: Literal["day", "week"]
    periods: list[PeriodFigures]
