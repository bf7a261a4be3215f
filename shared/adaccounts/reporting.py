"""What the paid KPI table needs to know of an ad account, handed to it from this side.

shared.paid must not import shared.adaccounts (the sync imports shared.paid, and a cycle between
domain packages is refused by tests/unit/test_domain_imports.py), so the KPI table declares the
settings it needs (`shared.paid.kpi_table.ReportingSettings`) and this module fills them in.
"""

from __future__ import annotations

from datetime import datetime

from shared.adaccounts.service import AdAccountService
from shared.adaccounts.timezones import lookback_range
from shared.paid.kpi_table import ReportingSettings


class AccountReporting:
    def __init__(self, accounts: AdAccountService) -> None:
        self._accounts = accounts

    def reporting(self, org_id: str, account_id: str, now: datetime) -> ReportingSettings:
        """The account's windows and default window, and the range its syncs cover (the KPI
        table's default range, the one its range reach is stored for). NotFound when the
        account does not exist."""
        account = self._accounts.load(org_id, account_id)
        since, until = lookback_range(account, now, account.lookback_days)
        return ReportingSettings(
            attribution_windows=tuple(account.attribution_windows),
            default_window=account.default_attribution_window,
            default_since=since,
            default_until=until,
        )
