"""The KPI formulas, each written once for Python and once as the SQL the rollups render.

Two different figures carry "engagement" in their name, and they must not be confused:

* **engagements** of a post = likes + comments + shares, over the parts it reports (a hidden
  count is left out, not taken as 0); None when it reports none of them. It is what a cost per
  engagement pays for, so CPE divides spend by it.
* **engagement rate** of a post = (likes + comments) / the creator's followers, only when likes
  and comments are both known and followers are known and above 0. A creator's engagement rate
  is the mean over their last ENGAGEMENT_RATE_WINDOW posts that have a rate
  (shared/scraping/engagement.py); a campaign's or allocation's avg_engagement_rate is the mean
  over its campaign posts that have one. Shares are not part of it: that is the README's
  definition, and the one the creator search ranks by.

CPE = spend / engagements; CPM = spend / views x 1000 over the posts that report views (a post
without views adds neither views nor is it a zero). Both are None when a part is unknown or 0.

The SQL side is dbt-macro style: a rollup writes `{{ engagement_rate(l.likes, l.comments,
f.followers) }}` and shared/adapters/sql_files.py renders SQL_FORMULAS into the text before
either warehouse adapter runs it, so the formula text exists once. Macros rendered into the
text rather than persistent SQL functions (which the paid KPIs use, bigquery_sql/functions/)
because the rollup SQL is rendered per run anyway; not views, because a formula applies to
columns of different relations. tests/unit/test_definitions.py runs the
rendered SQL on DuckDB against these Python functions on generated data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


def engagements(likes: int | None, comments: int | None, shares: int | None) -> int | None:
    """likes + comments + shares over the known parts; None when none is known."""
    known = [part for part in (likes, comments, shares) if part is not None]
    return sum(known) if known else None


def post_engagement_rate(
    likes: int | None, comments: int | None, followers: int | None
) -> float | None:
    """(likes + comments) / followers; None unless all three are known and followers > 0."""
    if likes is None or comments is None or not followers:
        return None
    return (likes + comments) / followers


def cost_per_engagement_minor(spend_minor: int | None, engagements: int | None) -> float | None:
    """Spend per engagement in minor units; None when either is unknown or engagements is 0."""
    if spend_minor is None or not engagements:
        return None
    return spend_minor / engagements


def cpm_minor(spend_minor: int | None, views: int | None) -> float | None:
    """Spend per 1,000 views in minor units; None when either is unknown or views is 0."""
    if spend_minor is None or not views:
        return None
    return spend_minor * 1000 / views


@dataclass(frozen=True)
class SqlFormula:
    """BigQuery SQL with one `{name}` placeholder per parameter (plain column references)."""

    params: tuple[str, ...]
    body: str


SQL_FORMULAS: Mapping[str, SqlFormula] = MappingProxyType(
    {
        "engagements": SqlFormula(
            ("likes", "comments", "shares"),
            "CASE WHEN {likes} IS NULL AND {comments} IS NULL AND {shares} IS NULL THEN NULL"
            " ELSE COALESCE({likes}, 0) + COALESCE({comments}, 0) + COALESCE({shares}, 0) END",
        ),
        "engagement_rate": SqlFormula(
            ("likes", "comments", "followers"),
            "SAFE_DIVIDE(CAST({likes} + {comments} AS FLOAT64), NULLIF({followers}, 0))",
        ),
        "cost_per_engagement_minor": SqlFormula(
            ("spend_minor", "engagements"),
            "SAFE_DIVIDE(CAST({spend_minor} AS FLOAT64), {engagements})",
        ),
        "cpm_minor": SqlFormula(
            ("spend_minor", "views"),
            "SAFE_DIVIDE(CAST({spend_minor} AS FLOAT64) * 1000, {views})",
        ),
    }
)
"""The same formulas as the functions above, by name, for `{{ name(args) }}` in SQL files."""
