"""CSV import of daily ad insights: the documented path for platforms without an SDK.

The file is UTF-8 CSV with a header row naming exactly the columns of reachops.ad_insights_daily
except org_id, synced_at and source (ReachOps sets those), in any order:

    platform, account_id, level, entity_id, entity_name, campaign_id, adset_id, ad_id,
    reachops_campaign_id, creator_id, date, currency, spend_micros, impressions, reach,
    frequency, clicks, link_clicks, conversions, conversion_value_micros, engagements,
    video_p25, video_p50, video_p75, video_p100, actions_json, attribution_windows

Money may be given either way, the column name saying which: `spend` and `conversion_value`
hold decimal strings in MAJOR units of currency ("12.34", at most 6 decimals), converted to
micros exactly; `spend_micros` and `conversion_value_micros` hold integer micros. A header has
one of each pair, not both.

Cells: an empty cell is unknown (NULL), never 0. platform is lower-case free text
("tiktok_ads"); level is campaign, adset or ad; entity_id must equal campaign_id, adset_id or
ad_id for its level, and an ad set or ad row names its parents; date is YYYY-MM-DD; currency an
ISO 4217 code; counts are whole non-negative numbers; frequency and conversions non-negative
decimals; actions_json, when given, a JSON object.

Every data row is validated on its own: a bad row is rejected with its line number and the
column at fault, and never stops the good ones. A second row with the key of an earlier one
(platform, account_id, level, entity_id, date) is rejected as a duplicate. A header that is not
exactly the expected set rejects the file (line 1). A file the csv module cannot read at all (a
cell past its field limit, a NUL byte) is refused whole, as a 400 naming the line.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from shared.errors import BadRequest
from shared.metrics.definitions import currency_minor_units
from shared.model_base import MAX_MONEY, Count, MinorUnits
from shared.paid import AD_INSIGHTS_COLUMNS, MICROS_PER_UNIT

Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Major = Annotated[
    Decimal, Field(ge=0, le=MAX_MONEY // MICROS_PER_UNIT, decimal_places=6, allow_inf_nan=False)
]
Real = Annotated[float, Field(ge=0, le=MAX_MONEY, allow_inf_nan=False)]

MONEY = {"spend": "spend_micros", "conversion_value": "conversion_value_micros"}
"""Major-unit column -> its micros column."""
CSV_COLUMNS = tuple(c for c in AD_INSIGHTS_COLUMNS if c not in ("org_id", "synced_at", "source"))
_KEY = ("platform", "account_id", "level", "entity_id", "date")


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    platform: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=50)]
    account_id: Id
    level: Literal["campaign", "adset", "ad"]
    entity_id: Id
    entity_name: str | None = None
    campaign_id: Id
    adset_id: Id | None = None
    ad_id: Id | None = None
    reachops_campaign_id: Id | None = None
    creator_id: Id | None = None
    date: date
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    spend: Major | None = None
    spend_micros: MinorUnits | None = None
    impressions: Count | None = None
    reach: Count | None = None
    frequency: Real | None = None
    clicks: Count | None = None
    link_clicks: Count | None = None
    conversions: Real | None = None
    conversion_value: Major | None = None
    conversion_value_micros: MinorUnits | None = None
    engagements: Count | None = None
    video_p25: Count | None = None
    video_p50: Count | None = None
    video_p75: Count | None = None
    video_p100: Count | None = None
    actions_json: str | None = None
    attribution_windows: str | None = None


@dataclass(frozen=True)
class ColumnError:
    column: str | None
    """The CSV column at fault; None when the row as a whole is (e.g. a wrong field count)."""
    message: str


@dataclass(frozen=True)
class RejectedRow:
    line: int
    """Line number in the file where the row starts (the header is line 1)."""
    errors: tuple[ColumnError, ...]

    @property
    def reason(self) -> str:
        return "; ".join(f"{e.column}: {e.message}" if e.column else e.message for e in self.errors)


@dataclass(frozen=True)
class CsvImport:
    rows: tuple[dict[str, Any], ...]
    """ad_insights_daily rows, ready for shared.paid.save_insights."""
    rejected: tuple[RejectedRow, ...]


def expected_header(money_in_micros: bool = False) -> tuple[str, ...]:
    """A valid header, money in major units (`spend`) unless money_in_micros."""
    if money_in_micros:
        return CSV_COLUMNS
    major = {micros: name for name, micros in MONEY.items()}
    return tuple(major.get(column, column) for column in CSV_COLUMNS)


def parse_insights_csv(text: str, *, org_id: str, synced_at: datetime) -> CsvImport:
    reader = _Reader(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    header = [name.strip() for name in next(reader, [])]
    header_errors = _header_errors(header)
    if header_errors:
        return CsvImport((), (RejectedRow(1, tuple(header_errors)),))
    rows: list[dict[str, Any]] = []
    rejected: list[RejectedRow] = []
    seen: dict[tuple[Any, ...], int] = {}
    last_line = reader.line_num
    for cells in reader:
        line, last_line = last_line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        row, errors = _validate(header, cells)
        if row is not None:
            key = tuple(row[name] for name in _KEY)
            if key in seen:
                message = f"duplicate of line {seen[key]} (same {', '.join(_KEY)})"
                errors = [ColumnError(None, message)]
            else:
                seen[key] = line
        if errors or row is None:
            rejected.append(RejectedRow(line, tuple(errors)))
            continue
        rows.append({"org_id": org_id, **row, "source": "csv", "synced_at": synced_at})
    return CsvImport(tuple(rows), tuple(rejected))


class _Reader:
    """The csv reader, its errors (which stop the reader, so the whole file) as a 400."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader

    @property
    def line_num(self) -> int:
        line: int = self._reader.line_num
        return line

    def __iter__(self) -> _Reader:
        return self

    def __next__(self) -> list[str]:
        try:
            cells: list[str] = next(self._reader)
        except csv.Error as error:
            line = self._reader.line_num
            raise BadRequest(f"line {line} cannot be read as CSV: {error}", field="body") from error
        return cells


