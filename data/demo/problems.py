"""The demo force's problem-solving (SARA) records, each answering "You said, we did" items of its area.

Drawn from a random stream of their own after every other table (and from the "You said, we did" items
already written), so the demo's other tables are as they were. Each area with items has a few problems at
different stages, so across the force every stage is held: each problem's versions are its history
(opened, moved on, triangle written, actions planned and completed, assessed, closed), dated between the
day it was opened and today.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from data import picklists
from data.demo.columns import hex_list, new_ids
from data.demo.force import Force
from data.demo.guarantee import checked_table

PER_AREA = 4
PARTNERS = ("Council ASB team", "Housing association", "Highways", "Fire and rescue", "Youth service",
            "Licensing", "Parks and open spaces")
ACTIONS = ("Targeted patrols at the peak times", "Letters to the residents affected", "Joint visit with {partner}",
           "CCTV review with {partner}", "Environmental visual audit with {partner}", "Drop-in surgery in the ward")
TRIANGLES = (("Residents of the streets nearby, mostly older people", "A small group of local teenagers",
              "An unlit path between the estate and the shops"),
             ("Shop staff and customers", "A few repeat visitors from outside the ward",
              "A parade of shops with no guardians after 6pm"),
             ("Parents and children on the school run", "Drivers using the road as a cut-through",
              "A straight road with no traffic calming"))


class ProblemRecords:
    """Problems for the demo force, built row by row (there are few) and checked against the model."""

    def __init__(self, force: Force, rng: np.random.Generator, items: list[tuple]):
        """`items`: the "You said, we did" items with a ward: (record_id, area_code, ward_code, issue_category,
        raised_on)."""
        self.force, self.rng, self.today = force, rng, force.today
        self.items = items
        self.team = {code: [u["user_id"] for u in force.users if u["area_code"] == code
                            and u["role"] in ("officer", "supervisor")] for code in force.area_codes}
        self.ward_name = dict(zip(force.ward_codes, force.ward_names, strict=True))

    def table(self) -> pa.Table:
        rows: list[tuple[dict, dict]] = []
        stages = picklists.PROBLEM_STAGES
        for k, area in enumerate(self.force.area_codes):
            recent = [i for i in self.items if i[1] == area and (self.today - i[4]).days >= 30]
            if not recent or not self.team[area]:
                continue
            for n in range(PER_AREA):
                item = recent[int(self.rng.integers(0, len(recent)))]
                rows += self._problem(item, stages[(k + n) % len(stages)], area)
        return checked_table(self.rng, "problems", rows)

    def _problem(self, item: tuple, stage: str, area: str) -> list[tuple[dict, dict]]:
        item_id, _, ward, issue, raised = item
        owner = self.team[area][int(self.rng.integers(0, len(self.team[area])))]
        target = picklists.PROBLEM_STAGES.index(stage)
        back = int(self.rng.integers(21, 61)) * (target + 1)  # the further on, the longer ago it was opened
        opened = max(raised + dt.timedelta(days=1), self.today - dt.timedelta(days=back))
        days = (self.today - opened).days  # at least about three weeks: items are at least 30 days old

        def day(share: float) -> dt.date:
            return opened + dt.timedelta(days=int(days * share))

        victim, offender, location = TRIANGLES[int(self.rng.integers(0, len(TRIANGLES)))]
        partner = PARTNERS[int(self.rng.integers(0, len(PARTNERS)))]
        fields = {"title": f"{issue} in {self.ward_name.get(ward, ward)}",
                  "statement": f"Residents keep raising {issue.lower()} around {self.ward_name.get(ward, ward)}:"
                               f" most reports come in the evenings and at weekends.",
                  "stage": "scanning", "owner_id": owner, "area_code": area, "ward_codes": [ward],
                  "places": None, "opened_on": opened, "review_on": opened + dt.timedelta(weeks=4),
                  "ysywd_ids": [item_id], "change": "Opened"}
        steps: list[tuple[dt.date, dict]] = [(opened, fields)]

        def step(when: dt.date, **changes) -> None:
            steps.append((when, steps[-1][1] | changes))

        review = max(self.today + dt.timedelta(days=int(self.rng.integers(-20, 40))), opened)
        if target >= 1:
            step(day(0.1), stage="analysis", change="Stage: Scanning → Analysis")
            step(day(0.2), victim=victim, offender=offender, location=location, partners=[partner],
                 review_on=review, change="Changed: victim, offender, location, partner agencies, review date")
        if target >= 2:
            start, end = day(0.3), day(0.6) if target >= 3 else self.today + dt.timedelta(days=30)
            step(day(0.25), stage="response", response_start=start, response_end=end,
                 change="Stage: Analysis → Response")
            text = ACTIONS[int(self.rng.integers(0, len(ACTIONS)))].format(partner=partner)
            action = {"action_id": "a1", "text": text, "partner": partner if partner in text else None,
                      "planned_on": start, "completed_on": None, "officer_id": owner}
            step(day(0.28), actions=[action], change=f"Action planned: {text}")
            if target >= 3 or self.rng.random() < 0.5:
                step(min(day(0.5), self.today), actions=[action | {"completed_on": day(0.45)}],
                     change=f"Action completed: {text}")
        if target >= 3:
            step(day(0.7), stage="assessment", change="Stage: Response → Assessment")
        if target >= 4:
            step(day(0.9), assessment_note="Fewer reports since the response; residents told at the beat meeting.",
                 change="Changed: assessment")
            step(day(0.95), stage="closed", closed_on=day(0.95), change="Stage: Assessment → Closed")
        record_id = hex_list(new_ids(self.rng, 1))[0]
        rows = []
        for version, (when, values) in enumerate(steps, start=1):
            written = dt.datetime.combine(when, dt.time(int(self.rng.integers(8, 18)), int(self.rng.integers(0, 60))))
            rows.append((values, {"record_id": record_id, "version": version, "written_at": written,
                                  "written_by": owner, "submission_id": hex_list(new_ids(self.rng, 1))[0],
                                  "superseded": version < len(steps)}))
        return rows
