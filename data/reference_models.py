"""Models of the reference and system tables (audit, areas, wards, users, pick-lists, settings) and of imported data."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from data import picklists
from data.checked import INT64_MAX, Code, Lat, Lon, LongText, Record, Text


class AuditEntry(Record):
    """Who did what, when, to which records: append-only."""

    user_id: Code
    """Who acted."""
    action: Code
    """What they did: sign_in, sign_out, export, view_personal, import, admin_change, retention, publish or alert."""
    table_name: Code | None = None
    """Table concerned, if any."""
    target_ids: list[str] = Field(default_factory=list)
    """Records concerned."""
    detail: LongText | None = None
    """Filters of an export, or other context."""


class Area(Record):
    """A local policing area."""

    area_code: Code
    """Code of the local policing area."""
    name: Text
    """Name of the area."""
    centre_lat: Lat
    """Latitude of the area's centre."""
    centre_lon: Lon
    """Longitude of the area's centre."""


class Ward(Record):
    """A ward, in one area, with its centre and (optionally) its boundary."""

    ward_code: Code
    """Ward code (ONS, e.g. E05...)."""
    name: Text
    """Ward name."""
    area_code: Code
    """Area the ward belongs to."""
    centre_lat: Lat
    """Latitude of the ward's centre."""
    centre_lon: Lon
    """Longitude of the ward's centre."""
    geojson: str | None = None
    """Ward boundary as a GeoJSON Feature, if loaded."""


class User(Record):
    """An officer or member of staff, with role and team (an area)."""

    user_id: Code
    """Stable id (e.g. collar or staff number)."""
    name: Text
    """Display name."""
    email: Annotated[str, Field(max_length=200)]
    """Sign-in email, matched to the identity provider."""
    role: Literal[picklists.ROLES]  # type: ignore[valid-type]
    """officer, supervisor, commander, analyst or admin."""
    rank: Code
    """Rank or grade (PC, PCSO, Sgt, Insp, ...)."""
    area_code: Code | None = None
    """The user's team (an area); empty for force-wide roles."""
    active: bool = True
    """False once the user has left."""
    sign_in_subject: Annotated[str, Field(max_length=600)] | None = None
    """Identity-provider account bound at first sign-in (issuer + subject, or Entra tenant + object id)."""
    weekly_hours: Annotated[float, Field(gt=0, le=60)] | None = None
    """Contracted hours a week; empty for the force default (setting `contracted_weekly_hours`)."""


class Picklist(Record):
    """One choice in one of the pick-lists forms offer."""

    list_name: Code
    """Which pick-list (event_types, communities, issue_categories, ...)."""
    value: Text
    """The choice shown and stored."""
    position: Annotated[int, Field(ge=0, le=INT64_MAX)] = 0
    """Order in the list."""
    active: bool = True
    """False to retire a choice without losing old records."""


class Setting(Record):
    """Force-level configuration: name, quick links and the like."""

    key: Code
    """Setting name (force_name, quick_link:..., ...)."""
    value: LongText = ""
    """Its value; empty for a setting cleared (a hidden quick link, a rule kept for ever)."""


class Crime(Record):
    """A crime or anti-social behaviour report from data.police.uk's street-level files."""

    crime_id: Annotated[str, Field(max_length=100)] | None = None
    """data.police.uk's crime id; empty for anti-social behaviour."""
    month: dt.date
    """Month of the report (the first day of the month)."""
    reported_by: Text
    """Force that provided the data."""
    falls_within: Text
    """Force whose area the crime falls within."""
    lat: Lat | None = None
    """Latitude of the anonymised location (WGS84); empty when the file has no location."""
    lon: Lon | None = None
    """Longitude of the anonymised location (WGS84); empty when the file has no location."""
    location: Annotated[str, Field(max_length=200)] | None = None
    """Anonymised street, e.g. 'On or near Market Street'."""
    lsoa_code: Annotated[str, Field(max_length=20)] | None = None
    """Lower layer super output area (2011) code."""
    lsoa_name: Annotated[str, Field(max_length=100)] | None = None
    """Lower layer super output area name, e.g. 'Stafford 012B'."""
    crime_type: Text
    """Crime type as data.police.uk names it ('Anti-social behaviour' for ASB)."""
    last_outcome: Annotated[str, Field(max_length=200)] | None = None
    """Latest outcome category in the file; empty for ASB."""
    context: LongText | None = None
    """Extra context data.police.uk gives, if any."""
    ward_code: Code | None = None
    """Ward the location falls in (`wards.ward_code`), by point in polygon; empty if none."""
    area_code: Code | None = None
    """Area of that ward; empty if none."""
    source_file: Annotated[str, Field(max_length=200)]
    """Name of the file it was imported from."""


class CensusPopulation(Record):
    """People in one ethnic group in one local authority, from a census table."""

    census_year: Annotated[int, Field(ge=2001, le=2100)]
    """Census the count comes from (2011, 2021)."""
    geography_code: Code
    """ONS code of the local authority (E06..., E07..., E08..., E09..., W06...)."""
    geography_name: Text
    """Name of the local authority."""
    area_code: Code | None = None
    """Beatbook area the local authority counts towards, if mapped at import (else its code is matched)."""
    ethnicity_code: Code
    """Ethnic category as an ONS 2021 code (A1..O2); 2011 'Other White' counts as W5."""
    ethnic_group: Literal[picklists.ETHNIC_GROUPS]  # type: ignore[valid-type]
    """High-level group: Asian, Black, Mixed, White or Other."""
    people: Annotated[int, Field(ge=0, le=INT64_MAX)]
    """Usual residents in that category."""
    source_file: Annotated[str, Field(max_length=200)]
    """Name of the file it was imported from."""