def _header_errors(header: list[str]) -> list[ColumnError]:
    errors: list[ColumnError] = []
    given = set(header)
    for name in sorted({n for n in header if header.count(n) > 1}):
        errors.append(ColumnError(name, "column appears more than once"))
    for major, micros in MONEY.items():
        if major in given and micros in given:
            errors.append(ColumnError(major, f"give {major} (major units) or {micros}, not both"))
    allowed = set(CSV_COLUMNS) | set(MONEY)
    for name in sorted(given - allowed):
        errors.append(ColumnError(name, "unknown column"))
    in_major = {micros: major for major, micros in MONEY.items()}
    for name in CSV_COLUMNS:
        alternative = in_major.get(name)
        if name not in given and (alternative is None or alternative not in given):
            either = f" (or {alternative} in major units)" if alternative else ""
            errors.append(ColumnError(name, f"missing column{either}"))
    return errors


def _validate(
    header: list[str], cells: list[str]
) -> tuple[dict[str, Any] | None, list[ColumnError]]:
    if len(cells) != len(header):
        return None, [ColumnError(None, f"{len(cells)} fields, the header has {len(header)}")]
    raw = {name: (cell if cell.strip() else None) for name, cell in zip(header, cells, strict=True)}
    try:
        parsed = _Row.model_validate(raw)
    except ValidationError as error:
        return None, [
            ColumnError(
                str(e["loc"][0]) if e["loc"] else None,
                f"{e['msg']} (got {e['input']!r})" if isinstance(e["input"], str) else e["msg"],
            )
            for e in error.errors()
        ]
    errors = _row_errors(parsed)
    if errors:
        return None, errors
    values = parsed.model_dump(exclude=set(MONEY))
    for major, micros in MONEY.items():
        amount: Decimal | None = getattr(parsed, major)
        if amount is not None:
            values[micros] = int(amount * MICROS_PER_UNIT)
    return {column: values[column] for column in CSV_COLUMNS}, []


def _row_errors(row: _Row) -> list[ColumnError]:
    errors: list[ColumnError] = []
    own = {"campaign": row.campaign_id, "adset": row.adset_id, "ad": row.ad_id}[row.level]
    if own is None:
        errors.append(ColumnError(f"{row.level}_id", f"required when level is {row.level}"))
    elif row.entity_id != own:
        errors.append(ColumnError("entity_id", f"must equal {row.level}_id ({own})"))
    if row.level == "ad" and row.adset_id is None:
        errors.append(ColumnError("adset_id", "required when level is ad"))
    for child, levels in (("adset_id", ("campaign",)), ("ad_id", ("campaign", "adset"))):
        if row.level in levels and getattr(row, child) is not None:
            errors.append(ColumnError(child, f"must be empty when level is {row.level}"))
    if currency_minor_units(row.currency) is None:
        errors.append(ColumnError("currency", f"{row.currency} is not an ISO 4217 code"))
    if row.actions_json is not None:
        try:
            actions = json.loads(row.actions_json, parse_constant=_no_constant)
        except (ValueError, RecursionError) as error:
            message = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
            errors.append(ColumnError("actions_json", f"not valid JSON: {message}"))
        else:
            if not isinstance(actions, dict):
                errors.append(ColumnError("actions_json", "must be a JSON object"))
    return errors


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")
