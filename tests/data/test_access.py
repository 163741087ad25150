"""Who may read or write what: role x capability, role x data function (with area scope), role x page.

The demo force's handy identities: u0001 officer and u0003 supervisor of
ST-STA, u0002 officer of ST-STK, u0004 commander, u0005 analyst, u0006 admin
(all three force-wide), and a supervisor of ST-STK. "inactive" is u0001 with
`active` false. Each data function below is tried by every one of them on a
record in ST-STA: those not listed as allowed are refused (`NotAllowed`) and
nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.activity import list_my_activity, list_my_feedback
from analytics.calendar import list_upcoming_events
from analytics.ccr_dash import ccr_details
from analytics.filters import Filters
from analytics.search import get_record, list_good_practice, list_useful_info, search
from data import access, audit, reference
from data.access import NotAllowed
from data.picklists import ROLES
from data.schema import DIVERSITY_FIELDS
from data.store import Store, ValidationError, new_submission_id
from forms.abstractions import save_abstraction
from forms.activity import edit_record
from forms.admin import save_quick_link
from forms.ccrs import save_ccr
from forms.events import cancel_event, get_event, save_event
from forms.export import audited
from forms.feedback import save_feedback
from forms.good_practice import save_good_practice
from forms.identity import USER_KEY
from forms.news import save_news
from forms.patrols import save_patrol
from forms.useful_info import save_useful_info
from tests.conftest import make_booking
from tests.forms.factories import make_abstraction, make_ccr, make_patrol

ROOT = Path(__file__).resolve().parents[2]
STA, STK = "ST-STA", "ST-STK"
WHO = ("officer", "supervisor", "commander", "analyst", "admin", "stk_officer", "stk_supervisor", "inactive")
TEAM_STA = {"officer", "supervisor"}
EVERYONE = set(WHO) - {"inactive"}

# -- the capability table, by hand ---------------------------------------------------

OFFICER_CAN = {"log_activity", "read_own_records", "read_team_records", "share", "ysywd_read", "ysywd_edit",
               "problem_read", "problem_edit"}
EXPECTED_CAPABILITIES = {
    "officer": OFFICER_CAN,
    "supervisor": OFFICER_CAN | {"add_info", "read_personal", "dip_check", "team_export", "read_quality",
                                 "ysywd_publish", "read_aggregates", "read_ccr_details", "export"},
    "commander": {"share", "ysywd_read", "problem_read", "read_quality", "ysywd_publish", "read_aggregates",
                  "read_ccr_details", "export"},
    "analyst": {"share", "ysywd_read", "problem_read", "read_quality", "ysywd_publish", "read_aggregates",
                "read_ccr_details", "export", "import"},
    "admin": {"share", "ysywd_read", "add_info", "import", "administer", "read_audit"},
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_has_exactly_its_capabilities(role):
    user = {"user_id": "x", "role": role, "area_code": "A1", "active": True}
    assert {c for c in access.CAPABILITIES if access.can(user, c)} == EXPECTED_CAPABILITIES[role]
    assert set(access.CAPABILITIES) >= EXPECTED_CAPABILITIES[role]


@pytest.mark.parametrize("user", [
    {"user_id": "x", "role": "supervisor", "area_code": "A1", "active": False},
    {"user_id": "x", "role": "chief constable", "area_code": "A1", "active": True},
    {"user_id": "", "role": "admin", "area_code": "A1", "active": True},
    {},
    None,
], ids=["inactive", "unknown role", "no id", "empty", "none"])
def test_nobody_can_do_anything(user):
    assert not any(access.can(user, c) for c in access.CAPABILITIES)
    with pytest.raises(NotAllowed):
        access.require(user, "share")


def test_area_scope():
    officer = {"user_id": "p", "role": "officer", "area_code": "A1", "active": True}
    commander = {"user_id": "c", "role": "commander", "area_code": "A1", "active": True}
    assert access.can(officer, "log_activity", "A1") and not access.can(officer, "log_activity", "A2")
    assert access.can(commander, "read_ccr_details", "A2"), "commanders work force-wide"
    assert access.areas_in_scope(officer, {"A1": "North", "A2": "South"}) == {"A1": "North"}
    assert access.areas_in_scope(commander, {"A1": "North", "A2": "South"}) == {"A1": "North", "A2": "South"}
    with pytest.raises(NotAllowed, match="A2 is outside your area"):
        access.require(officer, "log_activity", "A2")
    with pytest.raises(NotAllowed, match="a commander may not record"):
        access.require(commander, "log_activity", "A1")
    assert access.roles_with("log_activity") == ("officer", "supervisor")



def test_a_refusal_is_not_a_validation_error():
    """`except ValidationError` never swallows a refusal; a refusal keeps its words under "record" for a form."""
    assert not issubclass(NotAllowed, ValidationError)
    commander = {"user_id": "c", "role": "commander", "area_code": "A1", "active": True}
    with pytest.raises(NotAllowed) as refused:
        access.require(commander, "log_activity")
    assert refused.value.errors == {"record": "a commander may not record events, contacts, patrols or abstractions"}


def test_each_capability_names_its_roles_what_it_allows_and_how_a_refusal_says_it():
    for name, capability in access.CAPABILITIES.items():
        assert capability.roles <= set(ROLES) and capability.roles, name
        assert capability.allows and capability.refusal, name
        assert access.describe(name) == capability.refusal


# -- the data functions ---------------------------------------------------------------


def booked(store: Store, users: dict) -> str:
    """A fresh event booked in ST-STA by its officer, three days ahead."""
    values = make_booking(store, users["officer"], date=dt.date.today() + dt.timedelta(days=3))
    return save_event(store=store, values=values, user=users["officer"], submission_id=new_submission_id()).record_id


Action = Callable[[Store, dict, dict], object]
WRITES: dict[str, tuple[str, Action, set[str]]] = {
    # name: (table it writes, what it does in ST-STA, who may)
    "book an event": ("events", lambda s, u, us: save_event(
        store=s, values=make_booking(s, us["officer"], date=dt.date.today() + dt.timedelta(days=3)), user=u,
        submission_id=new_submission_id()), TEAM_STA),
    "cancel an event": ("events", lambda s, u, us: cancel_event(
        store=s, record_id=us["event"], values={"cancel_reason": "Hall double-booked"}, user=u,
        submission_id=new_submission_id(), base_version=1), TEAM_STA),  # the event was just booked
    "record a contact": ("ccrs", lambda s, u, us: save_ccr(
        store=s, values=make_ccr(s, us["officer"]), user=u, submission_id=new_submission_id()), TEAM_STA),
    "log a patrol": ("patrols", lambda s, u, us: save_patrol(
        store=s, values=make_patrol(s, us["officer"]), user=u, submission_id=new_submission_id()), TEAM_STA),
    "log an abstraction": ("abstractions", lambda s, u, us: save_abstraction(
        store=s, values=make_abstraction(s), user=u, submission_id=new_submission_id()),
        TEAM_STA | {"stk_officer", "stk_supervisor"}),  # always in one's own area
    "share good practice": ("good_practice", lambda s, u, us: save_good_practice(
        store=s, values={"title": "Bike marking", "area_code": STA, "problem": "Thefts", "action": "Marking",
                         "result": "Fewer thefts", "tags": []}, user=u, submission_id=new_submission_id()),
        EVERYONE - {"stk_officer", "stk_supervisor"}),
    "add useful information": ("useful_info", lambda s, u, us: save_useful_info(
        store=s, values={"title": "Church keyholder", "folder": "Keyholders", "body": "Verger", "area_code": STA},
        user=u, submission_id=new_submission_id()), {"supervisor", "admin"}),
    "send feedback": ("app_feedback", lambda s, u, us: save_feedback(
        store=s, values={"kind": "feedback", "text": "Works well"}, user=u, submission_id=new_submission_id()),
        EVERYONE),
    "post news": ("news", lambda s, u, us: save_news(
        store=s, values={"title": "New radios", "body": "From Monday", "published_on": dt.date.today()}, user=u,
        submission_id=new_submission_id()), {"admin"}),
    "set a quick link": ("settings", lambda s, u, us: save_quick_link(
        store=s, label="Intranet", url="https://intranet.example.police.uk", user=u,
        submission_id=new_submission_id()), {"admin"}),
}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("action", list(WRITES))
def test_who_may_write(world, action, who):
    store, users = world
    table, act, allowed = WRITES[action]
    users = {**users, "event": booked(store, users)}  # a fresh booked event in ST-STA, for changes
    if who in allowed:
        assert act(store, users[who], users).record_id
        return
    before = store.snapshot(table).rows
    with pytest.raises(NotAllowed):
        act(store, users[who], users)
    assert store.snapshot(table).rows == before, "a refused write writes nothing"


def test_an_officer_cannot_change_someone_elses_record_nor_one_after_losing_the_role(world):
    store, users = world
    mine = booked(store, users)
    with pytest.raises(NotAllowed, match="only change your own"):
        edit_record(store=store, table="events", record_id=mine, changes={"title": "Mine now"},
                    user=users["supervisor"], submission_id=new_submission_id(), base_version=1)
    for who in ("inactive", "commander"):
        with pytest.raises(NotAllowed):
            edit_record(store=store, table="events", record_id=mine, changes={"title": "Still mine?"},
                        user={**users[who], "user_id": users["officer"]["user_id"]},
                        submission_id=new_submission_id(), base_version=1)
    assert edit_record(store=store, table="events", record_id=mine, changes={"title": "Renamed"},
                       user=users["officer"], submission_id=new_submission_id(), base_version=1).version == 2


READS: dict[str, tuple[Callable[[Store, dict], object], set[str]]] = {
    "search team records": (lambda s, u: search(s, user=u), TEAM_STA | {"stk_officer", "stk_supervisor"}),
    "my activity": (lambda s, u: list_my_activity(s, user=u, limit=5),
                    TEAM_STA | {"stk_officer", "stk_supervisor"}),
    "my feedback": (lambda s, u: list_my_feedback(s, user=u), EVERYONE),
    "good practice": (lambda s, u: list_good_practice(s, user=u), EVERYONE),
    "useful information": (lambda s, u: list_useful_info(s, user=u), EVERYONE),
    "the area's calendar": (lambda s, u: list_upcoming_events(s, user=u, area_code=STA, now=dt.datetime.now()),
                            TEAM_STA),
    "the CCR details table": (lambda s, u: ccr_details(s, Filters(), user=u),
                              {"supervisor", "stk_supervisor", "commander", "analyst"}),
}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("read", list(READS))
def test_who_may_read(world, read, who):
    store, users = world
    run, allowed = READS[read]
    if who in allowed:
        run(store, users[who])
    else:
        with pytest.raises(NotAllowed):
            run(store, users[who])


def test_team_roles_see_their_own_areas_records_only(world):
    store, users = world
    names = reference.area_names(store)
    for who, area in (("officer", STA), ("supervisor", STA), ("stk_officer", STK), ("stk_supervisor", STK)):
        found = search(store, user=users[who], tables=("ccrs", "patrols"), limit=1000)
        mine = found["officer_id"] == users[who]["user_id"]
        assert len(found) and set(found.loc[~mine, "area_code"]) == {area}, who
        if who.endswith("supervisor"):
            assert set(ccr_details(store, Filters(), user=users[who]).rows["area"]) == {names[area]}, who
    force = ccr_details(store, Filters(), user=users["commander"])
    assert len(set(force.rows["area"])) > 1, "a commander's table is force-wide"
    with pytest.raises(NotAllowed, match="ST-STK is outside your area"):
        ccr_details(store, Filters(areas=(STK,)), user=users["supervisor"])
    assert not set(DIVERSITY_FIELDS) & set(force.rows.columns)


def test_ccr_diversity_answers_only_for_the_areas_supervisor(world):
    store, users = world
    values = make_ccr(store, users["officer"], diversity_consent=True, age_band="25-34", ethnicity="W1")
    ccr = save_ccr(store=store, values=values, user=users["officer"], submission_id=new_submission_id()).record_id
    audited = store.snapshot("audit").rows
    seen = {who: get_record(store, table="ccrs", record_id=ccr, user=users[who])
            for who in ("officer", "supervisor", "stk_officer", "stk_supervisor")}
    assert seen["officer"]["age_band"] == "25-34", "the officer who recorded it"
    assert seen["supervisor"]["ethnicity"] == "W1", "the area's supervisor (dip checks)"
    assert seen["stk_officer"] is None and seen["stk_supervisor"] is None, "another area sees nothing of it"
    assert store.snapshot("audit").rows == audited + 1, "the supervisor's view is audited"
    colleague = {**users["officer"], "user_id": "someone-else"}
    assert not set(DIVERSITY_FIELDS) & set(get_record(store, table="ccrs", record_id=ccr, user=colleague))


def test_events_are_opened_within_the_area_only(world):
    store, users = world
    event = booked(store, users)
    assert get_event(store, event, user=users["supervisor"])["record_id"] == event
    assert get_event(store, event, user=users["stk_officer"]) is None
    with pytest.raises(NotAllowed):
        get_event(store, event, user=users["commander"])


@pytest.mark.parametrize("who", WHO)
def test_downloads_are_made_for_export_roles_only_and_audited(world, who):
    store, users = world
    make = audited(lambda frames: b"a,b\n", {}, store=store, user=users[who], file_name="x.csv")
    before = store.snapshot("audit").rows
    if who in {"supervisor", "stk_supervisor", "commander", "analyst"}:
        assert make() == b"a,b\n"
        assert store.snapshot("audit").rows == before + 1
    else:
        with pytest.raises(NotAllowed):
            make()
        assert store.snapshot("audit").rows == before


def test_audit_log_once_logs_a_repeated_view_once(world):
    store, users = world
    before = store.snapshot("audit").rows
    assert audit.log_once(store, users["admin"], "admin_change", key=("test", 1), detail="x")
    assert not audit.log_once(store, users["admin"], "admin_change", key=("test", 1), detail="x")
    assert audit.log_once(store, users["admin"], "admin_change", key=("test", 2), detail="x")
    assert store.snapshot("audit").rows == before + 2


# -- pages ------------------------------------------------------------------------------

RECORD = {"pages/book_event.py", "pages/update_event.py", "pages/record_contact.py", "pages/log_patrol.py",
          "pages/log_abstraction.py", "pages/log_query.py"}
SHARED = {"pages/news.py", "pages/what_works_well.py", "pages/useful_info.py", "pages/feedback.py"}
EXPLORE = {"pages/events_overview.py", "pages/events_completed.py", "pages/event_outcomes.py",
           "pages/engagement_activity.py", "pages/ccr_outcomes.py", "pages/ccr_activity.py",
           "pages/patrols_abstractions.py", "pages/change_over_time.py", "pages/engagement_vs_demand.py",
           "pages/representativeness.py", "pages/guarantee.py"}
PAGES_OF = {
    "officer": RECORD | {"pages/my_activity.py", "pages/search.py"} | SHARED,
    "supervisor": RECORD | {"pages/my_activity.py", "pages/search.py"} | SHARED | EXPLORE
    | {"pages/dip_checks.py", "pages/quality.py"},
    "commander": SHARED | EXPLORE | {"pages/quality.py"},
    "analyst": SHARED | EXPLORE | {"pages/quality.py", "pages/import_data.py"},
    "admin": SHARED | {"pages/import_data.py", "pages/admin_users.py", "pages/admin_places.py",
                       "pages/admin_lists.py", "pages/audit_log.py", "pages/admin_ward_officers.py"},
}
YSYWD = {"pages/ysywd_board.py", "pages/ysywd_item.py"}
for _role, _pages in PAGES_OF.items():
    _pages |= YSYWD
    _pages |= {"pages/ysywd_raise.py"} if _role in ("officer", "supervisor") else set()
    _pages |= {"pages/ysywd_commander.py"} if _role in ("supervisor", "commander", "analyst") else set()
    _pages |= {"pages/ysywd_publish.py"} if _role != "officer" else set()
    _pages |= {"pages/problems.py", "pages/problems_by_stage.py"} if _role != "admin" else set()
DEMO_USER = {"officer": "u0001", "supervisor": "u0003", "commander": "u0004", "analyst": "u0005", "admin": "u0006"}
ALL_PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("[!_]*.py"))


def navigation_of(at: AppTest) -> set[str]:
    """The page scripts app.py gave st.navigation in the last run (AppTest's registry of them)."""
    pages = at._registered_pages.values()  # noqa: SLF001  (AppTest keeps no public list)
    return {Path(str(p["script_path"])).resolve().relative_to(ROOT).as_posix() for p in pages if p.get("script_path")}


@pytest.mark.parametrize("role", ROLES)
def test_navigation_lists_each_role_its_pages(app_store, role):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state[USER_KEY] = DEMO_USER[role]
    at.run()
    assert not at.exception, at.exception
    users = reference.list_users(app_store).set_index("user_id")
    assert users.loc[DEMO_USER[role], "role"] == role
    assert navigation_of(at) == PAGES_OF[role]
    hidden = sorted(set(ALL_PAGES) - PAGES_OF[role])
    if hidden:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(hidden[0])


@pytest.mark.parametrize("page", ALL_PAGES)
def test_a_page_refuses_a_role_without_its_capability(app_store, page, monkeypatch):
    refused = [role for role in ROLES if page not in PAGES_OF[role]]
    for role in refused:
        monkeypatch.setenv("BEATBOOK_DEMO_USER", DEMO_USER[role])
        at = AppTest.from_file(str(ROOT / page), default_timeout=60)
        at.run()
        assert not at.exception, (role, at.exception)
        assert [e.value for e in at.error if "not available to your role" in e.value], (page, role)
        assert not at.title, f"{page} drew its content for a {role}"
