"""The OpenAPI document's component schemas, generated from the pydantic models.

The models are the truth; `scripts/openapi.py` writes these into shared/http/openapi.yaml and
a test fails when the document and the models disagree.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field
from pydantic.json_schema import models_json_schema

from shared.adaccounts.alerts import Alert
from shared.adaccounts.breakdowns import BreakdownTable
from shared.adaccounts.links import PaidCampaignSettings
from shared.adaccounts.models import (
    AdAccount,
    AdAccountList,
    AdAccountUpdate,
    ConnectRequest,
    ConnectStart,
)
from shared.adaccounts.tokens import SystemUserConnect
from shared.allocations.models import Allocation, AllocationList
from shared.attribution.models import (
    Attribution,
    AttributionComparison,
    ManualResolution,
    SessionResolution,
)
from shared.brands.models import Brand, BrandCreate
from shared.campaigns.models import ActivityEntry, Campaign, CampaignCreate, CampaignUpdate
from shared.conversions.meta_leads import LeadgenNotification, LeadgenReceipt
from shared.conversions.models import (
    Conversion,
    ConversionCreate,
    ConversionDetail,
    ConversionStats,
)
from shared.creators.models import CreatorCreate, CreatorUpdate, CreatorView
from shared.dashboard.models import FunnelReply, OverviewReply, RoiReply, TrendsReply
from shared.experiments.models import (
    Assignment,
    AssignRequest,
    Experiment,
    ExperimentCreate,
    ExperimentUpdate,
    PowerReply,
)
from shared.experiments.result_models import ExperimentResults
from shared.feedback.models import (
    Feedback,
    FeedbackCreate,
    Form,
    FormCreate,
    FormResponse,
    ResponseCreate,
)
from shared.forecasting.models import AccuracyReply, ForecastGenerate, StoredForecast
from shared.goals.models import ConversionGoal, ConversionGoalDetail, GoalCreate, GoalUpdate
from shared.metrics.community import CreatorDetail
from shared.metrics.models import AllocationMetrics, CampaignMetrics
from shared.orgs.deletion import OrgDeletion
from shared.orgs.models import ApiKeyCreate, ApiKeyView, IssuedApiKey, Organization
from shared.orgs.settings import OrgSettings
from shared.pagination import Page
from shared.paid.budget.reply import BudgetRecommendation
from shared.paid.creator_campaigns import CreatorPaidCampaigns
from shared.paid.kpi_table import KpiTable
from shared.people.models import (
    Journey,
    JourneyDropoff,
    JourneyPaths,
    LinkedPerson,
    LinkPersonInteractions,
    Person,
    PersonCreate,
    PersonUpdate,
)
from shared.posts.history import PostHistory
from shared.posts.models import CampaignPostList, PostDecision, PostMatch
from shared.scores.customer_models import CustomerProfile, Interaction
from shared.scores.models import (
    CustomerScore,
    EngagementSettings,
    Leaderboard,
    PersonScores,
    ScoreRun,
)
from shared.scores.nps_models import NpsReport
from shared.scraping.models import ScrapeJob, ScrapeJobList
from shared.segments.models import (
    Calculation,
    Segment,
    SegmentCreate,
    SegmentMember,
    SegmentUpdate,
)
from shared.sentiment.models import (
    AnalyzeRequest,
    BulkAccepted,
    BulkAnalyzeRequest,
    SentimentRecord,
    SentimentStats,
    SentimentTrends,
)
from shared.tracking.events import TrackEvent
from shared.tracking.intake import TrackBatch, TrackReceipt
from shared.tracking.sites import IssuedSite, Site, SiteCreate, SiteUpdate

REF_TEMPLATE = "#/components/schemas/{model}"


class ErrorDetail(BaseModel):
    """Every 4xx and 5xx reply of the API has this body (shared/errors.py renders it)."""

    code: str = Field(
        description="machine-readable: bad_request, invalid_json, unauthenticated, forbidden, "
        "not_found, method_not_allowed, conflict, invalid_transition, payload_too_large, "
        "unsupported_media_type, validation_failed, not_ready, unavailable, ..."
    )
    message: str = Field(description="for people; names the field and the problem")
    field: str | None = Field(
        description="the input at fault: a dotted body path (`tracking_config.min_match_"
        "confidence`), `query.<name>`, `path.<name>`, `header.<name>`, `body`; null when none is"
    )
    details: list[dict[str, Any]] | None = Field(
        default=None, description="every problem found, each with its `field` and `message`"
    )


class ErrorBody(BaseModel):
    error: ErrorDetail


class ApiKeyList(BaseModel):
    items: list[ApiKeyView]


REQUEST_MODELS: list[type[BaseModel]] = [
    LinkPersonInteractions,
    PersonCreate,
    PersonUpdate,
    ApiKeyCreate,
    BrandCreate,
    CampaignCreate,
    CampaignUpdate,
    CreatorCreate,
    CreatorUpdate,
    PostDecision,
    OrgSettings,
    ConnectRequest,
    SystemUserConnect,
    AdAccountUpdate,
    PaidCampaignSettings,
    SiteCreate,
    SiteUpdate,
    TrackBatch,
    TrackEvent,
    ConversionCreate,
    LeadgenNotification,
    GoalCreate,
    GoalUpdate,
    ExperimentCreate,
    ExperimentUpdate,
    AssignRequest,
    ForecastGenerate,
    ManualResolution,
    FeedbackCreate,
    FormCreate,
    ResponseCreate,
    AnalyzeRequest,
    BulkAnalyzeRequest,
    EngagementSettings,
    SegmentCreate,
    SegmentUpdate,
]
RESPONSE_MODELS: list[type[BaseModel]] = [
    ErrorBody,
    Attribution,
    AttributionComparison,
    SessionResolution,
    BreakdownTable,
    Organization,
    OrgDeletion,
    IssuedApiKey,
    ApiKeyList,
    Brand,
    Page[Brand],
    Campaign,
    Page[Campaign],
    Page[ActivityEntry],
    CreatorView,
    CreatorDetail,
    Page[CreatorView],
    Allocation,
    AllocationList,
    PostHistory,
    AllocationMetrics,
    CampaignMetrics,
    CampaignPostList,
    PostMatch,
    ScrapeJob,
    ScrapeJobList,
    ConnectStart,
    AdAccount,
    AdAccountList,
    Page[Alert],
    CreatorPaidCampaigns,
    KpiTable,
    BudgetRecommendation,
    Site,
    IssuedSite,
    Page[Site],
    TrackReceipt,
    Conversion,
    Page[Conversion],
    ConversionDetail,
    ConversionStats,
    LeadgenReceipt,
    OverviewReply,
    RoiReply,
    TrendsReply,
    FunnelReply,
    ConversionGoal,
    Page[ConversionGoal],
    ConversionGoalDetail,
    Experiment,
    Page[Experiment],
    PowerReply,
    ExperimentResults,
    Assignment,
    StoredForecast,
    Page[StoredForecast],
    AccuracyReply,
    Feedback,
    Page[Feedback],
    Form,
    Page[Form],
    FormResponse,
    Page[FormResponse],
    Page[CustomerScore],
    PersonScores,
    ScoreRun,
    Leaderboard,
    NpsReport,
    CustomerProfile,
    Page[Interaction],
    Person,
    LinkedPerson,
    Journey,
    JourneyPaths,
    JourneyDropoff,
    Segment,
    Page[Segment],
    Page[SegmentMember],
    Calculation,
    SentimentRecord,
    Page[SentimentRecord],
    SentimentStats,
    SentimentTrends,
    BulkAccepted,
]


def component_schemas() -> dict[str, Any]:
    models: list[tuple[type[BaseModel], Literal["validation", "serialization"]]] = [
        (model, "validation") for model in REQUEST_MODELS
    ] + [(model, "serialization") for model in RESPONSE_MODELS]
    _, schema = models_json_schema(models, ref_template=REF_TEMPLATE)
    definitions: dict[str, Any] = schema["$defs"]
    return dict(sorted(definitions.items()))
