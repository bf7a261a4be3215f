"""The WSGI app: routes Graph calls (nodes, edges, insights, OAuth, debug_token) and the
control endpoints, records every call, and adds the usage headers to every Graph answer. The
server's clock is the given clock plus the offset POST /_control/clock sets."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from facebook_business.apiconfig import ads_api_config
from werkzeug.wrappers import Request, Response

from shared.localstack.graph.breakdowns import REACH_FIELDS, reach_withheld
from shared.localstack.graph.catalog import (
    EFFECTIVE_STATUSES,
    HIDDEN_STATUSES,
    SAMPLES,
    load_catalog,
    public,
)
from shared.localstack.graph.faults import FaultBox, Faults, GatewayError
from shared.localstack.graph.insights import cells, insight_rows
from shared.localstack.graph.leads import Leads
from shared.localstack.graph.oauth import DEFAULT_SCOPES, OAuth
from shared.localstack.graph.query import InsightsQuery, insights_query
from shared.localstack.graph.rendering import Timeline
from shared.localstack.graph.reports import ReportRuns
from shared.localstack.graph.usage import usage_headers
from shared.localstack.graph.wire import (
    Call,
    GraphError,
    json_or_raw,
    json_response,
    list_param,
    no_such_object,
    page,
    pick,
    request_params,
    subfields,
)

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

EDGE_KINDS = {"adaccounts": "account", "campaigns": "campaign", "adsets": "adset", "ads": "ad"}
# The Graph version the pinned facebook-business SDK targets: answered when a path has none.
DEFAULT_VERSION = str(ads_api_config["API_VERSION"])
LIVE_STATUSES = EFFECTIVE_STATUSES - HIDDEN_STATUSES
RENDERED_KEPT = 8  # synchronous queries whose rows are kept for their next pages
GATEWAY_PAGE = "<html><head><title>{0}</title></head><body><h1>{0}</h1>{1}</body></html>"


class LocalGraphApi:
    """The WSGI app. Thread-safe."""

    def __init__(
        self,
        *,
        app_id: str | None = None,
        app_secret: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        polls_to_complete: int = 3,
        samples: Path = SAMPLES,
    ) -> None:
        self._base_clock = clock
        self._offset = timedelta()
        self._catalog = load_catalog(samples)
        self._lock = threading.Lock()
        self._faults = FaultBox()
        self._oauth = OAuth(
            app_id=app_id, app_secret=app_secret, clock=self._clock, faults=self._faults
        )
        self._oauth.set_user(str(self._catalog.user["id"]))
        self._reports = ReportRuns(self._catalog, polls_to_complete)
        self._leads = Leads(self._clock)
        self._calls: list[dict[str, Any]] = []
        self._restatement = 0
        self._started = clock()
        self._rendered: dict[tuple[str, InsightsQuery, Timeline], list[dict[str, Any]]] = {}

    def _clock(self) -> datetime:
        with self._lock:
            offset = self._offset
        return self._base_clock() + offset

    # -- control, also callable in-process ---------------------------------------------------

    def set_faults(self, **changes: Any) -> Faults:
        return self._faults.merge(**changes)

    def mint_code(self, redirect_uri: str | None = None) -> str:
        return self._oauth.mint_code(redirect_uri)

    def move_clock(self, offset_hours: float) -> dict[str, Any]:
        """Run the server's clock `offset_hours` ahead of the given clock (0 puts it back):
        tokens age, and 'today' moves on for insights."""
        if isinstance(offset_hours, bool) or not isinstance(offset_hours, int | float):
            raise ValueError("offset_hours must be a number")
        with self._lock:
            self._offset = timedelta(hours=offset_hours)
        return self.clock_state()

    def clock_state(self) -> dict[str, Any]:
        with self._lock:
            hours = self._offset.total_seconds() / 3600
        return {"now": self._clock().isoformat(), "offset_hours": hours}

    def mint_system_user_token(self, scopes: tuple[str, ...] = DEFAULT_SCOPES) -> str:
        return self._oauth.mint_system_user_token(scopes)

    def restate(self) -> int:
        with self._lock:
            self._restatement += 1
            return self._restatement

    def calls(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(c) for c in self._calls]

    def reset(self) -> None:
        self._faults.clear()
        self._oauth.clear()
        self._reports.clear()
        with self._lock:
            self._calls.clear()
            self._rendered = {}
            self._restatement = 0
            self._offset = timedelta()
        now = self._clock()
        with self._lock:
            self._started = now

    # -- WSGI --------------------------------------------------------------------------------

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        if request.path.startswith("/_control/"):
            response = self._control(request)
        else:
            response = self._graph(request)
        return response(environ, start_response)

    def _control(self, request: Request) -> Response:
        def reset() -> dict[str, Any]:
            self.reset()
            return {"reset": True}

        body = request.get_json(silent=True) or {}
        routes: dict[tuple[str, str], Callable[[], dict[str, Any]]] = {
            ("POST", "faults"): lambda: {"faults": asdict(self.set_faults(**body))},
            ("GET", "faults"): lambda: {"faults": asdict(self._faults.current())},
            ("POST", "codes"): lambda: {"code": self.mint_code(body.get("redirect_uri"))},
            ("POST", "restate"): lambda: {"restatement": self.restate()},
            ("POST", "clock"): lambda: self.move_clock(body.get("offset_hours", 0)),
            ("GET", "clock"): self.clock_state,
            ("POST", "system_user_token"): lambda: {
                "access_token": self.mint_system_user_token(
                    tuple(body.get("scopes") or DEFAULT_SCOPES)
                ),
                "token_type": "bearer",
            },
            ("GET", "calls"): lambda: {"calls": self.calls()},
            ("POST", "reset"): reset,
        }
        handler = routes.get((request.method, request.path.removeprefix("/_control/").strip("/")))
        if handler is None:
            return json_response(404, {"error": {"message": f"no control endpoint {request.path}"}})
        try:
            return json_response(200, handler())
        except (TypeError, ValueError) as exc:
            return json_response(400, {"error": {"message": str(exc)}})

    def _graph(self, request: Request) -> Response:
        params = request_params(request)
        match = re.fullmatch(r"/(?:(v\d+\.\d+)/)?(.*)", request.path)
        version, rest = (match.group(1), match.group(2)) if match else (None, "")
        parts = [p for p in rest.split("/") if p]
        throttled_for: float | None = None
        redirect: Response | None = None
        try:
            if parts == ["dialog", "oauth"]:  # a browser page on www.facebook.com, not Graph
                redirect = self._oauth.dialog(request)
                body, status = {}, redirect.status_code
            else:
                body, status = self._dispatch(Call(request, params, version, parts)), 200
        except GraphError as exc:
            body, status, throttled_for = exc.body(), exc.status, exc.regain_minutes
        except GatewayError as exc:
            title = f"{exc.status} {'Bad Gateway' if exc.status == 502 else 'Server Error'}"
            quoted = f"<p>{html.escape(request.method)} {html.escape(request.url)}</p>"
            page = GATEWAY_PAGE.format(title, quoted if exc.echoes_request else "")
            redirect = Response(page, status=exc.status, mimetype="text/html")
            body, status = {}, exc.status
        with self._lock:
            self._calls.append(
                {
                    "method": request.method,
                    "path": request.path,
                    "params": params,
                    "in_url": sorted(request.args),
                    "status": status,
                }
            )
        if redirect is not None:
            return redirect
        headers = self._usage_headers(parts, throttled_for)
        headers["facebook-api-version"] = version or DEFAULT_VERSION
        if status != 200 and body["error"]["code"] == 190:
            headers["WWW-Authenticate"] = 'OAuth "Facebook Platform" "invalid_token"'
        return json_response(status, body, headers)

    def _dispatch(self, call: Call) -> dict[str, Any]:
        parts, method = call.parts, call.request.method
        if parts == ["oauth", "access_token"]:
            self._faults.raise_injected()
            return self._oauth.exchange(call.params)
        self._oauth.authenticate(call.params, app_token_ok=parts == ["debug_token"])
        self._faults.count_authenticated_call()
        self._faults.raise_injected()
        if parts == ["debug_token"]:
            return self._oauth.debug(call.params.get("input_token", ""))
        if not parts or len(parts) > 2:
            raise GraphError(2500, f"Unknown path components: /{'/'.join(parts[2:])}")
        node_id = self._catalog.user["id"] if parts[0] == "me" else parts[0]
        edge = parts[1] if len(parts) == 2 else None
        if method not in ("GET", "POST") or (method == "POST" and edge != "insights"):
            raise no_such_object(node_id, method.lower())
        if edge is None:
            return self._node(node_id, call.params)
        if edge == "insights":
            if method == "POST":
                return self._start_report(node_id, call.params)
            return self._insights(call, node_id)
        return self._edge(call, node_id, edge)

    # -- nodes and edges ---------------------------------------------------------------------

    def _node(self, node_id: str, params: dict[str, str]) -> dict[str, Any]:
        fields = list_param(params, "fields")
        if node_id == self._catalog.user["id"]:
            return pick(self._catalog.user, fields or ["id", "name"])
        report = self._reports.read(node_id)
        if report is not None:
            return pick(report, fields)
        lead = self._leads.read(node_id, fields)
        if lead is not None:
            return lead
        obj = self._catalog.node(node_id)
        if obj is None:
            raise no_such_object(node_id)
        return pick(public(obj), fields or ["id", "name"], subfields(params))

    def _edge(self, call: Call, node_id: str, edge: str) -> dict[str, Any]:
        kind = self._catalog.kind(node_id)
        if node_id == self._catalog.user["id"] and edge == "adaccounts":
            objects = list(self._catalog.accounts.values())
        elif kind in ("account", "campaign", "adset") and edge in EDGE_KINDS:
            if edge == "adaccounts":
                raise GraphError(2500, f"Unknown path components: /{edge}")
            objects = self._catalog.under(node_id, EDGE_KINDS[edge])
        elif kind is None and node_id != self._catalog.user["id"]:
            raise no_such_object(node_id)
        else:
            raise GraphError(2500, f"Unknown path components: /{edge}")
        if edge != "adaccounts":
            statuses = _edge_statuses(call.params)
            objects = [o for o in objects if o["effective_status"] in statuses]
        fields = list_param(call.params, "fields") or ["id"]
        nested = subfields(call.params)
        items = [pick(public(o), fields, nested) for o in objects]
        answer = page(call, items)
        if call.params.get("summary", "").lower() == "true":
            answer["summary"] = {"total_count": len(items)}
        return answer

    # -- insights ----------------------------------------------------------------------------

    def _timeline(self, account_id: str) -> Timeline:
        zone = ZoneInfo(self._catalog.accounts[account_id]["timezone_name"])
        with self._lock:
            started, restatement = self._started, self._restatement
        return Timeline(
            started=started.astimezone(zone).date(),
            today=self._clock().astimezone(zone).date(),
            restatement=restatement,
        )

    def _query_for(
        self, node_id: str, params: dict[str, str], method: str
    ) -> tuple[str, InsightsQuery, Timeline]:
        account_id = self._catalog.account_of(node_id)
        if account_id is None:
            raise no_such_object(node_id, method)
        kind = self._catalog.kind(node_id) or "account"
        if self._faults.current().auto_restate and "after" not in params:
            self.restate()
        timeline = self._timeline(account_id)
        return account_id, insights_query(params, kind, timeline.today), timeline

    def _start_report(self, node_id: str, params: dict[str, str]) -> dict[str, Any]:
        account_id, query, timeline = self._query_for(node_id, params, "post")
        fail = self._faults.fail_report(query.level)
        stuck = not fail and self._faults.take("stuck_reports_next")
        report_id = self._reports.start(
            account_id, node_id, query, timeline, fail=fail, stuck=stuck, now=self._clock()
        )
        return {"report_run_id": report_id}

    def _insights(self, call: Call, node_id: str) -> dict[str, Any]:
        rows = self._reports.rows(node_id)
        if rows is None:
            _, query, timeline = self._query_for(node_id, call.params, "get")
            self._faults.check_size(cells(self._catalog, node_id, query))
            rows = self._rows(node_id, query, timeline)
        else:  # a report's page: Meta refuses pages too large to answer
            self._faults.check_size(int(call.params.get("limit", "25") or 25))
        return page(call, rows)

    def _rows(self, node_id: str, query: InsightsQuery, timeline: Timeline) -> list[dict[str, Any]]:
        """A synchronous query's rows, rendered once for all its pages (the SDK's Cursor asks
        the same query again for each page; the rows depend on nothing else)."""
        key = (node_id, query, timeline)
        with self._lock:
            rows = self._rendered.get(key)
        if rows is None:
            rows = insight_rows(self._catalog, node_id, query, timeline)
            if reach_withheld(query.breakdowns, query.since, timeline.today):
                rows = [{k: v for k, v in r.items() if k not in REACH_FIELDS} for r in rows]
            with self._lock:
                self._rendered = {
                    **dict(list(self._rendered.items())[-RENDERED_KEPT + 1 :]),
                    key: rows,
                }
        return rows

    def _usage_headers(self, parts: list[str], throttled_for: float | None) -> dict[str, str]:
        account_id = self._catalog.account_of(parts[0]) if parts else None
        report_account = self._reports.account_of(parts[0]) if parts else None
        account_id = report_account or account_id
        business = (
            self._catalog.accounts[account_id]["business"]["id"]
            if account_id
            else next(iter(self._catalog.businesses))
        )
        return usage_headers(
            business,
            insights=report_account is not None or "insights" in parts,
            pct=self._faults.current().usage_pct,
            throttled_for=throttled_for,
        )


def _edge_statuses(params: dict[str, str]) -> frozenset[str]:
    """The effective statuses an edge lists: `effective_status` (or a `filtering` on it) when
    given, else every live one. Deleted objects are never listed by an edge, archived ones
    only when asked for, as Meta's edges do."""
    asked: set[str] = set(list_param(params, "effective_status") or ())
    for entry in _json_list(params.get("filtering")):
        if isinstance(entry, dict) and str(entry.get("field", "")).endswith("effective_status"):
            value = entry.get("value", [])
            asked |= {str(v) for v in (value if isinstance(value, list) else [value])}
    if not asked:
        return LIVE_STATUSES
    return frozenset(asked) - {"DELETED"}


def _json_list(raw: str | None) -> list[Any]:
    value = json_or_raw(raw) if raw else []
    return value if isinstance(value, list) else []
