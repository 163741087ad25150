"""The monthly area pack: what a command board reads, one printable PDF (and an HTML copy) per area and month.

Every figure comes from the read that the matching page uses, for the area and the calendar month:

- headline figures: `analytics.queries.summary` (labels from `analytics.metrics`);
- the Neighbourhood Policing Guarantee: `analytics.guarantee.guarantee` for the 91 days to the month's last
  day (as the Policing Guarantee page shows on that date), and the month's abstraction share;
- top issues: the summary's top issues (with a chart);
- "You said, we did" progress: `analytics.ysywd.ysywd_overview` (items raised in the month; overdue as of
  the month's last day);
- engagement vs demand: `analytics.demand.engagement_vs_demand` per ward (with a chart);
- coverage gaps: `list_coverage_gaps`, the wards with no engagement in the force's coverage gap
  (`coverage_gap_days`, default 28) to the month's last day, as the alerts judge it
  (`analytics.alerts.last_engagement_sql`: completed events and CCRs);
- problems by stage: `problems_section`, from `analytics.problems.problems_by_stage` at the month's end.

Small counts: a count of people or of contacts with them (people engaged, contacts, consents, sign-ups,
community queries, mentions of an issue) from 1 to 4 is shown as "<5" (`analytics.privacy.SMALL`), in the
tables and the charts alike (a chart leaves such a bar out). Counts of events, patrols and items are shown.
Nothing else printed gives a "<5" away (`tests/analytics/test_pack_disclosure.py` tries):

- engagement vs demand: the contacts and the community queries per ward add up to the area's total (the
  headline shows the contacts', and any share shown gives either away), so each column follows
  `analytics.privacy.hidden_cells` with its total known: where the total and the shown cells would pin a "<5",
  a second ward's count is hidden too ("[c]"). A ward's demand share is hidden with its queries count, its
  engagement share with its contacts count; if a column's total itself would give a "<5" away, every share
  built on it is hidden, and so is the headline's contacts figure. A ward with a hidden share is left out of
  the chart.
- the Guarantee: a ward's share of queries answered in 72 hours is hidden when its queries are "<5" (the share
  k/n of at most 4 queries can name n).

A pack is built as `Section`s of text (titles, notes, tables of strings, PNG charts); `render_pdf` (reportlab)
and `render_html` lay the same sections out, so the two copies hold the same figures. User text (ward and
area names, issue categories) is text in both: escaped for reportlab's paragraph markup and for HTML.
Making a pack needs `read_aggregates` and `export` in the area; each file written or downloaded is logged
as an "export" audit entry.
"""

from __future__ import annotations

import base64
import calendar
import dataclasses
import datetime as dt
import html
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pandas as pd

from analytics import sql
from analytics.alerts import alert_settings, last_engagement_sql
from analytics.demand import engagement_vs_demand
from analytics.export import file_stem
from analytics.filters import Filters, ward_scope
from analytics.guarantee import PERIOD_DAYS, guarantee
from analytics.metrics import METRICS
from analytics.privacy import HIDDEN, SMALL, THRESHOLD, hidden_cells
from analytics.problems import problems_by_stage
from analytics.queries import summary
from analytics.ysywd import ysywd_overview
from data import access, audit, reference
from data.store import Store

CHART_WARDS = 15
HEADLINE = ("events_booked", "events_completed", "attendees", "officer_attendances", "distinct_officers", "ccrs",
            "ccrs_diversity_consent", "smart_alert_signups", "intel_submissions", "ysywd_open", "ysywd_closed")
PEOPLE = frozenset({"attendees", "ccrs", "ccrs_diversity_consent", "smart_alert_signups"})
"""Headline figures that count people (or contacts with them): small ones are suppressed."""
PROBLEM_COLUMNS = ("stage_label", "problems", "under_31_days", "days_31_to_90", "over_90_days", "mean_age_days",
                   "reviews_overdue")
"""The columns of `analytics.problems.problems_by_stage` the pack shows."""


