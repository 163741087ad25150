"""One valid record of each of several tables, for tests that break one field at a time."""

from __future__ import annotations

import datetime as dt

VALID = {
    "events": {"title": "Street meeting", "event_type": "Street meeting", "area_code": "A1", "ward_code": "W1",
               "place": "The green", "start": dt.datetime(2025, 3, 3, 10), "end": dt.datetime(2025, 3, 3, 11),
               "organiser": "P1"},
    "ccrs": {"contact_at": dt.datetime(2025, 3, 4, 11), "area_code": "A1", "ward_code": "W1", "officer_id": "P1",
             "contact_method": "Face to face", "issues_text": "Drugs"},
    "patrols": {"officer_id": "P1", "patrol_type": "Foot", "start": dt.datetime(2025, 3, 7, 9),
                "end": dt.datetime(2025, 3, 7, 11), "area_code": "A1", "ward_code": "W1", "places": "High Street"},
    "ysywd": {"issue_category": "Speeding", "issue_text": "Racing", "source": "meeting", "area_code": "A1",
              "raised_on": dt.date(2025, 3, 1)},
    "quality_reviews": {"table_name": "patrols", "target_id": "p1", "target_version": 1, "reviewer_id": "S1",
                        "outcome": "pass"},
    "users": {"user_id": "N1", "name": "New", "email": "n1@example.police.uk", "role": "officer", "rank": "PC",
              "area_code": "A1"},
    "areas": {"area_code": "A9", "name": "East", "centre_lat": 51.5, "centre_lon": -1.0},
    "wards": {"ward_code": "W9", "name": "Meadow", "area_code": "A1", "centre_lat": 51.5, "centre_lon": -1.0},
    "picklists": {"list_name": "communities", "value": "Students", "position": 3},
    "settings": {"key": "force_name", "value": "Staffordshire"},
    "census_population": {"census_year": 2021, "geography_code": "E07000197", "geography_name": "Stafford",
                          "ethnicity_code": "W1", "ethnic_group": "White", "people": 1200, "source_file": "ts021.csv"},
    "news": {"title": "New radios", "body": "From Monday", "published_on": dt.date(2025, 3, 1)},
    "audit": {"user_id": "S1", "action": "export", "detail": "a detail"},
    "abstractions": {"officer_id": "P1", "area_code": "A1", "team": "NPT North", "date": dt.date(2025, 3, 8),
                     "hours": 8.0, "reason": "Response cover", "duty_taken_to": "Response shift cover"},
    "good_practice": {"title": "Speed watch", "area_code": "A1", "problem": "Speeding", "action": "Volunteers",
                      "result": "Speeds fell", "tags": ["Speeding"]},
    "useful_info": {"title": "Church keyholder", "area_code": "A1", "folder": "Keyholders", "body": "Verger"},
    "app_feedback": {"kind": "bug", "text": "Map blank"},
    "crimes": {"month": dt.date(2025, 1, 1), "reported_by": "Staffordshire Police",
               "falls_within": "Staffordshire Police", "crime_type": "Burglary", "source_file": "street.csv"},
    "diversity_months": {"area_code": "A1", "month": dt.date(2025, 1, 1), "respondents": 12,
                         "counts": [{"field": "age_band", "answer": "25-34", "count": 12}]},
    "ward_officers": {"ward_code": "W1", "area_code": "A1", "officer_id": "P1", "start_date": dt.date(2025, 1, 1)},
    "community_queries": {"received_at": dt.datetime(2025, 3, 4, 9), "channel": "Phone", "area_code": "A1",
                          "ward_code": "W1", "topic": "Speeding", "officer_id": "P1", "summary": "Speeding cars",
                          "answered_at": dt.datetime(2025, 3, 5, 9), "answer_channel": "E-mail"},
    "alerts_sent": {"alert_key": "query_due:q1", "condition": "query_due", "area_code": "A1", "ward_code": "W1",
                    "subject": "Query due within 12 hours", "recipients": ["p1@example.police.uk"],
                    "record_ids": ["q1"], "status": "sent", "attempts": 1, "message_id": "<q1@beatbook>",
                    "sent_at": dt.datetime(2025, 3, 4, 9)},
    "problems": {"title": "Verge parking", "statement": "Vans on the verges", "owner_id": "P1", "area_code": "A1",
                 "ward_codes": ["W1"], "opened_on": dt.date(2025, 3, 1), "review_on": dt.date(2025, 3, 29),
                 "change": "Opened"},
}
"""Every stored table should have a sample here: the schema tests check each one's fields."""
SYSTEM = {"record_id": "r1", "version": 1, "deleted": False, "written_at": dt.datetime(2025, 3, 1),
          "written_by": "S1", "submission_id": "s1", "superseded": False, "reference": 1}
