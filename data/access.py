"""Who may do what: the one table of roles, capabilities and area scope.

Pages show each role only its pages, but hiding a page is not security: every
function that reads record-level data or writes anything calls `require` (or
`can`) itself, so a page that forgets, or a crafted request, changes and sees
nothing it should not.

A user is the users-table row (a mapping with `user_id`, `role`, `area_code`,
`active`). Officers and supervisors work in their own area (their team);
commanders, analysts and admins work force-wide.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from data.picklists import ROLES

EVERYONE = frozenset(ROLES)
TEAM_ROLES = frozenset({"officer", "supervisor"})
"""Roles confined to their own area (team); the others work force-wide."""


@dataclass(frozen=True)
class Capability:
    """One capability: the roles that have it, what it allows (for people reading the table), and the words a
    refusal uses after "may not" or "permission to"."""

    roles: frozenset[str]
    allows: str
    refusal: str


CAPABILITIES: dict[str, Capability] = {
    # the officer app
    "log_activity": Capability(frozenset({"officer", "supervisor"}),
        "Book and complete events; record CCRs, patrols and abstractions; change or withdraw one's own.",
        "record events, contacts, patrols or abstractions"),
    "read_own_records": Capability(frozenset({"officer", "supervisor"}),
        "My activity: one's own records, with the CCR answers one recorded.",
        "keep a list of records they submitted"),
    "read_team_records": Capability(frozenset({"officer", "supervisor"}),
        "Search the team's (area's) records (not abstractions), without diversity answers.",
        "search team records"),
    "share": Capability(EVERYONE,
        "Read news, read and share good practice, read one's own area's useful information; send app feedback.",
        "use the shared pages"),
    "add_info": Capability(frozenset({"supervisor", "admin"}),
        "Add useful information for one's own area (its team keeps it up to date).",
        "add useful information"),
    # supervision
    "read_personal": Capability(frozenset({"supervisor"}),
        "Record-level CCR diversity answers for one's area (dip checks). Every view is audited.",
        "see record-level diversity answers"),
    "dip_check": Capability(frozenset({"supervisor"}),
        "Work the dip-check queue for one's area: pass, advise or return submissions.",
        "dip check submissions"),
    "team_export": Capability(frozenset({"supervisor"}),
        "Export one's team's submissions to Excel. Audited.",
        "export team submissions"),
    "read_quality": Capability(frozenset({"supervisor", "commander", "analyst"}),
        "The quality view: checked share, pass rate and common faults per team and month.",
        "see the quality view"),
    # "You said, we did"
    "ysywd_read": Capability(EVERYONE,
        'See "You said, we did" items (the board, the commander view).',
        'see "You said, we did" items'),
    "ysywd_edit": Capability(frozenset({"officer", "supervisor"}),
        "Raise items in one's area, add actions and feedback, move their status.",
        'change "You said, we did" items'),
    "ysywd_publish": Capability(frozenset({"supervisor", "commander", "analyst"}),
        "Produce the public summary and its data.police.uk JSON.",
        'publish "You said, we did" summaries'),
    # problem solving (SARA)
    "problem_read": Capability(frozenset({"officer", "supervisor", "commander", "analyst"}),
        "See problem-solving (SARA) records and the problems-by-stage view (team roles: their own area).",
        "see problem-solving records"),
    "problem_edit": Capability(frozenset({"officer", "supervisor"}),
        "Open problems in one's area, move them through the SARA stages, plan and complete their actions.",
        "work problem-solving records"),
    # the dashboards
    "read_aggregates": Capability(frozenset({"supervisor", "commander", "analyst"}),
        "The Explore dashboards: counts with small numbers suppressed.",
        "see the dashboards"),
    "read_ccr_details": Capability(frozenset({"supervisor", "commander", "analyst"}),
        "Record-level CCR rows without diversity answers (the CCR details table). Every view is audited.",
        "see record-level contact details"),
    "export": Capability(frozenset({"supervisor", "commander", "analyst"}),
        "Download the data behind dashboard charts and tables. Audited.",
        "export dashboard data"),
    # data in and administration
    "import": Capability(frozenset({"analyst", "admin"}),
        "Import crime files, census tables and past spreadsheets.",
        "import data"),
    "administer": Capability(frozenset({"admin"}),
        "Users and roles, areas and wards, pick-lists, quick links, news, retention.",
        "change Beatbook's configuration"),
    "read_audit": Capability(frozenset({"admin"}),
        "Search the audit log.",
        "search the audit log"),
}


class NotAllowed(PermissionError):
    """The user may not do this (to this record). Not a `ValidationError`: a refusal is caught as a refusal.

    `errors` is `{"record": message}`, so a form can show it where it shows a record's errors.
    """

    def __init__(self, message: str):
        self.errors = {"record": message}
        super().__init__(f"record: {message}")


def role_of(user: Mapping[str, Any] | None) -> str | None:
    """The user's role, or None for nobody, an inactive user or an unknown role."""
    if not user or not user.get("user_id") or not user.get("active", True):
        return None
    role = user.get("role")
    return role if role in ROLES else None


