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
from typing import Any

from data.picklists import ROLES
from data.store import ValidationError

EVERYONE = frozenset(ROLES)
TEAM_ROLES = frozenset({"officer", "supervisor"})
"""Roles confined to their own area (team); the others work force-wide."""

CAPABILITIES: dict[str, tuple[frozenset[str], str]] = {
    # capability: (roles that have it, what it allows)
    # the officer app
    "log_activity": (frozenset({"officer", "supervisor"}),
        "Book and complete events; record CCRs, patrols and abstractions; change or withdraw one's own."),
    "read_own_records": (frozenset({"officer", "supervisor"}),
        "My activity: one's own records, with the CCR answers one recorded."),
    "read_team_records": (frozenset({"officer", "supervisor"}),
        "Search the team's (area's) events, CCRs and patrols, without diversity answers."),
    "share": (EVERYONE,
        "Read news, read and share good practice, read one's own area's useful information; send app feedback."),
    "add_info": (frozenset({"supervisor", "admin"}),
        "Add useful information for one's own area (its team keeps it up to date)."),
    # supervision
    "read_personal": (frozenset({"supervisor"}),
        "Record-level CCR diversity answers for one's area (dip checks). Every view is audited."),
    "dip_check": (frozenset({"supervisor"}),
        "Work the dip-check queue for one's area: pass, advise or return submissions."),
    "team_export": (frozenset({"supervisor"}),
        "Export one's team's submissions to Excel. Audited."),
    "read_quality": (frozenset({"supervisor", "commander", "analyst"}),
        "The quality view: checked share, pass rate and common faults per team and month."),
    # "You said, we did"
    "ysywd_read": (EVERYONE,
        'See "You said, we did" items (the board, the commander view).'),
    "ysywd_edit": (frozenset({"officer", "supervisor"}),
        "Raise items in one's area, add actions and feedback, move their status."),
    "ysywd_publish": (frozenset({"supervisor", "commander", "analyst"}),
        "Produce the public summary and its data.police.uk JSON."),
    # the dashboards
    "read_aggregates": (frozenset({"supervisor", "commander", "analyst"}),
        "The Explore dashboards: counts with small numbers suppressed."),
    "read_ccr_details": (frozenset({"supervisor", "commander", "analyst"}),
        "Record-level CCR rows without diversity answers (the CCR details table). Every view is audited."),
    "export": (frozenset({"supervisor", "commander", "analyst"}),
        "Download the data behind dashboard charts and tables. Audited."),
    # data in and administration
    "import": (frozenset({"analyst", "admin"}),
        "Import crime files, census tables and past spreadsheets."),
    "administer": (frozenset({"admin"}),
        "Users and roles, areas and wards, pick-lists, quick links, news, retention."),
    "read_audit": (frozenset({"admin"}),
        "Search the audit log."),
}


class NotAllowed(ValidationError):
    """The user may not do this (to this record); shown by forms like any other error, under "record"."""

    def __init__(self, message: str):
        super().__init__({"record": message})


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
    return tuple(role for role in ROLES if role in CAPABILITIES[capability][0])


def areas_in_scope(user: Mapping[str, Any] | None, areas: Mapping[str, str]) -> dict[str, str]:
    """The areas (code -> name) of `areas` within the user's scope, in their order: what a form offers."""
    return {code: name for code, name in areas.items() if in_scope(user, code)}


def can(user: Mapping[str, Any] | None, capability: str, area_code: str | None = None) -> bool:
    """Whether `user` has `capability` (in `area_code`, when given)."""
    if capability not in CAPABILITIES:
        raise KeyError(f"unknown capability {capability!r}")
    role = role_of(user)
    if role is None or role not in CAPABILITIES[capability][0]:
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


def describe(capability: str) -> str:
    """What `capability` lets one do, as words after "may not" or "permission to"."""
    return {
        "log_activity": "record events, contacts, patrols or abstractions",
        "read_own_records": "keep a list of records they submitted",
        "read_team_records": "search team records",
        "share": "use the shared pages",
        "add_info": "add useful information",
        "read_personal": "see record-level diversity answers",
        "dip_check": "dip check submissions",
        "team_export": "export team submissions",
        "read_quality": "see the quality view",
        "ysywd_read": "see \"You said, we did\" items",
        "ysywd_edit": "change \"You said, we did\" items",
        "ysywd_publish": "publish \"You said, we did\" summaries",
        "read_aggregates": "see the dashboards",
        "read_ccr_details": "see record-level contact details",
        "export": "export dashboard data",
        "import": "import data",
        "administer": "change Beatbook's configuration",
        "read_audit": "search the audit log",
    }.get(capability, capability.replace("_", " "))
