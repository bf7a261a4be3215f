"""Dates in the ad account's time zone, which is how Meta reports days.

An account in America/Los_Angeles has its "yesterday" end at 08:00 UTC; counting days in UTC
would split one reported day across two of ours, put the month boundary of a spend limit in
the wrong place and call a day complete while it still has hours to run.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.adaccounts.models import AdAccount

UTC_NAME = "UTC"


def account_zone(account: AdAccount) -> ZoneInfo:
    """The account's IANA zone (Meta's `timezone_name`); UTC when Meta gave none we know."""
    try:
        return ZoneInfo(account.timezone or UTC_NAME)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(UTC_NAME)


def account_today(account: AdAccount, now: datetime) -> date:
    """The calendar day it is for the account at `now` (an aware datetime)."""
    return now.astimezone(account_zone(account)).date()


def last_complete_day(account: AdAccount, now: datetime) -> date:
    """The newest day that has ended in the account's zone: the account's yesterday."""
    return account_today(account, now) - timedelta(days=1)


def day_is_complete(account: AdAccount, day: date, now: datetime) -> bool:
    return day <= last_complete_day(account, now)


def lookback_range(account: AdAccount, now: datetime, days: int) -> tuple[date, date]:
    """(since, until) of a look-back of `days` days ending with the account's today."""
    today = account_today(account, now)
    return today - timedelta(days=days), today
