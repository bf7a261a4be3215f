"""Facebook Login and tokens: the OAuth dialog (approved at once by the sample user), code
for short-lived token, short-lived for long-lived token (60 days), System User tokens (an
agency's Business Manager access; they never expire), GET /debug_token, and checking every
call's token and appsecret_proof, all by the server's clock."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

from shared.localstack.graph.faults import FaultBox
from shared.localstack.graph.wire import GraphError, invalid, request_params

SAMPLE_TOKEN_PREFIX = "sample-token"  # noqa: S105
SAMPLE_CODE_PREFIX = "sample-code"
SAMPLE_APP_ID = "100000000000000"
SHORT_LIVED = timedelta(hours=2)
LONG_LIVED = timedelta(days=60)
DATA_ACCESS = timedelta(days=90)  # Meta's data access window for a user's grant
CODE_LIFETIME = timedelta(minutes=10)
DEFAULT_SCOPES = ("ads_read", "business_management", "public_profile")
USER, SYSTEM_USER = "USER", "SYSTEM_USER"
SAMPLE_SYSTEM_USER_ID = "1000000000000177"  # the agency's sample System User (debug_token)


@dataclass(frozen=True)
class Token:
    kind: str
    issued_at: datetime
    expires_at: datetime | None  # None: never
    scopes: tuple[str, ...]
    app_id: str


def _stamp(moment: datetime | None) -> int:
    """A time as debug_token writes it: Unix seconds, 0 for never."""
    return 0 if moment is None else int(moment.timestamp())


def _graph_time(moment: datetime) -> str:
    return moment.strftime("%A, %d-%b-%y %H:%M:%S UTC")


class OAuth:
    """Issued tokens and codes. Thread-safe."""

    def __init__(
        self,
        *,
        app_id: str | None,
        app_secret: str | None,
        clock: Callable[[], datetime],
        faults: FaultBox,
    ) -> None:
        self._app_id, self._app_secret = app_id, app_secret
        self._clock, self._faults = clock, faults
        self._lock = threading.Lock()
        self._tokens: dict[str, Token] = {}
        self._codes: dict[str, tuple[str | None, datetime, tuple[str, ...]]] = {}
        self._user_id = "0"

    def set_user(self, user_id: str) -> None:
        """The sample user every user token belongs to (debug_token's user_id)."""
        self._user_id = user_id

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()
            self._codes.clear()

    def mint_code(
        self, redirect_uri: str | None = None, scopes: tuple[str, ...] = DEFAULT_SCOPES
    ) -> str:
        code = "AQ" + secrets.token_urlsafe(48)
        with self._lock:
            self._codes[code] = (redirect_uri, self._clock() + CODE_LIFETIME, scopes)
        return code

    def mint_system_user_token(self, scopes: tuple[str, ...] = DEFAULT_SCOPES) -> str:
        """A System User's token, as Business Manager issues it: it never expires."""
        return str(self._issue(self._clock(), None, scopes, SYSTEM_USER)["access_token"])

    def authenticate(self, params: Mapping[str, str], *, app_token_ok: bool = False) -> None:
        token = params.get("access_token")
        if not token:
            raise GraphError(104, "An access token is required to request this resource.")
        if app_token_ok and self._is_app_token(token):
            return
        self.check_token(token)
        proof = params.get("appsecret_proof")
        if proof is not None and self._app_secret is not None:
            expected = hmac.new(self._app_secret.encode(), token.encode(), hashlib.sha256)
            if not hmac.compare_digest(proof, expected.hexdigest()):
                raise GraphError(
                    100,
                    "Invalid appsecret_proof provided in the API argument",
                    error_type="GraphMethodException",
                )

    def check_token(self, token: str) -> Token:
        """The token's record, or Graph's 190 error for an unknown or expired one. Tokens
        starting "sample-token" are user tokens that never expire (a stand-in convenience)."""
        now = self._clock()
        with self._lock:
            issued = self._tokens.get(token)
        if issued is None and not token.startswith(SAMPLE_TOKEN_PREFIX):
            raise GraphError(190, "Invalid OAuth access token - Cannot parse access token")
        record = issued or Token(USER, now, None, DEFAULT_SCOPES, self._app_id or SAMPLE_APP_ID)
        expires_at = record.expires_at
        if self._faults.current().expire_tokens or (expires_at is not None and expires_at <= now):
            moment = expires_at if expires_at is not None and expires_at <= now else now
            raise GraphError(
                190,
                f"Error validating access token: Session has expired on {_graph_time(moment)}. "
                f"The current time is {_graph_time(now)}.",
                subcode=463,
            )
        return record

    def debug(self, input_token: str) -> dict[str, Any]:
        """GET /debug_token: what Meta tells about a token, valid or not."""
        with self._lock:
            record = self._tokens.get(input_token)
        try:
            record = self.check_token(input_token)
        except GraphError as exc:
            error = {"code": exc.code, "message": exc.message}
            if exc.subcode is not None:
                error["subcode"] = exc.subcode
            if record is None:
                return {"data": {"error": error, "is_valid": False, "scopes": []}}
            return {"data": {**self._described(record), "is_valid": False, "error": error}}
        return {"data": {**self._described(record), "is_valid": True}}

    def _described(self, record: Token) -> dict[str, Any]:
        data_access = None if record.kind == SYSTEM_USER else record.issued_at + DATA_ACCESS
        return {
            "app_id": record.app_id,
            "type": record.kind,
            "application": "ReachOps (sample app)",
            "data_access_expires_at": _stamp(data_access),
            "expires_at": _stamp(record.expires_at),
            "issued_at": _stamp(record.issued_at),
            "scopes": list(record.scopes),
            "user_id": SAMPLE_SYSTEM_USER_ID if record.kind == SYSTEM_USER else self._user_id,
        }

    def _is_app_token(self, token: str) -> bool:
        """An app access token, `{app_id}|{app_secret}` (any pair when no app is configured)."""
        app_id, bar, secret = token.partition("|")
        if not bar or not app_id or not secret:
            return False
        return self._app_id in (None, app_id) and self._app_secret in (None, secret)

    def exchange(self, params: Mapping[str, str]) -> dict[str, Any]:
        """GET or POST (form) /oauth/access_token: a code for a short-lived token, or (grant_type=
        fb_exchange_token) a short-lived token for a long-lived one."""
        self._check_app(params.get("client_id"))
        secret = params.get("client_secret")
        if not secret or self._app_secret not in (None, secret):
            raise GraphError(1, "Error validating client secret.")
        now = self._clock()
        app_id = params.get("client_id") or SAMPLE_APP_ID
        if params.get("grant_type") == "fb_exchange_token":
            short = self.check_token(params.get("fb_exchange_token", ""))
            return self._issue(now, now + LONG_LIVED, short.scopes, USER, app_id)
        code = params.get("code")
        if not code:
            raise invalid("Missing code or grant_type parameter.")
        scopes: tuple[str, ...] = DEFAULT_SCOPES
        if not code.startswith(SAMPLE_CODE_PREFIX):
            with self._lock:
                minted = self._codes.pop(code, None)
            if minted is None:
                raise GraphError(
                    100, "This authorization code has been used or is invalid.", subcode=36009
                )
            redirect_uri, expires_at, scopes = minted
            if expires_at <= now:
                raise GraphError(100, "This authorization code has expired.", subcode=36007)
            if redirect_uri is not None and params.get("redirect_uri") != redirect_uri:
                raise GraphError(
                    100,
                    "Error validating verification code. Please make sure your redirect_uri is "
                    "identical to the one you used in the OAuth dialog request",
                    subcode=36008,
                )
        return self._issue(now, now + SHORT_LIVED, scopes, USER, app_id)

    def dialog(self, request: Request) -> Response:
        """The OAuth dialog, approved at once by the sample user (or refused, as the
        `deny_dialog_next` fault says): back to redirect_uri with a code, or an error."""
        params = request_params(request)
        self._check_app(params.get("client_id"))
        redirect_uri = params.get("redirect_uri", "")
        if not re.match(r"https?://", redirect_uri):
            raise invalid("redirect_uri must be an absolute http(s) URL", subcode=36008)
        if params.get("response_type", "code") != "code":
            raise invalid("the local stand-in supports response_type=code only")
        denied = self._faults.take("deny_dialog_next")
        answer = (
            {
                "error": "access_denied",
                "error_code": "200",
                "error_description": "Permissions error",
                "error_reason": "user_denied",
            }
            if denied
            else {"code": self.mint_code(redirect_uri, self._scopes(params.get("scope")))}
        )
        if "state" in params:
            answer["state"] = params["state"]
        separator = "&" if "?" in redirect_uri else "?"
        location = f"{redirect_uri}{separator}{urlencode(answer)}#_=_"
        return Response("", status=302, headers={"Location": location})

    def _check_app(self, client_id: str | None) -> None:
        if not client_id or self._app_id not in (None, client_id):
            raise GraphError(101, "Error validating application. Invalid application ID.")

    @staticmethod
    def _scopes(raw: str | None) -> tuple[str, ...]:
        asked = tuple(s.strip() for s in (raw or "").split(",") if s.strip())
        return tuple(dict.fromkeys(("public_profile", *asked))) if asked else DEFAULT_SCOPES

    def _issue(
        self,
        now: datetime,
        expires_at: datetime | None,
        scopes: tuple[str, ...],
        kind: str,
        app_id: str | None = None,
    ) -> dict[str, Any]:
        token = "EAAL" + secrets.token_urlsafe(64)
        app = app_id or self._app_id or SAMPLE_APP_ID
        with self._lock:
            self._tokens[token] = Token(kind, now, expires_at, scopes, app)
        answer: dict[str, Any] = {"access_token": token, "token_type": "bearer"}
        if expires_at is not None:
            answer["expires_in"] = int((expires_at - now).total_seconds())
        return answer
