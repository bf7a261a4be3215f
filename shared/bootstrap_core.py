"""The composition root's core: the outside-system clients (built once per instance, lazily,
from settings) and the creator, paid and organization services."""

from __future__ import annotations

import threading
from datetime import timedelta
from functools import cached_property

from shared.adaccounts.alerts import SpendAlerts, breaches_collection
from shared.adaccounts.breakdowns import PaidBreakdowns
from shared.adaccounts.details import AccountDetailSync
from shared.adaccounts.erasure import AdAccountErasure
from shared.adaccounts.handoff import TokenHandoff
from shared.adaccounts.links import PaidCampaignLinks
from shared.adaccounts.range_reach import RangeReach
from shared.adaccounts.range_requests import RangeRequests
from shared.adaccounts.reporting import AccountReporting
from shared.adaccounts.service import AdAccountService
from shared.adaccounts.sync import InsightSync
from shared.adaccounts.tokens import TokenChecks
from shared.adaccounts.vaulting import TokenVaulting
from shared.allocations.service import AllocationService, allocations_collection
from shared.auth import Principal, authenticate
from shared.brands.service import BrandService
from shared.campaigns.service import CampaignService, campaigns_collection
from shared.config import Settings
from shared.creators.service import CreatorService
from shared.feedback.forms import responses_collection
from shared.feedback.service import feedback_collection
from shared.http.distributed_limits import SharedMinuteQuotas
from shared.http.openapi import quota_limits
from shared.metrics.service import MetricsService
from shared.orgs.deletion import Tombstones
from shared.orgs.guard import (
    TombstoneGuardedStore,
    TombstoneGuardedWarehouse,
)
from shared.orgs.purge import OrgPurge, purge_grace
from shared.orgs.service import OrgService
from shared.orgs.settings import SettingsService
from shared.outbox import Outbox, outbox_collection
from shared.paid.creator_campaigns import CreatorPaidCampaignsService
from shared.paid.kpi_table import KpiTables
from shared.paid.service import PaidPlanning
from shared.ports import (
    AdsPlatform,
    DocumentStore,
    EventBus,
    Scraper,
    TaskQueue,
    TokenVault,
    Warehouse,
)
from shared.posts.history import PostHistoryService
from shared.posts.service import PostMatching, matches_collection
from shared.scraping.ingest import ScrapeIngest
from shared.scraping.jobs import SCRAPE_QUEUE, ScrapeJobs
from shared.scraping.monitoring import ProfileMonitoring
from shared.scraping.runs import RUN_TIMEOUT
from shared.topology import Topology

# Every collection whose documents carry an outbox (shared/outbox.py), per organization.
OUTBOX_COLLECTIONS = (
    campaigns_collection,
    allocations_collection,
    matches_collection,
    breaches_collection,
    outbox_collection,
    feedback_collection,
    responses_collection,
)


