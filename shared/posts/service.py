"""Deciding which posts are campaign content and whether they are disclosed, and letting
people overrule the first.

Detection runs on every ingest, and again over a campaign's creators' stored posts when what
decides membership changes: the campaign's tracking rules, dates or time zone, or a newly
accepted allocation (whose earlier posts were ingested before anyone checked them against this
campaign). A person's confirm or reject always wins and is never undone by a later detection
(which still refreshes the confidence, reasons and disclosure shown beside it).
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from shared.allocations.models import Allocation, AllocationStatus
from shared.allocations.service import ALLOCATION_ACCEPTED, METRICS_STALE, AllocationService
from shared.auth import Permission, Principal
from shared.campaigns.models import Campaign, CampaignStatus
from shared.campaigns.service import CAMPAIGN_UPDATED, CampaignService, campaigns_collection
from shared.detection.detector import detect
from shared.detection.models import CampaignRule, PostText
from shared.detection.text import creator_key
from shared.errors import NotFound
from shared.events import SYSTEM_ACTOR, Actor, DomainEvent
from shared.outbox import OUTBOX, OUTBOX_PENDING, Outbox, with_events
from shared.ports import DocumentStore, EventBus, FilterOp, Warehouse
from shared.posts.models import CampaignPost, Decision, PostMatch
from shared.scraping.ingest import POSTS_INGESTED, posts_collection

logger = logging.getLogger(__name__)

WATCHED_STATES = [
    CampaignStatus.ACTIVE.value,
    CampaignStatus.PAUSED.value,
    CampaignStatus.COMPLETED.value,
]
# Campaign fields whose change can change which posts are campaign content.
DETECTION_FIELDS = frozenset({"tracking_config", "start_date", "end_date", "timezone"})


def matches_collection(org_id: str) -> str:
    return f"orgs/{org_id}/post_matches"


def _match_path(org_id: str, campaign_id: str, post_key: str) -> str:
    return f"{matches_collection(org_id)}/{campaign_id}__{post_key}"


def campaign_rule(campaign: Campaign, accepted: Iterable[Allocation]) -> CampaignRule:
    tracking = campaign.tracking_config
    return CampaignRule(
        campaign_id=campaign.campaign_id,
        required_hashtags=tuple(tracking.required_hashtags),
        optional_hashtags=tuple(tracking.optional_hashtags),
        required_mentions=tuple(tracking.required_mentions),
        tracking_link_pattern=tracking.tracking_link_pattern,
        min_match_confidence=tracking.min_match_confidence,
        start_date=campaign.start_date,
        end_date=campaign.end_date,
        timezone=campaign.timezone,
        creator_keys=frozenset((a.platform.value, a.username) for a in accepted),
    )


def post_text(post: dict[str, Any]) -> PostText:
    return PostText(
        post_key=post["post_key"],
        platform=post["platform"],
        username=post["username"],
        caption=post.get("caption"),
        hashtags=post.get("hashtags"),
        mentions=post.get("mentions"),
        is_paid_partnership=post.get("is_paid_partnership"),
        posted_at=post.get("posted_at"),
    )


class PostMatching:
    def __init__(
        self,
        *,
        store: DocumentStore,
        warehouse: Warehouse,
        bus: EventBus,
        outbox: Outbox,
        campaigns: CampaignService,
        allocations: AllocationService,
    ) -> None:
        self._store = store
        self._warehouse = warehouse
        self._bus = bus
        self._outbox = outbox
        self._campaigns = campaigns
        self._allocations = allocations

    def on_event(self, event: DomainEvent) -> None:
        """The detection handler: every event it subscribes to, by type. Each run recomputes
        from the current state and keys its follow-up event on the trigger's id, so a
        redelivered message leaves the same matches and publishes the same event again."""
        if event.type == POSTS_INGESTED:
            self.on_posts_ingested(event)
        elif event.type == CAMPAIGN_UPDATED:
            if DETECTION_FIELDS & set(event.data.get("changed") or ()):
                self.redetect(event)
        elif event.type == ALLOCATION_ACCEPTED:
            self.redetect(event, allocation_id=str(event.data["allocation_id"]))
        else:
            logger.warning("event %s: detection does not handle %s", event.event_id, event.type)

    def on_posts_ingested(self, event: DomainEvent) -> None:
        org_id = event.org_id
        paths = [f"{posts_collection(org_id)}/{key}" for key in event.data["post_keys"]]
        posts = list(self._store.get_many(paths).values())
        authors = {(p["platform"], p["username"]) for p in posts}
        rules, accepted = self._rules_for(org_id, authors)
        if not posts or not rules:
            return
        matches = self._matches(org_id, posts, rules, accepted)
        self.save_detected(org_id, matches)
        self._metrics_stale(event, sorted({m.campaign_id for m in matches}), "detected")

    def redetect(self, event: DomainEvent, allocation_id: str | None = None) -> None:
        """Check a campaign's accepted creators' stored posts (or one allocation's) against
        it again: those inside its window, and those already matched to it (a narrowed window
        or a changed rule may now exclude them)."""
        org_id, campaign_id = event.org_id, event.subject_id
        campaign = self._campaigns.load(org_id, campaign_id)
        if campaign.status.value not in WATCHED_STATES:
            return
        book = self._allocations.book(org_id, campaign_id)
        accepted = [a for a in book.allocations if a.status is AllocationStatus.ACCEPTED]
        targets = [a for a in accepted if allocation_id in (None, a.allocation_id)]
        if not targets:
            return
        rule = campaign_rule(campaign, accepted)
        posts = self._posts_to_recheck(org_id, rule, targets)
        by_key = {(campaign_id, a.platform.value, a.username): a for a in targets}
        matches = self._matches(org_id, posts, [rule], by_key)
        self.save_detected(org_id, matches)
        self._metrics_stale(event, [campaign_id], "redetected")

    def _posts_to_recheck(
        self, org_id: str, rule: CampaignRule, targets: Sequence[Allocation]
    ) -> list[dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for allocation in targets:
            where: list[tuple[str, FilterOp, Any]] = [
                ("creator_id", "==", allocation.creator_id),
                ("platform", "==", allocation.platform.value),
            ]
            for document in self._store.query(posts_collection(org_id), where=where):
                if rule.posted_inside(document.data.get("posted_at")) is not False:
                    found[document.data["post_key"]] = document.data
        matched = self._store.query(
            matches_collection(org_id), where=[("campaign_id", "==", rule.campaign_id)]
        )
        allocation_ids = {a.allocation_id for a in targets}
        missing = [
            f"{posts_collection(org_id)}/{m.data['post_key']}"
            for m in matched
            if m.data.get("allocation_id") in allocation_ids and m.data["post_key"] not in found
        ]
        found.update({post["post_key"]: post for post in self._store.get_many(missing).values()})
        return list(found.values())

    def _matches(
        self,
        org_id: str,
        posts: Sequence[dict[str, Any]],
        rules: Sequence[CampaignRule],
        accepted: Mapping[tuple[str, str, str], Allocation],
    ) -> list[PostMatch]:
        """Detection's rows for these posts, as detection alone decides them
        (`save_detected` carries over what people decided, inside each write's transaction)."""
        if not posts or not rules:
            return []
        frame = detect([post_text(p) for p in posts], rules)
        by_key = {p["post_key"]: p for p in posts}
        # detection matched authors folded (case, accents, a leading @); so does this lookup
        allocations = {(c, *creator_key(p, u)): a for (c, p, u), a in accepted.items()}
        now = datetime.now(UTC)
        matches = []
        for row in frame.to_dict("records"):
            post = by_key[str(row["post_key"])]
            author = creator_key(post["platform"], post["username"])
            allocation = allocations[(str(row["campaign_id"]), *author)]
            matches.append(_detected_match(post, allocation, row, now))
        return matches

    def _metrics_stale(self, cause: DomainEvent, campaign_ids: list[str], suffix: str) -> None:
        """Published straight to the bus, not through an outbox: this runs inside a Pub/Sub
        handler whose message is only acked after it returns, so a failed publish fails the
        handler and the redelivery publishes again, under the same content-derived event id
        (the cause's id and the suffix); a rollup run twice stores the same figures."""
        self._bus.publish(
            DomainEvent(
                event_id=f"{cause.event_id}:{suffix}",
                type=METRICS_STALE,
                org_id=cause.org_id,
                subject_id=cause.subject_id,
                actor=SYSTEM_ACTOR,
                data={"campaign_ids": campaign_ids},
            )
        )

    def decide(
        self, principal: Principal, post_key: str, campaign_id: str, confirm: bool
    ) -> PostMatch:
        """A person's confirm or reject, in one transaction with its event (in the match's
        outbox), so a detection racing it cannot overwrite it and a publish failure cannot
        lose the event. Repeating the same decision changes nothing and answers the same."""
        principal.require(Permission.WRITE_CAMPAIGNS)
        path = _match_path(principal.org_id, campaign_id, post_key)
        wanted = Decision.CONFIRMED if confirm else Decision.REJECTED
        actor = Actor(id=principal.key_id, role=principal.role.value)

        def change(data: dict[str, Any] | None) -> dict[str, Any]:
            if data is None:
                raise NotFound(
                    f"post {post_key} has not been checked against campaign {campaign_id}",
                    field="post_id",
                )
            match = PostMatch.model_validate(data)
            if match.decision is wanted:
                return data
            match.decision = wanted
            match.is_campaign_content = confirm
            match.decided_by = principal.key_id
            match.updated_at = datetime.now(UTC)
            event = DomainEvent(
                event_id=f"{campaign_id}__{post_key}:{wanted.value}:{match.updated_at.isoformat()}",
                type=METRICS_STALE,
                org_id=principal.org_id,
                subject_id=post_key,
                actor=actor,
                data={"campaign_ids": [campaign_id], "decision": wanted},
            )
            return {**match.model_dump(mode="json"), **with_events(data, [event])}

        decided = PostMatch.model_validate(self._store.update_atomically(path, change))
        self._outbox.flush(path)
        self._merge_rows(principal.org_id, [decided])
        return decided

    def campaign_posts(
        self, principal: Principal, campaign_id: str, allocation_id: str | None = None
    ) -> list[CampaignPost]:
        self._campaigns.get(principal, campaign_id)
        where: list[Any] = [("campaign_id", "==", campaign_id)]
        if allocation_id:
            where.append(("allocation_id", "==", allocation_id))
        matches = [
            PostMatch.model_validate(d.data)
            for d in self._store.query(matches_collection(principal.org_id), where=where)
        ]
        paths = [f"{posts_collection(principal.org_id)}/{m.post_key}" for m in matches]
        posts = self._store.get_many(paths)
        found = []
        for match in matches:
            post = posts.get(f"{posts_collection(principal.org_id)}/{match.post_key}")
            if post is not None:
                found.append(CampaignPost(**{**post, "match": match}))
        return sorted(found, key=lambda p: (p.posted_at is None, p.posted_at), reverse=True)

    def _rules_for(
        self, org_id: str, authors: set[tuple[str, str]]
    ) -> tuple[list[CampaignRule], dict[tuple[str, str, str], Allocation]]:
        rules = []
        accepted_by_key: dict[tuple[str, str, str], Allocation] = {}
        watched = self._store.query(
            campaigns_collection(org_id), where=[("status", "in", WATCHED_STATES)]
        )
        for document in watched:
            campaign = Campaign.model_validate(document.data)
            book = self._allocations.book(org_id, campaign.campaign_id)
            accepted = [a for a in book.allocations if a.status is AllocationStatus.ACCEPTED]
            keys = {(a.platform.value, a.username) for a in accepted}
            if keys & authors:
                rules.append(campaign_rule(campaign, accepted))
                for allocation in accepted:
                    accepted_by_key[
                        (campaign.campaign_id, allocation.platform.value, allocation.username)
                    ] = allocation
        return rules, accepted_by_key

    def save_detected(self, org_id: str, matches: list[PostMatch]) -> None:
        """Write detection's matches, each in a transaction that keeps the decision a person
        made meanwhile (and the match's outbox): a re-detection never undoes a confirm."""
        saved = []
        for match in matches:

            def keep_decision(
                current: dict[str, Any] | None, match: PostMatch = match
            ) -> dict[str, Any]:
                kept = _with_decision_of(match, current)
                stored = current or {}
                outbox = {k: stored[k] for k in (OUTBOX, OUTBOX_PENDING) if k in stored}
                return {**kept.model_dump(mode="json"), **outbox}

            path = _match_path(org_id, match.campaign_id, match.post_key)
            saved.append(
                PostMatch.model_validate(self._store.update_atomically(path, keep_decision))
            )
        self._merge_rows(org_id, saved)

    def _merge_rows(self, org_id: str, matches: list[PostMatch]) -> None:
        if not matches:
            return
        rows = [
            {
                "org_id": org_id,
                "campaign_id": m.campaign_id,
                "allocation_id": m.allocation_id,
                "creator_id": m.creator_id,
                "platform": m.platform,
                "platform_post_id": m.platform_post_id,
                "confidence": m.confidence,
                "decision": m.decision.value,
                "is_campaign_content": m.is_campaign_content,
                "disclosed": m.disclosed,
                "disclosure_markers": m.disclosure_markers,
                "weak_disclosure_markers": m.weak_disclosure_markers,
                "updated_at": m.updated_at,
            }
            for m in matches
        ]
        keys = ["org_id", "campaign_id", "platform", "platform_post_id"]
        self._warehouse.merge_rows("post_matches", rows, keys, update_existing=True)


def _with_decision_of(match: PostMatch, current: Mapping[str, Any] | None) -> PostMatch:
    """Detection's match, carrying the stored decision (read inside the write's transaction)."""
    if not current or Decision(current["decision"]) is Decision.AUTO:
        return match
    decision = Decision(current["decision"])
    return match.model_copy(
        update={
            "decision": decision,
            "decided_by": current.get("decided_by"),
            "is_campaign_content": decision is Decision.CONFIRMED,
        }
    )


def _detected_match(
    post: dict[str, Any], allocation: Allocation, row: Mapping[Hashable, Any], now: datetime
) -> PostMatch:
    detected = bool(row["is_campaign_content"])
    return PostMatch(
        post_key=post["post_key"],
        campaign_id=str(row["campaign_id"]),
        allocation_id=allocation.allocation_id,
        creator_id=allocation.creator_id,
        platform=post["platform"],
        platform_post_id=post["platform_post_id"],
        confidence=float(row["confidence"]),
        reasons=list(row["reasons"]),
        detected_as_campaign_content=detected,
        decision=Decision.AUTO,
        is_campaign_content=detected,
        disclosed=bool(row["disclosed"]),
        disclosure_markers=list(row["disclosure_markers"]),
        weak_disclosure_markers=list(row["weak_disclosure_markers"]),
        updated_at=now,
    )