@dataclasses.dataclass
class Section:
    """One part of a pack: a title, notes, at most one table (header + rows of text) and one chart (PNG)."""

    title: str
    notes: list[str] = dataclasses.field(default_factory=list)
    header: list[str] = dataclasses.field(default_factory=list)
    rows: list[list[str]] = dataclasses.field(default_factory=list)
    chart: bytes | None = None
    chart_alt: str = ""
    charted: list[str] = dataclasses.field(default_factory=list)
    """The names of the chart's bars (rows), top first."""
    new_page: bool = False


@dataclasses.dataclass
class AreaPack:
    area_code: str
    area: str
    month: dt.date
    force_name: str
    sections: list[Section]

    @property
    def title(self) -> str:
        return f"{self.area} ({self.area_code}): monthly area pack, {self.month:%B %Y}"

    @property
    def stem(self) -> str:
        return f"pack-{file_stem(self.area_code) or 'area'}-{self.month:%Y-%m}"


# -- figures ----------------------------------------------------------------------------------


def month_range(month: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of `month`'s calendar month."""
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def count_text(value: Any, *, people: bool = False) -> str:
    """A count as the pack shows it: "<5" for 1 to 4 people, else with thousands separators."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "-"
    number = int(value)
    return SMALL if people and 0 < number < THRESHOLD else f"{number:,}"


def _share(value: Any) -> str:
    return "-" if value is None or pd.isna(value) else f"{float(value):.1%}"


def _days(value: Any) -> str:
    return "-" if value is None or pd.isna(value) else f"{float(value):.1f}"


def _date(value: Any) -> str:
    return "-" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%d %b %Y}"


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None or (not hasattr(value, "__len__") and pd.isna(value)) else str(value)


@sql.scoped("read_aggregates")
def list_coverage_gaps(store: Store, filters: Filters | None = None, *, user: Mapping[str, Any],
                       days: int | None = None) -> pd.DataFrame:
    """The wards in scope whose last engagement (`analytics.alerts.last_engagement_sql`) up to the end of
    `filters.end` (today if none) is `days` days or more before it (the force's coverage gap if None), or who
    have none: ward_code, ward, area_code, last_engagement (a date; None if never), days_since (None if never);
    never-engaged first, then the longest gap first. The alerts flag the same wards on that day."""
    return sql.cached(_coverage_gaps, store, filters, tables=("wards", "events", "ccrs"),
                      end=(filters or Filters()).end or dt.date.today(),
                      days=alert_settings(store).gap_days if days is None else days)


def _coverage_gaps(relations: Mapping[str, str], filters: Filters, *, end: dt.date, days: int) -> pd.DataFrame:
    scope, params = ward_scope(filters)
    query = f"""
        WITH w AS (SELECT ward_code, name AS ward, area_code FROM {relations['wards']} WHERE {scope}),
        last AS ({last_engagement_sql(relations, until='?::TIMESTAMP')})
        SELECT w.ward_code, w.ward, w.area_code, last.day AS last_engagement
        FROM w LEFT JOIN last USING (ward_code)
        WHERE last.day IS NULL OR ?::DATE - last.day >= ?
        ORDER BY last.day NULLS FIRST, w.ward_code"""
    gaps = sql.run(query, [*params, dt.datetime.combine(end, dt.time.max), end, days])
    gaps["days_since"] = [None if pd.isna(day) else (end - pd.Timestamp(day).date()).days
                          for day in gaps["last_engagement"]]
    return gaps


# -- sections ---------------------------------------------------------------------------------


def headline_section(figures: Mapping[str, Any], *, hidden: frozenset[str] = frozenset()) -> Section:
    """The month's headline figures; a figure named in `hidden` is "<5" or "[c]" whatever its size (a total
    that would give a ward's "<5" away)."""
    rows = [[METRICS[name].label, _hidden_text(figures[name]) if name in hidden
             else count_text(figures[name], people=name in PEOPLE)] for name in HEADLINE]
    notes = [f"{SMALL}: fewer than {THRESHOLD} people (or contacts)."]
    if any(row[1] == HIDDEN for row in rows):
        notes.append(f"{HIDDEN}: hidden so that a {SMALL} elsewhere in the pack cannot be worked out from it.")
    return Section("Headline figures", header=["Measure", "Month"], rows=rows, notes=notes)


def _hidden_text(value: Any) -> str:
    return SMALL if 0 < int(value) < THRESHOLD else HIDDEN


@dataclasses.dataclass(frozen=True)
class PeopleColumn:
    """A count of people per ward as the pack prints it, when the area's total can be known (see the module)."""

    texts: list[str]
    hidden: frozenset[int]
    total_hidden: bool

    @classmethod
    def of(cls, counts: Sequence[Any]) -> PeopleColumn:
        values = [int(c) for c in counts]
        hidden, total_hidden = hidden_cells(values)
        return cls([_hidden_text(v) if i in hidden else f"{v:,}" for i, v in enumerate(values)], hidden,
                   total_hidden)

    def share_hidden(self, position: int) -> bool:
        """Whether a share built on this column is hidden for the ward at `position`."""
        return self.total_hidden or position in self.hidden


def top_issues_section(issues: Sequence[Mapping[str, Any]]) -> Section:
    section = Section("Top issues", header=["Issue", "Mentions"],
                      rows=[[_text(i["issue"]), count_text(i["count"], people=True)] for i in issues])
    if not issues:
        section.notes.append("No issues raised at events or in contacts this month.")
    shown = [(str(i["issue"]), int(i["count"])) for i in issues if int(i["count"]) >= THRESHOLD]
    if shown:
        section.chart = bar_chart_png([name for name, _ in shown], [n for _, n in shown], xlabel="Mentions")
        section.chart_alt = "Top issues by mentions"
        section.charted = [name for name, _ in shown]
    return section


def guarantee_section(figures: Any, month_row: Mapping[str, Any] | None) -> Section:
    wards = figures.wards
    rows = [[_text(w["ward"]), _text(w["named_officers"]) or "none", count_text(w["priorities_open"]),
             "yes" if w["priorities_current"] else "no", count_text(w["beat_meetings_91d"]),
             count_text(w["queries_received"], people=True),
             HIDDEN if 0 < int(w["queries_received"]) < THRESHOLD else _share(w["queries_answered_72h"]),
             count_text(w["queries_open_late"], people=True)] for w in wards.to_dict("records")]
    section = Section("Neighbourhood Policing Guarantee", new_page=True,
                      header=["Ward", "Named officers", "Open priorities", "Current", "Beat meetings",
                              "Queries", "In 72 h", "Open late"], rows=rows)
    section.notes.append(f"The {PERIOD_DAYS} days to {figures.end:%d %B %Y}, as the Policing Guarantee page "
                         "shows them on that day.")
    if len(figures.areas):
        area = figures.areas.iloc[0]
        section.notes.append(f"Abstraction share: {_share(area['abstraction_share'])} over the period"
                             + (f", {_share(month_row['abstraction_share'])} in the month" if month_row else "")
                             + f". Hotspot patrol share: {_share(area['hotspot_patrol_share'])}.")
    if wards.empty:
        section.notes.append("The area has no wards.")
    elif ((wards["queries_received"] > 0) & (wards["queries_received"] < THRESHOLD)).any():
        section.notes.append(f"In 72 h {HIDDEN}: hidden where the queries are {SMALL}, as it would give their "
                             "number away.")
    return section


def ysywd_section(overview: Any) -> Section:
    head = overview.headline
    rows = [["Raised in the month", count_text(head["raised"])], ["Actioned", count_text(head["actioned"])],
            ["Told back", count_text(head["fed_back"])], ["Closed", count_text(head["closed"])],
            ["Median days to action", _days(head["median_days_to_action"])],
            ["Median days to feedback", _days(head["median_days_to_feedback"])],
            ["No action after the set days", count_text(head["overdue"])]]
    return Section('"You said, we did" progress', new_page=True, header=["Measure", "Items"], rows=rows,
                   notes=["Items raised in the month; actioned and told back count those that have had an "
                          "action, or feedback, since."])


def problems_section(problems: pd.DataFrame) -> Section:
    """Problems by SARA stage (one area's rows of `problems_by_stage`: `PROBLEM_COLUMNS`) as a pack section."""
    rows = [[_text(p["stage_label"]), count_text(p["problems"]), count_text(p["under_31_days"]),
             count_text(p["days_31_to_90"]), count_text(p["over_90_days"]), _days(p["mean_age_days"]),
             count_text(p["reviews_overdue"])]
            for p in problems.to_dict("records")]
    section = Section("Problems by stage", header=["Stage", "Problems", "Up to 30 days", "31-90 days",
                                                   "Over 90 days", "Mean age (days)", "Reviews overdue"], rows=rows)
    if problems.empty or not problems["problems"].sum():
        section.notes.append("No problem-solving records for this area.")
    else:
        section.notes.append("Age: days from opening to the month's last day (or to closing).")
    return section


def demand_columns(wards: pd.DataFrame) -> tuple[PeopleColumn, PeopleColumn]:
    """The queries and the contacts per ward (`Demand.wards`) as the pack prints them."""
    return PeopleColumn.of(wards["queries"]), PeopleColumn.of(wards["ccrs"])


def demand_section(demand: Any) -> Section:
    wards = demand.wards.reset_index(drop=True)
    queries, contacts = demand_columns(wards)
    demand_hidden = [queries.share_hidden(i) for i in range(len(wards))]
    engagement_hidden = [contacts.share_hidden(i) for i in range(len(wards))]
    rows = [[_text(w["ward"]), count_text(w["crimes"]), count_text(w["asb"]), queries.texts[i],
             count_text(w["events"]), contacts.texts[i], count_text(w["patrols"]),
             HIDDEN if demand_hidden[i] else _share(w["demand_share"]),
             HIDDEN if engagement_hidden[i] else _share(w["engagement_share"])]
            for i, w in enumerate(wards.to_dict("records"))]
    section = Section("Engagement vs demand", new_page=True,
                      header=["Ward", "Crimes", "ASB", "Queries", "Events", "Contacts", "Patrols", "Demand share",
                              "Engagement share"], rows=rows,
                      notes=[f"Crime and ASB from {demand.crime_months} month(s) of data.police.uk records; shares "
                             "are of the area's totals."])
    if queries.hidden or contacts.hidden:
        section.notes.append(f"{HIDDEN}: hidden so that a {SMALL} cannot be worked out from the area's total; "
                             f"a share is hidden with the count it is built on, and such a ward is not charted.")
    charted = wards[[not (d or e) for d, e in zip(demand_hidden, engagement_hidden, strict=True)]]
    if len(charted) and (charted["demand_share"].fillna(0).sum() or charted["engagement_share"].fillna(0).sum()):
        top = charted.sort_values(["demand_share", "ward_code"], ascending=[False, True]).head(CHART_WARDS)
        section.chart = paired_bar_chart_png([_text(w) for w in top["ward"]],
                                             top["demand_share"].fillna(0).tolist(),
                                             top["engagement_share"].fillna(0).tolist(),
                                             labels=("Demand share", "Engagement share"))
        section.chart_alt = "Demand and engagement share by ward"
        section.charted = [_text(w) for w in top["ward"]]
    return section


def gaps_section(gaps: pd.DataFrame, *, days: int) -> Section:
    rows = [[_text(g["ward"]), _date(g["last_engagement"]),
             "never" if g["days_since"] is None or pd.isna(g["days_since"]) else f"{int(g['days_since']):,}"]
            for g in gaps.to_dict("records")]
    section = Section("Coverage gaps", header=["Ward", "Last engagement", "Days since"], rows=rows,
                      notes=[f"Wards with no completed event or contact in the {days} days to the month's last day"
                             " (the force's coverage gap, as the alerts judge it)."])
    if gaps.empty:
        section.notes.append("None: every ward had engagement.")
    return section


def require_ended(month: dt.date, *, today: dt.date | None = None) -> None:
    """Refuse (ValueError) a month that has not ended by `today`: a pack reports a whole month, as it stands."""
    first, last = month_range(month)
    today = today or dt.date.today()
    if last >= today:
        raise ValueError(f"{first:%B %Y} has not ended yet: a monthly pack is made once its month is over"
                         f" (from {last + dt.timedelta(days=1):%d %B %Y})")


def build_area_pack(store: Store, *, user: Mapping[str, Any], area_code: str, month: dt.date,
                    force_name: str = "", gap_days: int | None = None, today: dt.date | None = None) -> AreaPack:
    """The pack of one area for `month`'s calendar month (one that has ended), from the pages' own reads."""
    access.require(user, "read_aggregates", area_code)
    access.require(user, "export", area_code)
    require_ended(month, today=today)
    first, last = month_range(month)
    filters = Filters(start=first, end=last, areas=(area_code,))
    figures = summary(store, filters)
    promise = guarantee(store, Filters(end=last, areas=(area_code,)), user=user)
    month_rows = promise.months[pd.to_datetime(promise.months["month"]).dt.date == first].to_dict("records")
    overview = ysywd_overview(store, filters, user=user, today=last)
    demand = engagement_vs_demand(store, filters, user=user)
    gap_days = alert_settings(store).gap_days if gap_days is None else gap_days
    gaps = list_coverage_gaps(store, Filters(end=last, areas=(area_code,)), user=user, days=gap_days)
    problems = problems_by_stage(store, Filters(end=last, areas=(area_code,)), user=user)
    contacts = demand_columns(demand.wards)[1]
    sections = [headline_section(figures, hidden=frozenset({"ccrs"} if contacts.total_hidden else ())),
                top_issues_section(figures["top_issues"]),
                guarantee_section(promise, month_rows[0] if month_rows else None), ysywd_section(overview),
                problems_section(problems), demand_section(demand), gaps_section(gaps, days=gap_days)]
    area = reference.area_names(store).get(area_code, area_code)
    return AreaPack(area_code, area, first, force_name, sections)


def pack_areas(store: Store, *, user: Mapping[str, Any], areas: Sequence[str] = ()) -> list[str]:
    """The areas to make packs for: those asked for (each must exist and be in the user's scope), else every
    area in the user's scope."""
    known = list(reference.list_areas(store)["area_code"])
    for code in areas:
        if code not in known:
            raise ValueError(f"no area {code} in the store")
        access.require(user, "read_aggregates", code)
    return list(areas) if areas else [code for code in known if access.in_scope(user, code)]


# -- charts -------------------------------------------------------------------------------------


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
    return buffer.getvalue()


def bar_chart_png(names: Sequence[str], values: Sequence[float], *, xlabel: str) -> bytes:
    """A horizontal bar chart, largest on top, as PNG bytes."""
    from matplotlib.figure import Figure  # no pyplot: no global state, safe in a server

    figure = Figure(figsize=(6.5, 0.4 * len(names) + 0.9))
    axes = figure.subplots()
    axes.barh(list(reversed(names)), list(reversed(values)), color="#1f5f8b")
    axes.set_xlabel(xlabel)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def paired_bar_chart_png(names: Sequence[str], first: Sequence[float], second: Sequence[float], *,
                         labels: tuple[str, str]) -> bytes:
    """Two shares per name, side by side (horizontal bars), as PNG bytes."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.5, 0.45 * len(names) + 1.2))
    axes = figure.subplots()
    positions = list(range(len(names)))[::-1]
    axes.barh([p + 0.2 for p in positions], [v * 100 for v in first], height=0.4, label=labels[0], color="#b3541e")
    axes.barh([p - 0.2 for p in positions], [v * 100 for v in second], height=0.4, label=labels[1], color="#1f5f8b")
    axes.set_yticks(positions, list(names))
    axes.set_xlabel("Share of the area (%)")
    axes.legend(loc="lower right", frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


# -- rendering ------------------------------------------------------------------------------------


def render_pdf(pack: AreaPack) -> bytes:
    """The pack as a printable A4 PDF (reportlab): a title page part, then a page per group of sections."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=pack.title, author=pack.force_name or "Beatbook",
                                 leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm)
    width = A4[0] - 30 * mm
    story: list[Any] = [Paragraph(escape(pack.title), styles["Title"])]
    if pack.force_name:
        story.append(Paragraph(escape(pack.force_name), styles["Normal"]))
    for section in pack.sections:
        if section.new_page:
            story.append(PageBreak())
        story += [Spacer(1, 4 * mm), Paragraph(escape(section.title), styles["Heading2"])]
        story += [Paragraph(escape(note), styles["Normal"]) for note in section.notes]
        if section.chart:
            image = Image(io.BytesIO(section.chart))
            scale = min(width / image.imageWidth, 90 * mm / image.imageHeight)
            image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
            story += [Spacer(1, 2 * mm), image]
        if section.rows:
            table = Table([section.header, *section.rows], repeatRows=1, hAlign="LEFT")
            table.setStyle(TableStyle([
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8), ("FONT", (0, 1), (-1, -1), "Helvetica", 8),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story += [Spacer(1, 2 * mm), table]
    document.build(story, onFirstPage=_footer(pack), onLaterPages=_footer(pack))
    return buffer.getvalue()


def _footer(pack: AreaPack):
    def draw(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(document.leftMargin, 8 * 2.834645669,
                          f"{pack.area_code} {pack.month:%B %Y} - page {document.page} - OFFICIAL")
        canvas.restoreState()

    return draw


def render_html(pack: AreaPack) -> str:
    """The pack as one self-contained HTML page (charts inline), every text escaped."""
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(pack.title)}</title>",
             "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
             "table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #999;padding:.2rem .5rem}"
             "td+td{text-align:right}img{max-width:100%}@media print{.page{break-before:page}}</style></head><body>",
             f"<h1>{html.escape(pack.title)}</h1>"]
    if pack.force_name:
        parts.append(f"<p>{html.escape(pack.force_name)}</p>")
    for section in pack.sections:
        parts.append(f"<section{' class=page' if section.new_page else ''}><h2>{html.escape(section.title)}</h2>")
        parts += [f"<p>{html.escape(note)}</p>" for note in section.notes]
        if section.chart:
            data = base64.b64encode(section.chart).decode("ascii")
            parts.append(f"<img src='data:image/png;base64,{data}' alt='{html.escape(section.chart_alt, quote=True)}'>")
        if section.rows:
            head = "".join(f"<th>{html.escape(h)}</th>" for h in section.header)
            body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                           for row in section.rows)
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "".join(parts)


# -- files ------------------------------------------------------------------------------------------


def make_pack_file(store: Store, *, user: Mapping[str, Any], area_code: str, month: dt.date, fmt: str = "pdf",
                   force_name: str = "", context: str = "") -> bytes:
    """One area's pack as PDF (or, `fmt="html"`, HTML) bytes, for a download; logged as an "export" audit entry."""
    if fmt not in ("pdf", "html"):
        raise ValueError("a pack is a pdf or an html file")
    pack = build_area_pack(store, user=user, area_code=area_code, month=month, force_name=force_name)
    data = render_pdf(pack) if fmt == "pdf" else render_html(pack).encode("utf-8")
    _log(store, user, pack, [f"{pack.stem}.{fmt}"], context)
    return data


def write_packs(store: Store, out: str | Path, *, user: Mapping[str, Any], month: dt.date,
                areas: Sequence[str] = (), force_name: str = "") -> list[Path]:
    """A PDF and an HTML copy of the pack of each area (`pack_areas`) into `out`; the paths written."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for code in pack_areas(store, user=user, areas=areas):
        pack = build_area_pack(store, user=user, area_code=code, month=month, force_name=force_name)
        pdf, page = folder / f"{pack.stem}.pdf", folder / f"{pack.stem}.html"
        pdf.write_bytes(render_pdf(pack))
        page.write_text(render_html(pack), encoding="utf-8")
        _log(store, user, pack, [pdf.name, page.name], "command line")
        written += [pdf, page]
    return written


def _log(store: Store, user: Mapping[str, Any], pack: AreaPack, files: Sequence[str], context: str) -> None:
    detail = f"{' and '.join(files)}: monthly area pack of {pack.area_code} for {pack.month:%Y-%m}"
    audit.log(store, user, "export", detail=detail + (f"; {context}" if context else ""))
