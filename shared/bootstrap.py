"""The composition root: builds each outside-system client once per instance, lazily, from
settings, and hands domain services their ports."""

from __future__ import annotations

from functools import cache, cached_property

from shared.attribution.job import AttributionJob
from shared.attribution.service import AttributionService
from shared.bootstrap_core import CoreServices
from shared.config import get_settings
from shared.conversions.leads import LeadFetch, LeadWebhook
from shared.conversions.service import ConversionService
from shared.conversions.stats import ConversionStatsService
from shared.dashboard.service import DashboardService
from shared.experiments.assignment import AssignmentService
from shared.experiments.results import ExperimentResultsService
from shared.experiments.service import ExperimentService
from shared.feedback.forms import FormService
from shared.feedback.service import FeedbackService, RecordIntake
from shared.forecasting.service import ForecastService
from shared.goals.service import GoalService
from shared.orgs.guard import (
    TombstoneGuardedAppender,
)
from shared.ports import (
    RowAppender,
)
from shared.reports.tables import CampaignReports
from shared.topology import load_topology
from shared.tracking.intake import TABLE as TRACK_EVENTS
from shared.tracking.intake import TrackIntake
from shared.tracking.limits import IntakeLimits
from shared.tracking.sites import SiteService


class Services(CoreServices):
    """Every service: the core's, plus ad planning (sites, tracking, conversions, goals,
    attribution, forecasts, the dashboard and reports)."""

    @cached_property
    def dashboard(self) -> DashboardService:
        return DashboardService(self.warehouse, self.campaigns, self.sites)

    @cached_property
    def campaign_reports(self) -> CampaignReports:
        return CampaignReports(self.warehouse, self.campaigns, self.dashboard)

    @cached_property
    def forecasts(self) -> ForecastService:
        return ForecastService(
            self.store,
            self.warehouse,
            campaigns=self.campaigns,
            paid_planning=self.paid_planning,
            max_page_size=self.settings.max_page_size,
        )

    @cached_property
    def sites(self) -> SiteService:
        return SiteService(self.store, self.brands, self.tombstones, self.settings.max_page_size)

    @cached_property
    def goals(self) -> GoalService:
        return GoalService(self.store, self.warehouse, self.sites, self.settings.max_page_size)

    @cached_property
    def record_intake(self) -> RecordIntake:
        """Feedback and form responses: written once, mirrored, published (the outbox)."""
        return RecordIntake(self.store, self.warehouse, self.outbox, self.people)

    @cached_property
    def feedback(self) -> FeedbackService:
        return FeedbackService(self.record_intake, self.settings.max_page_size)

    @cached_property
    def forms(self) -> FormService:
        return FormService(self.record_intake, self.settings.max_page_size)

    @cached_property
    def experiments(self) -> ExperimentService:
        return ExperimentService(self.store, self.sites, self.settings.max_page_size)

    @cached_property
    def experiment_results(self) -> ExperimentResultsService:
        return ExperimentResultsService(self.store, self.warehouse, self.experiments)

    @cached_property
    def experiment_assignment(self) -> AssignmentService:
        return AssignmentService(self.store, self.experiments.load)

    @cached_property
    def track_intake(self) -> TrackIntake:
        """Its rate-limit windows live as long as the instance (one per process)."""
        return TrackIntake(
            self.store,
            self.warehouse,
            self.sites,
            IntakeLimits(),
            appender=self.track_events_appender,
        )

    @cached_property
    def track_events_appender(self) -> RowAppender | None:
        """Production appends tracking events through the BigQuery Storage Write API (one
        COMMITTED stream per instance); locally they are MERGEd into DuckDB (None)."""
        if self.settings.warehouse != "bigquery":
            return None
        from google.cloud.bigquery_storage_v1 import BigQueryWriteClient

        from shared.adapters.bigquery_write import StorageWriteAppender

        with self._lock:
            client = BigQueryWriteClient()  # type: ignore[no-untyped-call]
            appender = StorageWriteAppender(
                client, self.settings.project_id, TRACK_EVENTS, self.settings.sql_dir
            )
            return TombstoneGuardedAppender(appender, self.tombstones)

    @cached_property
    def conversions(self) -> ConversionService:
        return ConversionService(
            warehouse=self.warehouse,
            intake=self.track_intake,
            sites=self.sites,
            campaigns=self.campaigns,
            default_page_size=self.settings.default_page_size,
            max_page_size=self.settings.max_page_size,
            journey=self.attribution.journey,
        )

    @cached_property
    def conversion_stats(self) -> ConversionStatsService:
        return ConversionStatsService(self.warehouse)

    @cached_property
    def lead_webhook(self) -> LeadWebhook:
        settings = self.settings
        return LeadWebhook(self.tasks, settings.meta_app_secret, settings.meta_webhook_verify_token)

    @cached_property
    def lead_fetch(self) -> LeadFetch:
        return LeadFetch(
            warehouse=self.warehouse,
            accounts=self.ad_accounts,
            ads=self.ads,
            intake=self.track_intake,
        )

    @cached_property
    def attribution_job(self) -> AttributionJob:
        return AttributionJob(self.store, self.warehouse)

    @cached_property
    def attribution(self) -> AttributionService:
        return AttributionService(
            self.warehouse, self.attribution_job, self.campaigns, self.allocations
        )


@cache
def services() -> Services:
    return Services(get_settings(), load_topology())
