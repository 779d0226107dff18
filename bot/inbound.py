"""What a request to /slack/events must be before bolt sees it: signed, well-formed, ours.

bolt parses a body before it checks the signature and trusts the shape of what Slack
sends, so `[1]`, `payload=x` or a timestamp of `abc` made it raise and the server answer
500 with a traceback. Here the order is the safe one, each step with its own answer:

1. the signature (`X-Slack-Signature` over `v0:{timestamp}:{raw body}`, timestamp within
   5 minutes), before the body is even decoded: `Unsigned`, 401;
2. the body: a JSON object, or a form (a slash command, or `payload=` holding a JSON
   object), with every field that bolt and the listeners read of the type they expect:
   `Malformed`, 400;
3. where it comes from, once the app is running (`Origin`, checked in middleware so
   Socket Mode gets it too): the configured workspace and app, else it is refused.

A request that passes is handed to bolt as the JSON object it was checked as, so bolt
parses exactly what was checked: bolt's own form parsing, for one, reads a slash command
whose text contains the word "payload" as an empty request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import BoltResponse

from config.errors import CwsError

log = logging.getLogger(__name__)

MAX_CLOCK_SKEW = 5 * 60  # Slack's rule: older (or newer) signed requests are replays


class Refused(CwsError):
    """A request the bot will not handle; `status` is the HTTP answer, the message says why (for the log)."""

    status = 400


class Unsigned(Refused):
    status = 401


class Malformed(Refused):
    status = 400


# --- 1. the signature --------------------------------------------------------------------------------------------


def verify(raw: bytes, headers: Mapping[str, str], secret: str, now: float | None = None) -> str:
    """The request's timestamp if `raw` was signed with `secret` within the last 5 minutes; else `Unsigned`."""
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not timestamp or not signature:
        raise Unsigned("no signature" if not signature else "no timestamp")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise Unsigned("the timestamp is not a number of seconds")
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_CLOCK_SKEW:
        raise Unsigned("the timestamp is more than 5 minutes off (a replay, or a clock far off)")
    expected = "v0=" + hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        raise Unsigned("the signature does not match")
    return timestamp


def ssl_check(raw: bytes, content_type: str) -> bool:
    """Slack's check of a slash command URL's certificate (`ssl_check=1`): answered 200 with nothing, signed or not.

    Read as Latin-1, which decodes any bytes, so this look at an unsigned body cannot fail.
    """
    if not content_type.lower().startswith("application/x-www-form-urlencoded") or len(raw) > 1024:
        return False
    return dict(parse_qsl(raw.decode("latin-1"), keep_blank_values=True)).get("ssl_check") == "1"


def request_key(raw: bytes, timestamp: str) -> str:
    """Names exactly one signed request: the same bytes sent again (a replay) get the same key."""
    return "request:" + hashlib.sha256(timestamp.encode() + b":" + raw).hexdigest()


# --- 2. the body ---------------------------------------------------------------------------------------------------


