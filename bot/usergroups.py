"""Which of the ATR policy's Slack user groups a user belongs to (usergroups.users.list).

Only the groups named in the configuration are looked up, one call per group, and each
group's members are cached for five minutes, so a busy submission day costs a handful of
calls. With no groups configured no call is ever made (and `usergroups:read` is unused).
A failed lookup (missing scope, unknown group, Slack down) is logged as a warning and
counts as "not a member" for a minute, so access can only be narrowed, never widened, by
an error.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

log = logging.getLogger(__name__)

MEMBERS_TTL = 300.0
FAILURE_TTL = 60.0


class UserGroups:
    """Thread-safe cache of the members of `group_ids`, refreshed through the Web API."""

    def __init__(
        self,
        group_ids: Iterable[str],
        *,
        ttl: float = MEMBERS_TTL,
        failure_ttl: float = FAILURE_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.group_ids = tuple(sorted(set(group_ids)))
        self.ttl = ttl
        self.failure_ttl = failure_ttl
        self.clock = clock
        self._members: dict[str, tuple[float, frozenset[str]]] = {}  # group → (expires at, user ids)
        self._lock = threading.Lock()
        self._fetching: dict[str, threading.Lock] = {}  # one lookup per group at a time

    def of(self, user_id: str, client: WebClient) -> set[str]:
        """The configured groups `user_id` is a member of (no API call when none are configured)."""
        return {group for group in self.group_ids if user_id in self.members(group, client)}

    def members(self, group: str, client: WebClient) -> frozenset[str]:
        cached = self._cached(group)
        if cached is not None:
            return cached
        with self._lock:
            fetching = self._fetching.setdefault(group, threading.Lock())
        with fetching:
            cached = self._cached(group)  # another thread may have just fetched it
            if cached is not None:
                return cached
            users, ttl = self._fetch(group, client)
            with self._lock:
                self._members[group] = (self.clock() + ttl, users)
            return users

    def _cached(self, group: str) -> frozenset[str] | None:
        with self._lock:
            entry = self._members.get(group)
        if entry and entry[0] > self.clock():
            return entry[1]
        return None

    def _fetch(self, group: str, client: WebClient) -> tuple[frozenset[str], float]:
        try:
            response = client.usergroups_users_list(usergroup=group)
        except SlackApiError as exc:
            reason = exc.response.get("error") if exc.response is not None else exc
            log.warning("could not read the members of user group %s (%s): counted as not a member", group, reason)
            return frozenset(), self.failure_ttl
        except (SlackClientError, OSError) as exc:
            log.warning("could not read the members of user group %s (%r): counted as not a member", group, exc)
            return frozenset(), self.failure_ttl
        users = response.get("users") or []
        return frozenset(u for u in users if isinstance(u, str)), self.ttl
