"""Who may do what with ATRs, from configuration: delegates per office and the secretariat.

Entries are Slack user ids ("U0123ABC") or user group ids ("S0123ABC"); a user's group
memberships are looked up by the bot and passed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from atr.errors import NotAllowed

HOW_TO_GET_ACCESS = (
    "To get access, ask the CWS Secretariat to add your Slack user (or a user group you are in) "
    "to the ATR delegates of your office in the CWS Assistant configuration (atr.delegates)."
)


@dataclass(frozen=True)
class AccessPolicy:
    delegates: dict[str, tuple[str, ...]] = field(default_factory=dict)  # user/group id → offices
    secretariat: tuple[str, ...] = ()  # user/group ids

    def _ids(self, user_id: str, group_ids: Iterable[str]) -> set[str]:
        return {user_id, *group_ids}

    def is_secretariat(self, user_id: str, group_ids: Iterable[str] = ()) -> bool:
        return bool(self._ids(user_id, group_ids) & set(self.secretariat))

    def offices_for(self, user_id: str, group_ids: Iterable[str] = ()) -> set[str]:
        ids = self._ids(user_id, group_ids)
        return {office for who, offices in self.delegates.items() if who in ids for office in offices}

    def check_submit(self, user_id: str, office: str, group_ids: Iterable[str] = ()) -> None:
        groups = list(group_ids)
        if self.is_secretariat(user_id, groups):
            return
        mine = self.offices_for(user_id, groups)
        if office in mine:
            return
        if mine:
            raise NotAllowed(f"You can submit ATRs for {', '.join(sorted(mine))} only, not for {office}.")
        raise NotAllowed(f"You are not registered as an ATR delegate of any office. {HOW_TO_GET_ACCESS}")

    def check_secretariat(self, user_id: str, group_ids: Iterable[str] = (), action: str = "do this") -> None:
        if not self.is_secretariat(user_id, group_ids):
            raise NotAllowed(f"Only the CWS Secretariat can {action}. {HOW_TO_GET_ACCESS}")

    @classmethod
    def from_settings(cls, delegates: dict[str, list[str]], secretariat: list[str]) -> AccessPolicy:
        """From the `atr:` configuration: user or group id → offices, and the secretariat."""
        return cls(
            {who: tuple(office.strip().upper() for office in offices) for who, offices in delegates.items()},
            tuple(secretariat),
        )

    @property
    def group_ids(self) -> set[str]:
        """User groups named anywhere in the policy (the bot resolves only these)."""
        return {i for i in [*self.delegates, *self.secretariat] if i.startswith("S")}
