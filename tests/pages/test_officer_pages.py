"""The officer app's share and "me" pages, driven by their widget keys in AppTest."""

from __future__ import annotations

import pytest

from analytics.activity import list_my_activity
from analytics.search import list_useful_info
from data import reference
from forms.ui.widgets import user_text
from tests.conftest import count_rows
from tests.pages.test_pages import open_page

OFFICER, STOKE_OFFICER, SERGEANT, ADMIN = "u0001", "u0002", "u0003", "u0006"  # Stafford, Stoke, Stafford x2
PAGES = ("pages/my_activity.py", "pages/search.py", "pages/news.py", "pages/what_works_well.py",
         "pages/useful_info.py", "pages/feedback.py")


SHARED = ("pages/news.py", "pages/what_works_well.py", "pages/useful_info.py", "pages/feedback.py")


@pytest.mark.parametrize(("page", "who"), [(page, who) for page in PAGES for who in (OFFICER, SERGEANT)]
                         + [(page, ADMIN) for page in SHARED])
def test_page_renders_for_each_role_that_has_it(app_store, page, who):
    at = open_page(page, who)
    assert at.title
    assert not at.error


def officer_row(store) -> dict:
    return reference.list_users(store).set_index("user_id").loc[OFFICER].to_dict() | {"user_id": OFFICER}


# -- what works well ------------------------------------------------------------------


def share_practice(at, title: str) -> None:
    key = "good_practice.{}".format
    at.text_input(key=key("title")).input(title)
    at.text_area(key=key("problem")).input("Cars parked on the pavement by the school")
    at.text_area(key=key("action")).input("Letters to parents and a parking patrol at drop-off")
    at.text_area(key=key("result")).input("Pavement clear within a week")
    at.multiselect(key=key("tags")).set_value(["Parking"])
    at.button(key=key("submit")).click().run()
    assert not at.exception, at.exception


def test_good_practice_is_shared_once_and_listed(app_store):
    before = count_rows(app_store, "good_practice")
    at = open_page("pages/what_works_well.py", OFFICER)
    share_practice(at, "School gate parking")
    assert count_rows(app_store, "good_practice") == before + 1
    record_id = at.success[0].value.split("**")[1]
    row = app_store.get("good_practice", record_id)
    assert (row["title"], row["area_code"], list(row["tags"])) == ("School gate parking", "ST-STA", ["Parking"])
    assert at.text_input(key="good_practice.title").value == ""

    share_practice(at, "School gate parking")  # a second tap with the same values
    assert count_rows(app_store, "good_practice") == before + 1
    assert "already shared" in at.success[0].value

    at.text_input(key="good_practice.search").input("school gate").run()
    assert [e.label for e in at.expander][0].startswith("**School gate parking**")


def test_invalid_good_practice_keeps_what_was_typed(app_store):
    before = count_rows(app_store, "good_practice")
    at = open_page("pages/what_works_well.py", OFFICER)
    at.text_area(key="good_practice.problem").input("Litter")
    at.button(key="good_practice.submit").click().run()
    assert count_rows(app_store, "good_practice") == before
    assert "**Title**" in at.error[0].value
    assert at.text_area(key="good_practice.problem").value == "Litter"


# -- useful information -----------------------------------------------------------------


def test_the_sergeant_adds_useful_information_for_the_area(app_store):
    before = count_rows(app_store, "useful_info")
    at = open_page("pages/useful_info.py", SERGEANT)
    assert at.selectbox(key="useful_info.target").value is None  # a new entry
    at.text_input(key="useful_info.title").input("Keyholder: Town hall")
    at.selectbox(key="useful_info.folder").set_value("Keyholders")
    at.text_area(key="useful_info.body").input("Facilities manager, 01865 000000")
    at.button(key="useful_info.submit").click().run()
    assert not at.exception, at.exception
    assert count_rows(app_store, "useful_info") == before + 1
    assert f"Saved: {user_text('Keyholder: Town hall')}" in at.success[0].value  # shown as typed, not as Markdown
    at.button(key="useful_info.submit").click().run()  # a second tap stores nothing new
    assert count_rows(app_store, "useful_info") == before + 1


def test_useful_information_shows_only_the_users_area(app_store):
    stafford = list_useful_info(app_store, user=reference.get_user(app_store, OFFICER))
    assert len(stafford), "the demo files useful information for Stafford"
    at = open_page("pages/useful_info.py", OFFICER)
    labels = " ".join(e.label for e in at.expander)
    assert all(user_text(title, one_line=True) in labels for title in stafford["title"])
    assert None not in at.selectbox(key="useful_info.target").options, "officers update, sergeants add"

    stoke = open_page("pages/useful_info.py", STOKE_OFFICER)
    labels = " ".join(e.label for e in stoke.expander)
    assert not any(user_text(title, one_line=True) in labels for title in stafford["title"])


# -- feedback and news -------------------------------------------------------------------


def test_feedback_is_sent_once_and_shown_to_its_sender(app_store):
    before = count_rows(app_store, "app_feedback")
    at = open_page("pages/feedback.py", OFFICER)
    at.radio(key="feedback.kind").set_value("bug")
    at.text_area(key="feedback.text").input("The map is blank on my phone")
    at.button(key="feedback.submit").click().run()
    at.radio(key="feedback.kind").set_value("bug")
    at.text_area(key="feedback.text").input("The map is blank on my phone")
    at.button(key="feedback.submit").click().run()
    assert not at.exception, at.exception
    assert count_rows(app_store, "app_feedback") == before + 1
    assert "The map is blank on my phone" in [t.value for t in at.text]  # shown as typed, with st.text


