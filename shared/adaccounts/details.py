"""What a sync reads once every insight report of a run has loaded: the objects' current
settings (metadata.py) and the breakdowns over the same window (breakdowns.py).

Both are upserts, so a step repeated after a throttle or a redelivered task writes the same
rows again and nothing more. Throttling and a refused token propagate to the sync, which waits
or parks the run as for a report; any other failure of these reads is logged and left to the
next daily sync, whose window covers the same days again (the insights already loaded stand).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime

from shared.adaccounts.breakdowns import BreakdownSync, RowConverter
from shared.adaccounts.metadata import MetadataSync
from shared.adaccounts.models import AdAccount
from shared.ports import AdsPlatform, AdsRequestFailed, AdsTooMuchData, AdsUnavailable, Warehouse

logger = logging.getLogger(__name__)


class AccountDetailSync:
    def __init__(
        self,
        *,
        warehouse: Warehouse,
        convert: RowConverter,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._metadata = MetadataSync(warehouse=warehouse)
        self._breakdowns = BreakdownSync(warehouse=warehouse, convert=convert)
        self._now = now

    def sync(
        self,
        ads: AdsPlatform,
        org_id: str,
        account: AdAccount,
        token: str,
        window: tuple[date, date],
    ) -> None:
        synced_at = self._now()
        try:
            self._metadata.sync(ads, org_id, account, token, synced_at)
            self._breakdowns.sync(ads, org_id, account, token, window=window, synced_at=synced_at)
        except (AdsUnavailable, AdsRequestFailed, AdsTooMuchData) as failed:
            logger.warning("settings or breakdowns of %s not read: %s", account.account_id, failed)
