"""The WSGI app: routing, authentication, injected request faults, the API handlers and the
control endpoints (see the package docstring for both)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from shared.localstack.apify.actors import find_actor
from shared.localstack.apify.catalog import AccountControl, World
from shared.localstack.apify.common import (
    APIFY_ID,
    ApiError,
    chars,
    invalid_input,
    iso,
    json_response,
    new_id,
)
from shared.localstack.apify.pricing import capped, current_pricing, pricing_infos
from shared.localstack.apify.rendering import malformed_items, render_items
from shared.localstack.apify.runs import EVENT_OF_STATUS, TERMINAL, Faults, Run
from shared.localstack.apify.webhooks import Courier, Delivery, decode_webhooks, deliveries
from shared.localstack.apify.wire import int_arg, items_response, request_body, run_options

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

MAX_WAIT_FOR_FINISH_SECONDS = 60


def _routes() -> Map:
    rules = [
        Rule("/v2/actor-runs/<run_id>", methods=["GET"], endpoint="get_run"),
        Rule("/v2/actor-runs/<run_id>/abort", methods=["POST"], endpoint="abort_run"),
        Rule("/v2/actor-runs/<run_id>/dataset/items", methods=["GET"], endpoint="run_items"),
        Rule("/v2/datasets/<dataset_id>/items", methods=["GET"], endpoint="items"),
        Rule("/v2/actor-runs/<run_id>/log", methods=["GET"], endpoint="log"),
        Rule("/v2/logs/<run_id>", methods=["GET"], endpoint="log"),
        Rule("/_control/faults", methods=["GET", "POST"], endpoint="faults"),
        Rule("/_control/profiles", methods=["GET", "POST"], endpoint="profiles"),
        Rule("/_control/runs", methods=["GET"], endpoint="list_runs"),
        Rule("/_control/clock", methods=["GET", "POST"], endpoint="clock"),
        Rule("/_control/reset", methods=["POST"], endpoint="reset"),
    ]
    for prefix in ("actors", "acts"):  # apify-client 3.x says actors; older clients acts
        rules.append(Rule(f"/v2/{prefix}/<path:actor>/runs", methods=["POST"], endpoint="start"))
        rules.append(Rule(f"/v2/{prefix}/<path:actor>", methods=["GET"], endpoint="get_actor"))
    return Map(rules)


def _json_object(request: Request, error_type: str) -> dict[str, Any]:
    try:
        body = json.loads(request.get_data() or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ApiError(400, error_type, "send a JSON object")
    return body


class LocalApifyServer:
    """The WSGI app. Thread-safe; serve it threaded (waitForFinish blocks a request).

    `clock` dates everything: runs, posts' ages (and so their counts) and which price is in
    force. Posts are dated from the clock's reading when the server is built (`world.epoch`).
    """

    def __init__(
        self,
        *,
        run_delay_seconds: float = 0.2,
        webhook_retry_delays: Iterable[float] = (0.05, 0.1, 0.2, 0.4),
        token: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._run_delay = run_delay_seconds
        self._token = token
        self._clock = clock
        self._offset = timedelta(0)
        self.world = World(epoch=clock())
        self._cond = threading.Condition(threading.RLock())
        self._runs: dict[str, Run] = {}
        self._datasets: dict[str, list[Any]] = {}
        self._faults = Faults()
        self._courier = Courier(self._cond, webhook_retry_delays)
        self._urls = _routes()

    # -- control, also callable in-process ---------------------------------------------------

    def set_faults(self, **changes: Any) -> Faults:
        with self._cond:
            current = asdict(self._faults)
            for key, value in changes.items():
                if key not in current:
                    raise ApiError(400, "invalid-fault", f"unknown fault {key!r}")
                wanted = bool if key == "duplicate_webhooks" else int
                if type(value) is not wanted or (wanted is int and value < 0):
                    raise ApiError(400, "invalid-fault", f"{key} must be a {wanted.__name__}")
                current[key] = value
            self._faults = Faults(**current)
            return Faults(**current)

    def set_clock_offset(self, hours: float) -> datetime:
        """Run the server's clock `hours` ahead of its own (0 puts it back): tests use it to
        see the next 12-hour pass measure older, grown posts without waiting for them."""
        with self._cond:
            self._offset = timedelta(hours=hours)
            return self._now()

    def _now(self) -> datetime:
        return self._clock() + self._offset

    def set_profiles(self, **changes: Any) -> AccountControl:
        """Declare accounts missing, private or renamed, and posts deleted (merged)."""
        return self.world.update(changes)

    def runs(self) -> list[dict[str, Any]]:
        with self._cond:
            return [run.summary() for run in self._runs.values()]

    def reset(self) -> None:
        """Forget runs, datasets, faults, account control and the accounts scraped so far."""
        with self._cond:
            self._runs.clear()
            self._datasets.clear()
            self._faults = Faults()
            self.world.reset()
            self._cond.notify_all()

    def close(self) -> None:
        self._courier.close()

    # -- WSGI --------------------------------------------------------------------------------

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return self._respond(Request(environ))(environ, start_response)

    def _respond(self, request: Request) -> Response:
        try:
            if request.path.startswith("/v2/"):
                self._injected_failure()
                self._authenticate(request)
            endpoint, args = self._urls.bind_to_environ(request.environ).match()
            handler: Callable[..., Response] = getattr(self, f"_on_{endpoint}")
            return handler(request, **args)
        except ApiError as exc:
            return exc.response()
        except HTTPException as exc:
            kind = "method-not-allowed" if exc.code == 405 else "page-not-found"
            return ApiError(exc.code or 404, kind, exc.description or kind).response()

    def _injected_failure(self) -> None:
        with self._cond:
            if self._faults.rate_limit_next > 0:
                self._faults.rate_limit_next -= 1
                raise ApiError(
                    429,
                    "rate-limit-exceeded",
                    "You have exceeded the rate limit. Please try again later.",
                )
            if self._faults.server_error_next > 0:
                self._faults.server_error_next -= 1
                raise ApiError(500, "internal-server-error", "Internal server error")

    def _authenticate(self, request: Request) -> None:
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ").strip() if header else request.args.get("token")
        if not token:
            raise ApiError(401, "token-not-provided", "Authentication token was not provided")
        if self._token is not None and token != self._token:
            raise ApiError(
                401,
                "user-or-token-not-found",
                "User was not found or authentication token is not valid",
            )

    # -- API handlers ------------------------------------------------------------------------

    def _on_start(self, request: Request, actor: str) -> Response:
        spec = find_actor(actor)
        body = request_body(request)
        try:
            run_input = json.loads(body) if body.strip() else {}
        except ValueError as exc:
            raise invalid_input("the body is not valid JSON") from exc
        if not isinstance(run_input, dict):
            raise invalid_input("the input must be a JSON object")
        webhooks = decode_webhooks(request.args.get("webhooks"))
        options = run_options(request.args)
        wait = int_arg(request.args, "waitForFinish", 0, maximum=None) or 0
        now = self._now()
        planned = render_items(spec, run_input, now, self.world)
        pricing_info = current_pricing(pricing_infos(spec, self.world.epoch), now)
        with self._cond:
            outcome = self._faults.draw_outcome()
            planned += malformed_items(spec, planned, self._faults.malformed_items_per_run)
            run = Run(
                id=new_id(),
                spec=spec,
                input=run_input,
                input_len=len(body),
                webhooks=webhooks,
                options=options,
                outcome=outcome,
                planned=capped(planned, options, pricing_info),
                pricing_info=pricing_info,
                started_at=now,
                meta={
                    "origin": "API",
                    "clientIp": request.remote_addr,
                    "userAgent": request.headers.get("User-Agent"),
                },
            )
            run.note(now, "Starting the run")
            self._runs[run.id] = run
            self._datasets[run.dataset_id] = []
            created = self._deliveries(run, "ACTOR.RUN.CREATED")
        threading.Thread(target=self._execute, args=(run.id,), daemon=True).start()
        self._courier.send(created)
        return json_response(201, {"data": self._wait(run.id, wait)})

    def _on_get_actor(self, request: Request, actor: str) -> Response:
        spec = find_actor(actor)
        with self._cond:
            total_runs = sum(1 for r in self._runs.values() if r.spec == spec)
        epoch = self.world.epoch
        data = {
            "id": spec.id,
            "userId": chars(APIFY_ID, 17, "user", spec.username),
            "name": spec.name,
            "username": spec.username,
            "title": spec.title,
            "description": f"Local stand-in for {spec.username}/{spec.name} (sample data).",
            "isPublic": True,
            "isDeprecated": False,
            "createdAt": iso(epoch - timedelta(days=1000)),
            "modifiedAt": iso(epoch - timedelta(days=3)),
            "stats": {"totalRuns": total_runs},
            "versions": [],
            "defaultRunOptions": {"build": "latest", "timeoutSecs": 3600, "memoryMbytes": 1024},
            "pricingInfos": pricing_infos(spec, epoch),
            "categories": ["SOCIAL_MEDIA"],
        }
        return json_response(200, {"data": data})

    def _on_get_run(self, request: Request, run_id: str) -> Response:
        wait = int_arg(request.args, "waitForFinish", 0, maximum=None) or 0
        return json_response(200, {"data": self._wait(run_id, wait)})

    def _on_abort_run(self, request: Request, run_id: str) -> Response:
        with self._cond:
            run = self._run(run_id)
            jobs = []
            if run.status not in TERMINAL:
                self._finish(run, "ABORTED")
                jobs = self._deliveries(run, EVENT_OF_STATUS["ABORTED"])
            data = self._run_json(run)
        self._courier.send(jobs)
        return json_response(200, {"data": data})

    def _on_run_items(self, request: Request, run_id: str) -> Response:
        with self._cond:
            dataset_id = self._run(run_id).dataset_id
        return self._on_items(request, dataset_id)

    def _on_items(self, request: Request, dataset_id: str) -> Response:
        with self._cond:
            if dataset_id not in self._datasets:
                raise ApiError(404, "record-not-found", "Dataset was not found")
            items = list(self._datasets[dataset_id])
        return items_response(request, items)

    def _on_log(self, request: Request, run_id: str) -> Response:
        with self._cond:
            text = "\n".join(self._run(run_id).log) + "\n"
        return Response(text, mimetype="text/plain")

    # -- control handlers --------------------------------------------------------------------

    def _on_faults(self, request: Request) -> Response:
        if request.method == "POST":
            self.set_faults(**_json_object(request, "invalid-fault"))
        with self._cond:
            return json_response(200, {"faults": asdict(self._faults)})

    def _on_profiles(self, request: Request) -> Response:
        if request.method == "POST":
            self.set_profiles(**_json_object(request, "invalid-control"))
        return json_response(200, {"profiles": self.world.control().as_json()})

    def _on_clock(self, request: Request) -> Response:
        if request.method == "POST":
            hours = _json_object(request, "invalid-control").get("offset_hours")
            if isinstance(hours, bool) or not isinstance(hours, int | float):
                raise ApiError(400, "invalid-control", "offset_hours must be a number")
            if not -24 * 365 <= hours <= 24 * 365:
                raise ApiError(400, "invalid-control", "offset_hours must be within a year")
            self.set_clock_offset(float(hours))
        return json_response(
            200, {"now": self._now().isoformat(), "offset_hours": self._offset / timedelta(hours=1)}
        )

    def _on_list_runs(self, request: Request) -> Response:
        return json_response(200, {"runs": self.runs()})

    def _on_reset(self, request: Request) -> Response:
        self.reset()
        return json_response(200, {"reset": True})

    # -- runs --------------------------------------------------------------------------------

    def _run(self, run_id: str) -> Run:
        run = self._runs.get(run_id)
        if run is None:
            raise ApiError(404, "record-not-found", "Actor run was not found")
        return run

    def _run_json(self, run: Run) -> dict[str, Any]:
        return run.as_json(len(self._datasets.get(run.dataset_id, [])), self._now())

    def _deliveries(self, run: Run, event_type: str) -> list[Delivery]:
        duplicate = self._faults.duplicate_webhooks
        return deliveries(run, event_type, self._run_json(run), self._now(), duplicate)

    def _wait(self, run_id: str, seconds: int) -> dict[str, Any]:
        deadline = time.monotonic() + min(seconds, MAX_WAIT_FOR_FINISH_SECONDS)
        with self._cond:
            while True:
                run = self._run(run_id)
                remaining = deadline - time.monotonic()
                if run.status in TERMINAL or remaining <= 0:
                    return self._run_json(run)
                self._cond.wait(remaining)

    def _finish(self, run: Run, status: str) -> None:
        self._datasets[run.dataset_id] = run.finish(status, self._now())
        self._cond.notify_all()

    def _execute(self, run_id: str) -> None:
        """READY -> RUNNING after half the delay, the planned end after the other half; a run
        that was aborted or forgotten (reset) meanwhile is left alone."""
        time.sleep(self._run_delay / 2)
        with self._cond:
            run = self._runs.get(run_id)
            if run is None or run.status in TERMINAL:
                return
            run.status = "RUNNING"
            run.note(self._now(), "Scraping")
            self._cond.notify_all()
        time.sleep(self._run_delay / 2)
        with self._cond:
            run = self._runs.get(run_id)
            if run is None or run.status in TERMINAL:
                return
            self._finish(run, run.outcome)
            jobs = self._deliveries(run, EVENT_OF_STATUS[run.status])
        self._courier.send(jobs)