class CoreServices:
    """The outside systems and the creator, paid and organization services (bootstrap.py adds
    the ad-planning ones on top)."""

    def __init__(self, settings: Settings, topology: Topology) -> None:
        self.settings = settings
        self.topology = topology
        self._lock = threading.RLock()

    @cached_property
    def store(self) -> DocumentStore:
        """Every writer's store: it refuses writes for a deleted organization."""
        return TombstoneGuardedStore(self._firestore, self.tombstones)

    @cached_property
    def _firestore(self) -> DocumentStore:
        from google.cloud import firestore

        from shared.adapters.firestore_store import FirestoreStore

        with self._lock:
            return FirestoreStore(firestore.Client(project=self.settings.project_id))

    @cached_property
    def tombstones(self) -> Tombstones:
        return Tombstones(self._firestore)

    @cached_property
    def bus(self) -> EventBus:
        from google.cloud.pubsub import PublisherClient

        from shared.adapters.pubsub_bus import PubSubEventBus

        with self._lock:
            publisher = PublisherClient()
            return PubSubEventBus(publisher, self.settings.project_id, self.topology)

    @cached_property
    def warehouse(self) -> Warehouse:
        """Every writer's warehouse: it refuses rows and runs for a deleted organization."""
        return TombstoneGuardedWarehouse(self._warehouse, self.tombstones)

    @cached_property
    def _warehouse(self) -> Warehouse:
        with self._lock:
            if self.settings.warehouse == "bigquery":
                from google.cloud import bigquery

                from shared.adapters.bigquery_warehouse import BigQueryWarehouse

                client = bigquery.Client(project=self.settings.project_id)
                return BigQueryWarehouse(client, self.settings.sql_dir)
            from shared.adapters.duckdb_appender import load_leftover_appends
            from shared.adapters.duckdb_warehouse import DuckDbWarehouse

            duckdb_warehouse = DuckDbWarehouse(self.settings.duckdb_path, self.settings.sql_dir)
            duckdb_warehouse.apply_schema()
            load_leftover_appends(duckdb_warehouse)
            return duckdb_warehouse

    @cached_property
    def tasks(self) -> TaskQueue:
        with self._lock:
            if self.settings.task_queue == "cloud_tasks":
                from google.cloud import tasks_v2

                from shared.adapters.cloud_tasks_queue import CloudTasksQueue

                client = tasks_v2.CloudTasksClient()
                return CloudTasksQueue(client, self.settings, self.topology)
            from shared.adapters.local_task_queue import LocalTaskQueue
            from shared.localstack.identities import LocalIdentities, caller_account
            from shared.localstack.task_dispatcher import enqueue_audience

            settings = self.settings

            def identity(queue: str) -> dict[str, str]:
                """The running function's own token (the operator's outside one)."""
                if not settings.local_identity_key:
                    return {}
                identities = LocalIdentities(settings.local_identity_key, settings.project_id)
                return identities.headers(caller_account(), enqueue_audience(queue))

            return LocalTaskQueue(settings.local_dispatcher_url, identity=identity)

    def scraper(self) -> Scraper:
        """Built on first use: only the functions that call Apify need its client."""
        return self._apify

    @cached_property
    def _apify(self) -> Scraper:
        from apify_client import ApifyClient

        from shared.adapters.apify_scraper import ApifyScraper

        settings = self.settings
        client = ApifyClient(
            token=settings.apify_token or None,
            api_url=settings.apify_api_url,
            max_retries=settings.apify_max_retries,
            min_delay_between_retries=timedelta(
                seconds=settings.apify_min_delay_between_retries_seconds
            ),
        )
        return ApifyScraper(client, run_timeout=RUN_TIMEOUT)

    @cached_property
    def scrape_jobs(self) -> ScrapeJobs:
        return ScrapeJobs(
            store=self.store,
            tasks=self.tasks,
            scraper=self.scraper,
            queue=self.topology.queues[SCRAPE_QUEUE],
            webhook=(
                f"{self.settings.functions_base_url}/apify_webhook",
                self.settings.apify_webhook_secret,
            ),
            monitoring=self.profile_monitoring,
        )

    @cached_property
    def profile_monitoring(self) -> ProfileMonitoring:
        return ProfileMonitoring(
            store=self.store, allocations=self.allocations, alerts=self.spend_alerts
        )

    @cached_property
    def scrape_ingest(self) -> ScrapeIngest:
        return ScrapeIngest(
            store=self.store,
            warehouse=self.warehouse,
            outbox=self.outbox,
            jobs=self.scrape_jobs,
            creators=self.creators,
            scraper=self.scraper,
            queue=self.topology.queues[SCRAPE_QUEUE],
            monitoring=self.profile_monitoring,
        )

    @cached_property
    def token_vault(self) -> TokenVault:
        with self._lock:
            if self.settings.vault_backend == "secret_manager":
                from google.cloud import secretmanager

                from shared.adapters.token_vault import SecretManagerTokenVault

                client = secretmanager.SecretManagerServiceClient()
                return SecretManagerTokenVault(client, self.settings.project_id)
            from shared.adapters.token_vault import LocalTokenVault

            return LocalTokenVault(self.store, self.settings.local_token_key)

    def ads(self) -> AdsPlatform:
        """Built on first use: only the functions that call Meta need the SDK."""
        return self._meta

    @cached_property
    def _meta(self) -> AdsPlatform:
        from shared.adapters.meta_ads import MetaAds

        settings = self.settings
        return MetaAds(
            app_id=settings.meta_app_id,
            app_secret=settings.meta_app_secret,
            graph_url=settings.meta_graph_url,
        )

    @cached_property
    def ad_accounts(self) -> AdAccountService:
        return AdAccountService(
            store=self.store,
            ads=self.ads,
            vault=lambda: self.token_vault,
            tasks=self.tasks,
            settings=self.settings,
        )

    @cached_property
    def spend_alerts(self) -> SpendAlerts:
        return SpendAlerts(store=self.store, warehouse=self.warehouse, outbox=self.outbox)

    @cached_property
    def insight_sync(self) -> InsightSync:
        from shared.adapters.meta_insights import meta_insight_row, meta_range_row

        return InsightSync(
            store=self.store,
            warehouse=self.warehouse,
            accounts=self.ad_accounts,
            ads=self.ads,
            alerts=self.spend_alerts,
            links=self.paid_links,
            details=AccountDetailSync(warehouse=self.warehouse, convert=meta_insight_row),
            range_reach=RangeReach(warehouse=self.warehouse, convert=meta_range_row),
            tasks=self.tasks,
            convert_row=meta_insight_row,
            poll_seconds=self.settings.insights_poll_seconds,
            retry_backoff_seconds=self.settings.insights_retry_backoff_seconds,
            step_lease=timedelta(seconds=self.topology.functions["insights_sync"].timeout_seconds),
        )

    @cached_property
    def paid_breakdowns(self) -> PaidBreakdowns:
        return PaidBreakdowns(warehouse=self.warehouse, accounts=self.ad_accounts)

    @cached_property
    def token_handoff(self) -> TokenHandoff:
        return TokenHandoff(store=self.store, tasks=self.tasks)

    @cached_property
    def token_vaulting(self) -> TokenVaulting:
        return TokenVaulting(
            store=self.store,
            handoff=self.token_handoff,
            accounts=self.ad_accounts,
            token_checks=self.token_checks,
            ads=self.ads,
            state_secret=self.settings.oauth_state_secret,
        )

    @cached_property
    def token_checks(self) -> TokenChecks:
        return TokenChecks(
            store=self.store,
            ads=self.ads,
            vault=lambda: self.token_vault,
            alerts=self.spend_alerts,
            accounts=self.ad_accounts,
            app_id=self.settings.meta_app_id,
        )

    @cached_property
    def paid_links(self) -> PaidCampaignLinks:
        return PaidCampaignLinks(
            store=self.store,
            warehouse=self.warehouse,
            accounts=self.ad_accounts,
            campaigns=self.campaigns,
            creators=self.creators,
        )

    @cached_property
    def kpi_tables(self) -> KpiTables:
        return KpiTables(
            warehouse=self.warehouse,
            accounts=AccountReporting(self.ad_accounts),
            range_reach=self.range_requests,
        )

    @cached_property
    def range_requests(self) -> RangeRequests:
        from shared.adapters.meta_insights import meta_range_row

        return RangeRequests(
            store=self.store,
            accounts=self.ad_accounts,
            ads=self.ads,
            range_reach=RangeReach(warehouse=self.warehouse, convert=meta_range_row),
            tasks=self.tasks,
        )

    @cached_property
    def paid_planning(self) -> PaidPlanning:
        return PaidPlanning(warehouse=self.warehouse, campaigns=self.campaigns)

    @cached_property
    def creator_paid_campaigns(self) -> CreatorPaidCampaignsService:
        return CreatorPaidCampaignsService(
            store=self.store,
            warehouse=self.warehouse,
            creators=self.creators,
            settings=self.settings_service,
        )

    @cached_property
    def settings_service(self) -> SettingsService:
        return SettingsService(self.store)

    @cached_property
    def post_matching(self) -> PostMatching:
        return PostMatching(
            store=self.store,
            warehouse=self.warehouse,
            bus=self.bus,
            outbox=self.outbox,
            campaigns=self.campaigns,
            allocations=self.allocations,
        )

    @cached_property
    def post_history(self) -> PostHistoryService:
        return PostHistoryService(
            store=self.store, warehouse=self.warehouse, allocations=self.allocations
        )

    @cached_property
    def metrics(self) -> MetricsService:
        return MetricsService(
            store=self.store,
            warehouse=self.warehouse,
            campaigns=self.campaigns,
            allocations=self.allocations,
            creators=self.creators,
            posts=self.post_matching,
            settings=self.settings_service,
        )

    @cached_property
    def orgs(self) -> OrgService:
        return OrgService(self.store, self.tombstones)

    @cached_property
    def org_purge(self) -> OrgPurge:
        erasure = AdAccountErasure(self.store, lambda: self.token_vault)
        return OrgPurge(
            store=self.store,
            warehouse=self.warehouse,
            erase_tokens=erasure.erase_tokens,
            erase_oauth_states=erasure.erase_oauth_states,
            grace=purge_grace(self.topology),
        )

    @cached_property
    def brands(self) -> BrandService:
        return BrandService(self.store, self.settings.max_page_size)

    @cached_property
    def allocations(self) -> AllocationService:
        return AllocationService(self.store, self.campaigns, self.outbox)

    @cached_property
    def creators(self) -> CreatorService:
        return CreatorService(self.store, self.settings.max_page_size)

    @cached_property
    def campaigns(self) -> CampaignService:
        return CampaignService(self.store, self.outbox, self.brands, self.settings.max_page_size)

    @cached_property
    def outbox(self) -> Outbox:
        """Every write's events go out through it; the relay looks in each named collection."""
        return Outbox(self.store, self.bus, OUTBOX_COLLECTIONS)

    @cached_property
    def quotas(self) -> SharedMinuteQuotas:
        """Per-key quotas every instance of every API function shares (in Firestore)."""
        return SharedMinuteQuotas(self.store, quota_limits())

    def authenticate(self, authorization: str | None) -> Principal:
        return authenticate(self.store, authorization)
