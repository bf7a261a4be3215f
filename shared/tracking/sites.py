"""Sites: where events come from. Each has a publishable site key (safe in a browser: it can
only write events for its own site), the origins allowed to send them (the CORS allow-list), a
brand of the organization, and whether visitors must consent before anything is sent.

The key is shown once, at creation; Firestore keeps only its SHA-256 as the id of an index
document (`site_keys/{sha256}`) that names the site, so a lookup is one read and a leaked
database holds no usable key. The key is random (192 bits), so a fast hash is enough.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, Field

from shared.auth import SITE_KEYS, Permission, Principal
from shared.brands.service import BrandService
from shared.errors import NotFound, ValidationFailed
from shared.model_base import ApiModel, Name, PageLimit, QueryModel, not_null, to_document
from shared.orgs.deletion import Tombstones
from shared.pagination import Page, fetch_page
from shared.ports import DocumentStore

SITE_KEY_PREFIX = "rs_pub_"
MAX_ORIGINS = 50
KEY_CACHE_SECONDS = 30.0
"""How long an instance trusts a site it looked up by key: the intake then needs no Firestore
read per request, and a change of origins or consent reaches every instance within this."""
KEY_CACHE_SIZE = 10_000
BrandId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


def _exact_origin(value: str) -> str:
    """A browser's Origin header exactly: scheme://host[:port], nothing else, lower case."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be http(s)://host[:port]")
    if parts.path or parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError("must be only scheme://host[:port] (no path, query or credentials)")
    port = parts.port  # raises ValueError for a port out of range
    if value != value.lower() or (port is not None and f":{port}" not in parts.netloc):
        raise ValueError("must be lower case, as browsers send it")
    return value


Origin = Annotated[str, Field(max_length=300), AfterValidator(_exact_origin)]


def sites_collection(org_id: str) -> str:
    return f"orgs/{org_id}/sites"


def site_key_hash(site_key: str) -> str:
    return hashlib.sha256(site_key.encode("utf-8", "surrogateescape")).hexdigest()


class SiteCreate(ApiModel):
    name: Name
    brand_id: BrandId
    allowed_origins: list[Origin] = Field(min_length=1, max_length=MAX_ORIGINS)
    consent_required: bool = False


class SiteUpdate(ApiModel):
    """Fields sent replace the stored ones; the brand and the key stay."""

    name: Name | None = None
    allowed_origins: list[Origin] | None = Field(default=None, min_length=1, max_length=MAX_ORIGINS)
    consent_required: bool | None = None

    _required = not_null("name", "allowed_origins", "consent_required")


class Site(BaseModel):
    site_id: str
    name: str
    brand_id: str
    allowed_origins: list[str]
    consent_required: bool
    site_key_hint: str = Field(description="the key's last 4 characters, to tell keys apart")
    created_at: datetime
    created_by: str


class IssuedSite(Site):
    site_key: str = Field(description="the publishable key; shown only in this reply")


class SiteListQuery(QueryModel):
    limit: PageLimit | None = None
    cursor: str | None = None


class SiteService:
    def __init__(
        self,
        store: DocumentStore,
        brands: BrandService,
        tombstones: Tombstones,
        max_page_size: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._brands = brands
        self._tombstones = tombstones
        self._max_page_size = max_page_size
        self._clock = clock
        self._known: dict[str, tuple[float, str, Site]] = {}
        self._known_lock = threading.Lock()

    def create(self, principal: Principal, request: SiteCreate) -> IssuedSite:
        principal.require(Permission.MANAGE_SETTINGS)
        try:
            self._brands.get(principal, request.brand_id)
        except NotFound as exc:
            raise ValidationFailed(
                f"brand {request.brand_id} does not exist in this organization", field="brand_id"
            ) from exc
        site_key = SITE_KEY_PREFIX + secrets.token_urlsafe(24)
        site = Site(
            site_id=secrets.token_hex(8),
            name=request.name,
            brand_id=request.brand_id,
            allowed_origins=sorted(set(request.allowed_origins)),
            consent_required=request.consent_required,
            site_key_hint=site_key[-4:],
            created_at=datetime.now(UTC),
            created_by=principal.key_id,
        )
        index = {"org_id": principal.org_id, "site_id": site.site_id}
        self._store.write_atomically(
            {
                self._path(principal.org_id, site.site_id): to_document(site),
                f"{SITE_KEYS}/{site_key_hash(site_key)}": index,
            }
        )
        return IssuedSite(**site.model_dump(), site_key=site_key)

    def get(self, principal: Principal, site_id: str) -> Site:
        principal.require(Permission.READ)
        return self._load(principal.org_id, site_id)

    def list(self, principal: Principal, query: SiteListQuery) -> Page[Site]:
        principal.require(Permission.READ)
        limit = min(query.limit or self._max_page_size, self._max_page_size)
        documents, next_cursor = fetch_page(
            self._store,
            sites_collection(principal.org_id),
            order_by=[("created_at", "desc"), ("site_id", "desc")],
            cursor=query.cursor,
            limit=limit,
        )
        return Page[Site](
            items=[Site.model_validate(d.data) for d in documents], next_cursor=next_cursor
        )

    def update(self, principal: Principal, site_id: str, patch: SiteUpdate) -> Site:
        principal.require(Permission.MANAGE_SETTINGS)
        path = self._path(principal.org_id, site_id)

        def change(current: dict[str, object] | None) -> dict[str, object]:
            if current is None:
                raise NotFound(f"site {site_id} not found", field="path.site_id")
            changes = patch.model_dump(exclude_unset=True)
            if "allowed_origins" in changes:
                changes["allowed_origins"] = sorted(set(changes["allowed_origins"]))
            return {**current, **changes}

        updated = Site.model_validate(self._store.update_atomically(path, change))
        with self._known_lock:
            self._known = {k: v for k, v in self._known.items() if v[2].site_id != site_id}
        return updated

    def by_key(self, site_key: str) -> tuple[str, Site] | None:
        """(org_id, site) for a publishable key; None for an unknown key, a deleted site or an
        organization being deleted, which the caller answers alike (a plain 401)."""
        if not site_key.startswith(SITE_KEY_PREFIX) or len(site_key) > 100:
            return None
        digest = site_key_hash(site_key)
        with self._known_lock:
            known = self._known.get(digest)
        if known is None or known[0] <= self._clock():
            found = self._read_by_key(digest)
            if found is None:
                return None
            known = (self._clock() + KEY_CACHE_SECONDS, *found)
            with self._known_lock:
                if len(self._known) >= KEY_CACHE_SIZE:
                    self._known.clear()
                self._known[digest] = known
        _, org_id, site = known
        return None if self._tombstones.is_deleted(org_id) else (org_id, site)

    def _read_by_key(self, digest: str) -> tuple[str, Site] | None:
        index = self._store.get(f"{SITE_KEYS}/{digest}")
        if index is None:
            return None
        org_id, site_id = str(index["org_id"]), str(index["site_id"])
        data = self._store.get(self._path(org_id, site_id))
        return None if data is None else (org_id, Site.model_validate(data))

    def _load(self, org_id: str, site_id: str) -> Site:
        data = self._store.get(self._path(org_id, site_id))
        if data is None:
            raise NotFound(f"site {site_id} not found", field="path.site_id")
        return Site.model_validate(data)

    def _path(self, org_id: str, site_id: str) -> str:
        return f"{sites_collection(org_id)}/{site_id}"