def test_admin_posts_news_and_officers_read_it(app_store):
    at = open_page("pages/news.py", ADMIN)
    at.text_input(key="news.title").input("Body-worn video refresh")
    at.text_area(key="news.body").input("New cameras from Monday.")
    at.button(key="news.submit").click().run()
    assert not at.exception, at.exception
    assert "Posted" in at.success[0].value

    officer = open_page("pages/news.py", OFFICER)
    assert officer.markdown[0].value == f"**{user_text('Body-worn video refresh')}**", "newest first"
    assert not [b for b in officer.button if b.key == "news.submit"], "only admins post"

    mine = open_page("pages/my_activity.py", OFFICER)
    assert any(user_text("Body-worn video refresh") in m.value for m in mine.markdown)


# -- my activity ---------------------------------------------------------------------------


def test_my_activity_edits_a_record_as_a_new_version(any_app_store):
    app_store = any_app_store
    item = list_my_activity(app_store, user=officer_row(app_store), tables=("patrols",)).iloc[0]
    at = open_page("pages/my_activity.py", OFFICER)
    key = f"patrols.{item.record_id}"
    at.button(key=f"my_activity.edit.{key}").click().run()
    at.text_area(key=f"my_activity.edit.{key}.v{item.version}.outcomes").input("Area quiet; two words of advice")
    at.button(key=f"my_activity.save.{key}").click().run()
    assert not at.exception, at.exception
    row = app_store.get("patrols", item.record_id)
    assert (row["version"], row["outcomes"]) == (item.version + 1, "Area quiet; two words of advice")
    assert "new version" in at.success[0].value


def test_my_activity_withdraws_after_confirmation(app_store):
    item = list_my_activity(app_store, user=officer_row(app_store), tables=("ccrs",)).iloc[0]
    at = open_page("pages/my_activity.py", OFFICER)
    key = f"ccrs.{item.record_id}"
    at.button(key=f"my_activity.withdraw.{key}").click().run()
    assert app_store.get("ccrs", item.record_id) is not None, "nothing happens before the confirmation"
    at.button(key=f"my_activity.confirm.{key}").click().run()
    assert not at.exception, at.exception
    assert app_store.get("ccrs", item.record_id) is None
    assert [v["deleted"] for v in app_store.history("ccrs", item.record_id)][:1] == [True]


def test_returned_items_come_first_with_the_comment(app_store):
    item = list_my_activity(app_store, user=officer_row(app_store), tables=("patrols",)).iloc[-1]  # an old one
    app_store.save("quality_reviews", {"table_name": "patrols", "target_id": item.record_id,
                                       "target_version": int(item.version), "reviewer_id": SERGEANT,
                                       "outcome": "returned", "comment": "Say what the tasking was"},
                   user=SERGEANT, submission_id="review-page-test")
    at = open_page("pages/my_activity.py", OFFICER)
    assert at.header[0].value == "Returned to you (1)"
    assert "Say what the tasking was" in at.warning[0].value


# -- search ----------------------------------------------------------------------------------


def test_search_finds_and_opens_a_record(any_app_store):
    at = open_page("pages/search.py", OFFICER)
    at.text_input(key="search.text").input("School gate").run()
    assert "0 found" in at.caption[0].value

    share = open_page("pages/what_works_well.py", OFFICER)
    share_practice(share, "School gate parking")
    at.text_input(key="search.text").input("school GATE").run()
    assert at.caption[0].value.startswith("1 found")
    (opener,) = [b for b in at.button if b.key.startswith("search.open.good_practice.")]
    shared = any_app_store.get("good_practice", opener.key.removeprefix("search.open.good_practice."))
    assert shared["title"] == "School gate parking"
    opener.click().run()
    assert not at.exception, at.exception
    assert at.query_params["open"].startswith("good_practice:")
    assert at.header[0].value == "Good practice: School gate parking"


def test_an_opened_ccr_shows_diversity_answers_to_the_areas_sergeant_only(app_store):
    ccrs = app_store.relation("ccrs")
    from data import db

    record_id = db.row(f"SELECT record_id FROM {ccrs} WHERE ethnicity IS NOT NULL"
                                    f" AND area_code = 'ST-STA' AND officer_id <> '{OFFICER}' LIMIT 1")[0]
    at = open_page("pages/search.py", OFFICER)
    at.query_params["open"] = f"ccrs:{record_id}"
    at.run()
    assert not at.exception, at.exception
    shown = at.markdown[0].value
    assert "Contact method" in shown
    for label in ("Ethnicity", "Religion", "Age band", "Sex", "Disability"):
        assert f"**{label}:**" not in shown

    audited = app_store.snapshot("audit").rows
    at = open_page("pages/search.py", SERGEANT)
    at.query_params["open"] = f"ccrs:{record_id}"
    at.run()
    assert not at.exception, at.exception
    assert "**Ethnicity:**" in at.markdown[0].value
    assert app_store.snapshot("audit").rows > audited, "the sergeant's view of the answers is audited"

    at = open_page("pages/search.py", STOKE_OFFICER)
    at.query_params["open"] = f"ccrs:{record_id}"
    at.run()
    assert "not yours to see" in at.warning[0].value, "another area's officer cannot open it"


def test_search_filters_by_type(app_store):
    at = open_page("pages/search.py", OFFICER)
    at.multiselect(key="search.tables").set_value(["patrols"]).run()
    kinds = {b.key.split(".")[2] for b in at.button if b.key.startswith("search.open.")}
    assert kinds == {"patrols"}
