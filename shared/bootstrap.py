"""The composition root: builds each outside-system client once per instance, lazily, from
settings, and hands domain services their ports."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import cache, cached_property
from typing import TYPE_CHECKING

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
from shared.feedback.forms import FormService, responses_collection
from shared.feedback.service import FeedbackService, RecordIntake, feedback_collection
from shared.forecasting.service import ForecastService
from shared.goals.service import GoalService
from shared.metrics.community import CommunityHealthService
from shared.orgs.guard import (
    TombstoneGuardedAppender,
)
from shared.people.erasure import PersonErasure
from shared.people.journeys import JourneyService
from shared.people.pii import PiiCipher, pii_keys
from shared.people.records import handle_claims_collection
from shared.people.service import PeopleService
from shared.ports import (
    RowAppender,
    SentimentBatches,
    SentimentEngine,
)
from shared.reports.tables import CampaignReports
from shared.scores.customers import CustomerService
from shared.scores.service import ScoreService
from shared.scraping.comments import CommentSentiment
from shared.segments.service import SegmentService
from shared.sentiment.batches import SentimentBatchJob
from shared.sentiment.cache import cache_collection as sentiment_cache_collection
from shared.sentiment.models import SentimentSource
from shared.sentiment.pause import EnginePause
from shared.sentiment.service import SentimentService
from shared.topology import load_topology
from shared.tracking.intake import TABLE as TRACK_EVENTS
from shared.tracking.intake import TrackIntake
from shared.tracking.limits import IntakeLimits
from shared.tracking.sites import SiteService

# Every per-organization collection whose documents carry a person_id or visitor_id: what a
# person's erasure sweeps in Firestore (shared/people/erasure.py).
PERSON_RECORD_COLLECTIONS = (feedback_collection, responses_collection, handle_claims_collection)

if TYPE_CHECKING:
    from shared.adapters.anthropic_sentiment import AnthropicSentiment


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
    def track_events_appender(self) -> RowAppender:
        """Tracking events are appended, never MERGEd, on both warehouses: production through
        the BigQuery Storage Write API (one COMMITTED stream per instance), locally through a
        log that is loaded into the local warehouse (duckdb_appender.py); readers count them
        through reachops.track_events_unique either way."""
        if self.settings.warehouse != "bigquery":
            from shared.adapters.duckdb_appender import DuckDbAppender
            from shared.adapters.duckdb_warehouse import DuckDbWarehouse

            local = self._warehouse
            if not isinstance(local, DuckDbWarehouse):
                raise TypeError(f"the local warehouse is DuckDB, not {type(local).__name__}")
            with self._lock:
                return TombstoneGuardedAppender(
                    DuckDbAppender.for_table(local, TRACK_EVENTS), self.tombstones
                )
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
            people=lambda: self.people,
        )

    @cached_property
    def attribution_job(self) -> AttributionJob:
        return AttributionJob(self.store, self.warehouse)

    @cached_property
    def attribution(self) -> AttributionService:
        return AttributionService(
            self.warehouse, self.attribution_job, self.campaigns, self.allocations
        )

    @cached_property
    def scores(self) -> ScoreService:
        settings = self.settings
        return ScoreService(
            self.store,
            self.warehouse,
            default_page_size=settings.default_page_size,
            max_page_size=settings.max_page_size,
        )

    @cached_property
    def customers(self) -> CustomerService:
        return CustomerService(
            self.warehouse,
            self.scores,
            lambda: self.people,
            default_page_size=self.settings.default_page_size,
            max_page_size=self.settings.max_page_size,
        )

    @cached_property
    def pii(self) -> PiiCipher:
        """Built on first use: only the functions that use `pii` are given its keys."""
        settings = self.settings
        local = settings.local_pii_key_file if settings.vault_backend == "local" else None
        return PiiCipher(pii_keys(settings.pii_encryption_key, settings.pii_hash_key, local))

    @cached_property
    def people(self) -> PeopleService:
        erasure = PersonErasure(
            self.store, self.warehouse, PERSON_RECORD_COLLECTIONS, (sentiment_cache_collection,)
        )
        return PeopleService(self.store, self.warehouse, lambda: self.pii, erasure)

    @cached_property
    def journeys(self) -> JourneyService:
        return JourneyService(self.warehouse, self.people)

    @cached_property
    def segments(self) -> SegmentService:
        return SegmentService(
            self.store,
            self.warehouse,
            default_page_size=self.settings.default_page_size,
            max_page_size=self.settings.max_page_size,
        )

    @cached_property
    def _anthropic_sentiment(self) -> AnthropicSentiment | None:
        """Built on first use, and only with an API key (only the functions that use
        `anthropic` are given one); the SDK retries 429, 5xx and 529 itself."""
        settings = self.settings
        if not settings.anthropic_api_key:
            return None
        import anthropic

        from shared.adapters.anthropic_sentiment import AnthropicSentiment

        with self._lock:
            client = anthropic.Anthropic(
                api_key=settings.anthropic_api_key,
                base_url=settings.anthropic_base_url,
                max_retries=settings.anthropic_max_retries,
            )
            return AnthropicSentiment(client, settings.anthropic_model)

    @cached_property
    def sentiment_engine(self) -> SentimentEngine:
        """Anthropic when an API key is set, else VADER offline (every result names which)."""
        if self._anthropic_sentiment is not None:
            return self._anthropic_sentiment
        from shared.adapters.vader_sentiment import VaderSentiment

        return VaderSentiment()

    @cached_property
    def sentiment_batches(self) -> SentimentBatches | None:
        """Anthropic's Message Batches API; None with VADER (it scores at once)."""
        return self._anthropic_sentiment

    @cached_property
    def sentiment(self) -> SentimentService:
        settings = self.settings
        return SentimentService(
            store=self.store,
            warehouse=self.warehouse,
            engine=self.sentiment_engine,
            pause=EnginePause(self.store, self.spend_alerts),
            default_page_size=settings.default_page_size,
            max_page_size=settings.max_page_size,
        )

    @cached_property
    def clock(self) -> Callable[[], datetime]:
        """The time a scheduled job's window is taken from; a test of reruns replaces it
        before the job is built."""
        return lambda: datetime.now(UTC)

    @cached_property
    def sentiment_batch_job(self) -> SentimentBatchJob:
        return SentimentBatchJob(
            store=self.store,
            warehouse=self.warehouse,
            sentiment=self.sentiment,
            batches=self.sentiment_batches,
            tasks=self.tasks,
            poll_seconds=self.settings.sentiment_poll_seconds,
            clock=self.clock,
        )

    @cached_property
    def comment_sentiment(self) -> CommentSentiment:
        """A run's comments are bulk work: with Anthropic they go through the Message Batches
        API at half the price (a batch run named from the comments, so a redelivered event
        queues nothing new); the offline engine costs nothing and scores them at once."""

        def score(org_id: str, comments: Sequence[tuple[str, str]]) -> None:
            if self.sentiment_batches is not None:
                ids = "\n".join(sorted(source_id for source_id, _ in comments))
                digest = hashlib.sha256(ids.encode()).hexdigest()[:24]
                self.sentiment_batch_job.queue(org_id, f"{org_id}-comments-{digest}")
                return
            sources = [SentimentSource("comment", source_id, text) for source_id, text in comments]
            self.sentiment.score_sources(org_id, sources)

        return CommentSentiment(self.warehouse, score)

    @cached_property
    def community_health(self) -> CommunityHealthService:
        return CommunityHealthService(self.warehouse)


@cache
def services() -> Services:
    return Services(get_settings(), load_topology())