def scope(user: Mapping[str, Any] | None) -> str | None:
    """The one area a team role is confined to; None for force-wide roles (and for nobody)."""
    return user.get("area_code") if role_of(user) in TEAM_ROLES else None


def in_scope(user: Mapping[str, Any] | None, area_code: str | None) -> bool:
    """Whether a record in `area_code` is within the user's area scope."""
    if role_of(user) is None:
        return False
    confined = scope(user)
    return confined is None or (area_code is not None and area_code == confined)


def roles_with(capability: str) -> tuple[str, ...]:
    """The roles that have `capability`, in the order of `ROLES` (what a page's `roles` field lists)."""
    if capability not in CAPABILITIES:
        raise KeyError(f"unknown capability {capability!r}")
    return tuple(role for role in ROLES if role in CAPABILITIES[capability].roles)


def areas_in_scope(user: Mapping[str, Any] | None, areas: Mapping[str, str]) -> dict[str, str]:
    """The areas (code -> name) of `areas` within the user's scope, in their order: what a form offers."""
    return {code: name for code, name in areas.items() if in_scope(user, code)}


def can(user: Mapping[str, Any] | None, capability: str, area_code: str | None = None) -> bool:
    """Whether `user` has `capability` (in `area_code`, when given)."""
    if capability not in CAPABILITIES:
        raise KeyError(f"unknown capability {capability!r}")
    role = role_of(user)
    if role is None or role not in CAPABILITIES[capability].roles:
        return False
    return area_code is None or in_scope(user, area_code)


def require(user: Mapping[str, Any] | None, capability: str, area_code: str | None = None) -> str:
    """The acting user's id; raise NotAllowed unless `can(user, capability, area_code)`."""
    if role_of(user) is None:
        raise NotAllowed("you are not signed in as an active Beatbook user")
    if not can(user, capability):
        role = str(user["role"])
        raise NotAllowed(f"{'an' if role[0] in 'aeiou' else 'a'} {role} may not {describe(capability)}")
    if area_code is not None and not in_scope(user, area_code):
        raise NotAllowed(f"{area_code} is outside your area")
    return str(user["user_id"])


def info_area(user: Mapping[str, Any] | None) -> str | None:
    """The one area whose useful information the user may see: their own team's (whatever the role's scope)."""
    if role_of(user) is None:
        return None
    return user.get("area_code") or None


def may_see_info(user: Mapping[str, Any] | None, area_code: str | None) -> bool:
    """Useful information is visible to the area's own team only."""
    return area_code is not None and can(user, "share") and info_area(user) == area_code


def may_edit_info(user: Mapping[str, Any] | None, area_code: str | None) -> bool:
    """Anyone in the area's team may keep its useful information up to date."""
    return may_see_info(user, area_code)


def may_add_info(user: Mapping[str, Any] | None, area_code: str | None) -> bool:
    """The area's supervisors and admins (`add_info`) may add useful information for it."""
    return may_see_info(user, area_code) and can(user, "add_info")


def describe(capability: str) -> str:
    """What `capability` lets one do, as words after "may not" or "permission to"."""
    found = CAPABILITIES.get(capability)
    return found.refusal if found else capability.replace("_", " ")