def parse(raw: bytes, content_type: str) -> dict[str, Any]:
    """The body as a dict: JSON (events), a form (slash commands) or a form's `payload` (buttons, forms)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Malformed(f"the body is not UTF-8 (byte {exc.start})") from exc
    media = content_type.split(";")[0].strip().lower()
    if media == "application/json" or (media != "application/x-www-form-urlencoded" and text.lstrip().startswith("{")):
        return _json_object(text, "the JSON body")
    if media != "application/x-www-form-urlencoded":
        raise Malformed(f"unexpected content type {media or '(none)'}")
    try:
        fields = dict(parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), errors="strict"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise Malformed(f"the form cannot be read ({exc})") from exc
    if "payload" in fields:
        return _json_object(fields["payload"], "the form's payload")
    if "command" not in fields:
        raise Malformed("a form without a command or a payload")
    return fields


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise Malformed(f"{what} is not JSON") from exc
    if not isinstance(value, dict):
        raise Malformed(f"{what} is a JSON {type(value).__name__}, not an object")
    return value


# The fields read anywhere (bolt's context, matchers and middleware; our listeners), with the types they are read
# as. A field may be absent unless required below; present, it must have its type (None: JSON null allowed).
Spec = Any
TEXT = (str, type(None))
FLAG = (bool, str, type(None))
ID_OR_OBJECT = (str, dict, type(None))


@dataclass(frozen=True)
class Obj:
    """A JSON object whose listed fields have their specs (others are free); `required` must be present."""

    fields: dict[str, Spec]
    required: tuple[str, ...] = ()
    nullable: bool = False


@dataclass(frozen=True)
class ListOf:
    item: Spec


@dataclass(frozen=True)
class MapOf:
    """A JSON object used as a map: every value has the spec."""

    value: Spec


_INNER_MESSAGE = Obj({"user": TEXT, "channel": TEXT, "thread_ts": TEXT, "ts": TEXT, "text": TEXT}, nullable=True)
_EVENT = Obj(
    {
        "type": str,
        "user": ID_OR_OBJECT,
        "channel": TEXT,
        "ts": TEXT,
        "thread_ts": TEXT,
        "text": TEXT,
        "team": TEXT,
        "user_team": TEXT,
        "channel_type": TEXT,
        "subtype": TEXT,
        "bot_id": TEXT,
        "bot_profile": Obj({}, nullable=True),
        "tab": TEXT,
        "item": Obj({"channel": TEXT}, nullable=True),
        "message": _INNER_MESSAGE,
        "previous_message": _INNER_MESSAGE,
        "assistant_thread": Obj({"channel_id": TEXT, "thread_ts": TEXT}, nullable=True),
        "function_execution_id": TEXT,
        "bot_access_token": TEXT,
        "inputs": Obj({}, nullable=True),
    },
    required=("type",),
)
_ENTITY = Obj({"id": TEXT, "team_id": TEXT, "enterprise_id": TEXT}, nullable=True)
_STATE_VALUE = Obj({"value": TEXT, "selected_option": Obj({"value": TEXT}, nullable=True)}, nullable=True)
_VIEW = Obj(
    {
        "callback_id": TEXT,
        "private_metadata": TEXT,
        "team_id": TEXT,
        "app_installed_team_id": TEXT,
        "state": Obj({"values": MapOf(MapOf(_STATE_VALUE))}),
    }
)
_ACTION = Obj({"action_id": str, "block_id": TEXT, "value": TEXT, "type": TEXT}, required=("action_id",))
ENVELOPE = Obj(
    {
        "type": TEXT,
        "token": TEXT,
        "team_id": TEXT,
        "api_app_id": TEXT,
        "enterprise_id": TEXT,
        "context_team_id": TEXT,
        "context_enterprise_id": TEXT,
        "event_id": TEXT,
        "challenge": TEXT,
        "is_enterprise_install": FLAG,
        "is_ext_shared_channel": FLAG,
        "team": _ENTITY,
        "enterprise": ID_OR_OBJECT,
        "user": _ENTITY,
        "channel": _ENTITY,
        "user_id": TEXT,
        "channel_id": TEXT,
        "thread_ts": TEXT,
        "response_url": TEXT,
        "trigger_id": TEXT,
        "command": TEXT,
        "text": TEXT,
        "function_execution_id": TEXT,
        "bot_access_token": TEXT,
        "authorizations": ListOf(
            Obj({"team_id": TEXT, "enterprise_id": TEXT, "user_id": TEXT, "is_enterprise_install": FLAG})
        ),
        "event": _EVENT,
        "view": _VIEW,
        "actions": ListOf(_ACTION),
        "container": Obj({}, nullable=True),
        "message": _INNER_MESSAGE,
        "previous_message": _INNER_MESSAGE,
        "item": Obj({}, nullable=True),
        "function_data": Obj({"execution_id": TEXT, "inputs": Obj({}, nullable=True)}, nullable=True),
        "assistant_thread": Obj({}, nullable=True),
        "response_urls": ListOf(Obj({"response_url": TEXT})),
    }
)

# What each kind of request must carry for its listener (a missing one would fail after the acknowledgement).
REQUIRED: dict[str, tuple[str, ...]] = {
    "url_verification": ("challenge",),
    "event_callback": ("event", "event_id", "team_id", "api_app_id"),
    "command": ("command", "team_id", "user_id", "response_url", "trigger_id"),
    "block_actions": ("actions", "user"),  # `team` is null for org-wide installs
    "view_submission": ("view", "user"),
}


def check(body: dict[str, Any]) -> str:
    """The kind of request (`event_callback`, `command`, `block_actions`, ...) if well-formed; else `Malformed`."""
    _check(body, ENVELOPE, "body")
    kind = "command" if "command" in body and "type" not in body else body.get("type")
    if not kind:
        raise Malformed("no type: neither an event, a slash command nor an interaction")
    missing = [name for name in REQUIRED.get(kind, ()) if body.get(name) in (None, "", [])]
    if missing:
        raise Malformed(f"{kind} without {', '.join(missing)}")
    event = body.get("event") or {}
    if event.get("type") == "app_mention" or (event.get("type") == "message" and not event.get("subtype")):
        # A question: answered in its channel, at its ts, as asked by its user.
        if not (event.get("channel") and event.get("ts")):
            raise Malformed(f"{event['type']} event without channel or ts")
        if not isinstance(event.get("user"), (str, type(None))):
            raise Malformed(f"{event['type']} event whose user is not an id")
    if kind == "block_actions":
        if not (body["user"] or {}).get("id"):
            raise Malformed("block_actions without user.id")
        if not body.get("response_url") and (body.get("container") or {}).get("type") == "message":
            raise Malformed("block_actions on a message without response_url")
    if kind == "view_submission" and not (body["user"] or {}).get("id"):
        raise Malformed("view_submission without user.id")
    return kind


def _check(value: Any, spec: Spec, path: str) -> None:
    if isinstance(spec, Obj):
        if value is None and spec.nullable:
            return
        if not isinstance(value, dict):
            raise Malformed(f"{path} is not an object")
        for name in spec.required:
            if name not in value:
                raise Malformed(f"{path} has no {name}")
        for name, field_spec in spec.fields.items():
            if name in value:
                _check(value[name], field_spec, f"{path}.{name}")
    elif isinstance(spec, ListOf):
        if not isinstance(value, list):
            raise Malformed(f"{path} is not a list")
        for n, item in enumerate(value):
            _check(item, spec.item, f"{path}[{n}]")
    elif isinstance(spec, MapOf):
        if not isinstance(value, dict):
            raise Malformed(f"{path} is not an object")
        for name, item in value.items():
            _check(item, spec.value, f"{path}.{name}")
    elif not isinstance(value, spec):
        raise Malformed(f"{path} is a {type(value).__name__}")


# --- 3. where it comes from ----------------------------------------------------------------------------------------


FOREIGN = "This app only answers in its own Slack workspace."


@dataclass(frozen=True)
class Origin:
    """The workspace (or Enterprise Grid org) and app whose requests are served; None: not checked."""

    team_id: str | None
    app_id: str | None

    def problem(self, body: dict[str, Any]) -> str | None:
        """Why `body` is not for this app (another workspace or app), or None when it is."""
        if body.get("type") in {"url_verification", "ssl_check"}:
            return None  # Slack checking the Request URL: nothing to act on, no workspace named
        app = body.get("api_app_id")
        if self.app_id and app != self.app_id:
            return f"app {app or '(none)'} is not {self.app_id}"
        teams = _teams(body)
        if self.team_id and self.team_id not in teams:
            return f"workspace {', '.join(sorted(t for t in teams if t)) or '(none)'} is not {self.team_id}"
        return None

    def middleware(self) -> Callable[..., BoltResponse | None]:
        """bolt middleware refusing requests for another workspace or app (after the signature check).

        Events are acknowledged with 200 and nothing else: a 4xx makes Slack retry, and many
        failures in a row make it turn the app's event subscriptions off for everyone.
        """

        def refuse_foreign(body: dict, next: Callable[[], None]) -> BoltResponse | None:
            problem = self.problem(body)
            if problem is None:
                next()
                return None
            log.warning("refused a %s request: %s", body.get("type") or body.get("command") or "Slack", problem)
            if body.get("type") == "event_callback":
                return BoltResponse(status=200, body="")
            return BoltResponse(
                status=200,
                body=json.dumps({"response_type": "ephemeral", "text": FOREIGN}),
                headers={"content-type": "application/json"},
            )

        return refuse_foreign


def _teams(body: dict[str, Any]) -> set[str]:
    """The workspaces and orgs the request is delivered for (Slack Connect and Enterprise Grid may name several)."""
    found = {body.get("team_id"), body.get("enterprise_id")}
    team, enterprise, view = body.get("team"), body.get("enterprise"), body.get("view")
    if isinstance(team, dict):
        found |= {team.get("id"), team.get("enterprise_id")}
    found.add(enterprise.get("id") if isinstance(enterprise, dict) else enterprise)
    if isinstance(view, dict):
        found.add(view.get("app_installed_team_id"))
    for grant in body.get("authorizations") or []:
        found |= {grant.get("team_id"), grant.get("enterprise_id")}
    return {team for team in found if isinstance(team, str) and team}
