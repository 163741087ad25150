"""The demo force: a Staffordshire Police neighbourhood-policing store, deterministic for a seed.

Its areas are Staffordshire's nine local authorities and its wards their real
electoral wards (2013 ONS codes, names and boundaries, shipped simplified in
`data/boundaries/`, see `demo_geography`); everything recorded on them is made up.
`generate` writes reference data (areas, wards with boundaries, users, pick-lists,
settings) and 18 months of activity ending `today` (events, CCRs, patrols,
abstractions, "You said, we did" items, plus a few good-practice, useful-info,
news and app-feedback rows). It also holds what an analyst would import:
street-level crime and anti-social behaviour for each whole month of the
period (as data.police.uk publishes it, placed inside the wards, with demand
that does not follow where the engagement is), and census 2011 ethnicity for
the areas' local authorities (synthetic counts, keyed as the census importer
keys them, so importing the real table replaces them). The same seed and
`today` give identical data.

Every scale runs the same vectorised code: columns are drawn with numpy for the
whole table at once, then turned into Arrow in chunks of about `CHUNK_ROWS` rows,
each appended as one Delta commit, with rows sorted by (record_id, version).

Handy demo identities: u0001 PC (Stafford), u0002 PCSO (Stoke-on-Trent), u0003
Sergeant (Stafford), u0004 commander (Stafford), u0005 analyst, u0006 admin.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from data import db, demo_geography, geo, picklists
from data.objects import LeaseBusy
from data.schema import arrow_schema
from data.store import Store, validate

Progress = Callable[[float, str], None]

DEMO_COUNTS = {"events": 4_000, "ccrs": 12_000, "patrols": 8_000, "abstractions": 1_500, "ysywd": 300}
SCALES = {"demo": sum(DEMO_COUNTS.values()), "force": 10 * sum(DEMO_COUNTS.values()), "national": 10_000_000}
CHUNK_ROWS = 1_500_000
HISTORY_DAYS = 548  # 18 months
FUTURE_DAYS = 42
FORCE_NAME = "Staffordshire Police (demo)"
LOCK_NAME = ".demo.lock"
STALE_LOCK_SECONDS = 600

# -- the force ----------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class AreaSpec:
    """A local policing area of the demo force (one local authority, whose real wards it takes) and what its
    communities raise most."""

    code: str
    name: str
    lad: str  # ONS code of the local authority (`demo_geography`'s LAD13CD)
    kind: str  # urban, suburban, rural, diverse
    issue_boost: dict[str, float]


AREAS = (
    AreaSpec("ST-STA", "Stafford", "E07000197", "suburban",
             {"Shoplifting": 2.0, "Street drinking": 2.0, "Anti-social behaviour": 1.5, "Speeding": 1.5}),
    AreaSpec("ST-STK", "Stoke-on-Trent", "E06000021", "urban",
             {"Drugs": 2.5, "Anti-social behaviour": 2.0, "Knife crime": 2.0, "Street drinking": 2.0, "Violence": 1.5,
              "Hate crime": 1.5}),
    AreaSpec("ST-NUL", "Newcastle-under-Lyme", "E07000195", "urban",
             {"Vehicle crime": 2.0, "Anti-social behaviour": 2.0, "Drugs": 1.8, "Youth nuisance": 2.0}),
    AreaSpec("ST-EST", "East Staffordshire", "E07000193", "urban",
             {"Drugs": 2.0, "Hate crime": 2.0, "Fly-tipping": 2.0, "Shoplifting": 1.5, "Violence": 1.5}),
    AreaSpec("ST-MOR", "Staffordshire Moorlands", "E07000198", "rural",
             {"Rural crime": 3.0, "Speeding": 2.5, "Fly-tipping": 1.5, "Burglary": 1.3}),
    AreaSpec("ST-SST", "South Staffordshire", "E07000196", "rural",
             {"Rural crime": 2.5, "Speeding": 2.0, "Vehicle crime": 1.5, "Scams and fraud": 1.5}),
    AreaSpec("ST-LIC", "Lichfield", "E07000194", "suburban",
             {"Burglary": 2.0, "Scams and fraud": 2.0, "Road safety": 2.0, "Parking": 1.5}),
    AreaSpec("ST-CAN", "Cannock Chase", "E07000192", "suburban",
             {"Anti-social behaviour": 2.0, "Youth nuisance": 2.0, "Vehicle crime": 1.5, "Fly-tipping": 1.5}),
    AreaSpec("ST-TAM", "Tamworth", "E07000199", "suburban",
             {"Shoplifting": 2.0, "Youth nuisance": 2.0, "Parking": 1.5, "Burglary": 1.5}),
)

_KIND_ACTIVITY = {"urban": 1.3, "suburban": 1.0, "rural": 0.8, "diverse": 1.3}
_ISSUE_BASE = {
    "Anti-social behaviour": 10, "Speeding": 8, "Parking": 6, "Drugs": 6, "Burglary": 4, "Vehicle crime": 4,
    "Youth nuisance": 5, "Shoplifting": 3, "Fly-tipping": 3, "Violence": 2, "Theft": 3, "Criminal damage": 3,
    "Hate crime": 1, "Scams and fraud": 2, "Road safety": 4, "Street drinking": 2, "Knife crime": 1.5,
    "Rural crime": 0.5,
}
_COMMUNITY_BASE = {
    "General public": 10, "Young people": 5, "Elderly": 4, "Business": 3, "Faith communities": 2,
    "Ethnic minority communities": 2, "Students": 1, "Rural communities": 1, "LGBT+ communities": 0.7,
    "Disabled people": 0.7, "Gypsy, Roma and Traveller": 0.4, "Refugees and asylum seekers": 0.4,
}
_COMMUNITY_BOOST = {
    "urban": {"Students": 3, "Ethnic minority communities": 2, "Faith communities": 1.5, "Rural communities": 0.2},
    "suburban": {"Elderly": 1.3, "Rural communities": 1.5},
    "rural": {"Rural communities": 6, "Elderly": 1.5, "Ethnic minority communities": 0.4, "Students": 0.3},
    "diverse": {"Ethnic minority communities": 4, "Faith communities": 3, "Rural communities": 0.1},
}
# Self-defined ethnicity of people met, by kind of area (weights over data.picklists.ETHNICITY codes).
_ETHNICITY = {
    "rural": {"W1": 84, "W2": 0.8, "W3": 0.3, "W4": 0.1, "W5": 5.5, "A1": 0.2, "A2": 0.6, "A3": 1.2, "A4": 0.9,
              "A5": 0.7, "B1": 0.9, "B2": 0.4, "B3": 0.2, "M1": 0.8, "M2": 0.3, "M3": 0.6, "M4": 0.6, "O1": 0.2,
              "O2": 0.4, "NS": 4},
    "suburban": {"W1": 74, "W2": 1, "W3": 0.2, "W4": 0.2, "W5": 7, "A1": 0.4, "A2": 1.2, "A3": 3.5, "A4": 3,
                 "A5": 1.5, "B1": 2, "B2": 0.8, "B3": 0.3, "M1": 1.1, "M2": 0.4, "M3": 0.8, "M4": 0.8, "O1": 0.3,
                 "O2": 0.6, "NS": 4},
    "urban": {"W1": 58, "W2": 1, "W3": 0.1, "W4": 0.3, "W5": 10, "A1": 0.5, "A2": 2, "A3": 4.5, "A4": 4.5,
              "A5": 2.5, "B1": 5, "B2": 1.5, "B3": 0.7, "M1": 1.5, "M2": 0.8, "M3": 1.2, "M4": 1.2, "O1": 0.6,
              "O2": 1.2, "NS": 4},
    "diverse": {"W1": 27, "W2": 0.8, "W3": 0.1, "W4": 1.5, "W5": 9, "A1": 1, "A2": 0.7, "A3": 14, "A4": 20,
                "A5": 4.5, "B1": 5.5, "B2": 1.5, "B3": 1, "M1": 1, "M2": 0.5, "M3": 1, "M4": 1, "O1": 1,
                "O2": 2, "NS": 4},
}
_RELIGION_DEFAULT = {"No religion": 40, "Christian": 44, "Buddhist": 0.5, "Hindu": 0.5, "Jewish": 0.4,
                     "Muslim": 1.5, "Sikh": 0.3, "Other religion": 0.8, "Prefer not to say": 7}
_RELIGION_BY_ETHNICITY = {
    "A1": {"Muslim": 85, "No religion": 5, "Prefer not to say": 10},
    "A4": {"Muslim": 88, "No religion": 4, "Prefer not to say": 8},
    "O1": {"Muslim": 75, "Christian": 10, "No religion": 5, "Prefer not to say": 10},
    "A3": {"Hindu": 48, "Sikh": 24, "Muslim": 12, "Christian": 4, "No religion": 4, "Prefer not to say": 8},
    "A2": {"No religion": 55, "Buddhist": 15, "Christian": 20, "Prefer not to say": 10},
    "A5": {"Hindu": 25, "Muslim": 25, "Buddhist": 15, "Christian": 15, "No religion": 10, "Prefer not to say": 10},
    "B1": {"Christian": 62, "Muslim": 25, "No religion": 5, "Prefer not to say": 8},
    "B2": {"Christian": 55, "No religion": 33, "Prefer not to say": 12},
    "NS": {"Prefer not to say": 80, "No religion": 10, "Christian": 10},
}
_AGE_BANDS = {"Under 18": 9, "18-24": 10, "25-34": 15, "35-44": 16, "45-54": 16, "55-64": 14, "65+": 16,
              "Prefer not to say": 4}
_SEXES = {"Female": 51, "Male": 46, "Prefer not to say": 3}
_DISABILITY = {"Yes": 14, "No": 80, "Prefer not to say": 6}
_CONTACT_METHODS = {"Face to face": 70, "Telephone": 12, "Email": 7, "Social media": 6, "Online meeting": 5}
_EVENT_TYPES = {  # weight, typical attendance
    "Street meeting": (16, 10), "Community meeting": (12, 22), "School visit": (12, 60),
    "Faith group visit": (6, 35), "Business watch": (7, 9), "Surgery / drop-in": (18, 7),
    "Youth engagement": (9, 18), "Crime prevention stall": (10, 35), "Partnership event": (7, 28),
    "Cultural festival": (3, 140),
}
_PATROL_TYPES = {"Hotspot patrol": 20, "Priority patrol": 18, "Tasking": 10, "Reassurance patrol": 14,
                 "Foot patrol": 22, "Cycle patrol": 5, "Vehicle patrol": 11}
_ABSTRACTION_REASONS = {"Response cover": 35, "Public order": 12, "Custody": 10, "Training": 14, "Court": 8,
                        "Major incident": 5, "Event policing": 9, "Sickness cover": 7}
_ACTION_TYPES = {"Media appeal": 6, "Patrol plan": 22, "Reassurance": 14, "Enforcement": 12,
                 "Partner referral": 14, "Crime prevention advice": 14, "Problem-solving plan": 9,
                 "Community messaging alert": 9}
_FEEDBACK_CHANNELS = {"Meeting": 30, "Community messaging": 35, "Social media": 18, "Leaflet": 9, "Website": 8}
_YSYWD_SOURCES = {"event": 35, "ccr": 30, "meeting": 15, "online": 10, "manual": 10}

# Activity rhythm: Monday..Sunday, January..December, and hour-of-day weights.
_WEEKDAY = {
    "events": (1.1, 1.2, 1.2, 1.15, 1.0, 0.55, 0.35),
    "ccrs": (1.1, 1.1, 1.1, 1.1, 1.05, 0.7, 0.5),
    "patrols": (1.0, 1.05, 1.05, 1.05, 1.1, 0.85, 0.7),
    "abstractions": (1.0, 1.0, 1.0, 1.0, 1.1, 1.1, 0.9),
    "ysywd": (1.1, 1.1, 1.1, 1.1, 1.0, 0.4, 0.3),
}
_MONTH = (0.72, 0.8, 0.9, 1.0, 1.1, 1.2, 1.25, 1.2, 1.05, 0.95, 0.85, 0.68)
_HOURS = {
    "events": {9: 3, 10: 6, 11: 6, 12: 3, 13: 3, 14: 5, 15: 4, 16: 3, 17: 3, 18: 6, 19: 6},
    "ccrs": {8: 2, 9: 4, 10: 6, 11: 7, 12: 6, 13: 6, 14: 7, 15: 7, 16: 6, 17: 5, 18: 5, 19: 5, 20: 3, 21: 2},
    "patrols": {7: 3, 8: 4, 9: 5, 10: 5, 11: 4, 12: 3, 13: 4, 14: 5, 15: 5, 16: 4, 17: 4, 18: 5, 19: 5},
}

_ISSUE_TEXT = {
    "Anti-social behaviour": ("Groups gathering outside the shops in the evening and shouting at passers-by.",
                              "Residents reported noise and ball games late at night by the flats.",
                              "Neighbours described repeated anti-social behaviour in the park after dark."),
    "Speeding": ("Cars speeding through the village, especially at school times.",
                 "Residents asked for a speed watch on the main road.",
                 "Motorbikes racing along the bypass on summer evenings."),
    "Parking": ("Parents parking on the zig-zags outside the primary school.",
                "Vans blocking pavements so wheelchairs and prams cannot pass.",
                "Inconsiderate parking near the station blocking driveways."),
    "Drugs": ("Suspected drug dealing from a car in the car park most evenings.",
              "Cannabis smell and visitors coming and going from a flat at all hours.",
              "Discarded needles found near the footpath by the playground."),
    "Burglary": ("Worried about a run of burglaries and sheds broken into.",
                 "Residents asked for crime prevention advice after garage break-ins.",
                 "Elderly residents anxious following a burglary in their street."),
    "Vehicle crime": ("Catalytic converters stolen from cars on the estate.",
                      "Vans broken into overnight and tools taken.",
                      "People seen at night trying car door handles."),
    "Youth nuisance": ("Teenagers on e-scooters riding fast on the pavement.",
                       "Young people climbing on the school roof in the evenings.",
                       "Groups of youths intimidating staff at the takeaway."),
    "Shoplifting": ("Shop staff report daily shoplifting and abuse when they challenge it.",
                    "Repeat shoplifting at the convenience store by the same group.",
                    "Retailers asked for more visible patrols in the precinct."),
    "Fly-tipping": ("Fly-tipping in the lay-by and along the country lane.",
                    "Mattresses and rubbish dumped behind the garages.",
                    "Builders' waste tipped in a farmer's gateway."),
    "Violence": ("Fights outside the pubs at closing time at weekends.",
                 "Concern about assaults in the night-time economy.",
                 "A serious assault has left residents feeling unsafe."),
    "Theft": ("Bikes stolen from outside the college and the station.",
              "Parcels taken from doorsteps after delivery.",
              "Thefts from gardens and sheds in the last month."),
    "Criminal damage": ("Graffiti on the underpass and bus shelters.",
                        "Windows smashed at the community centre.",
                        "Cars keyed and tyres slashed in the street."),
    "Hate crime": ("A family reported racist abuse from neighbours.",
                   "Worshippers reported hateful graffiti near the mosque.",
                   "Residents want to know how to report hate incidents."),
    "Scams and fraud": ("Older residents targeted by phone scams pretending to be the bank.",
                        "Rogue traders offering roof repairs door to door.",
                        "Residents asked for advice about online shopping fraud."),
    "Road safety": ("Dangerous junction by the school with several near misses.",
                    "Lorries using the village lanes as a rat run.",
                    "Cyclists feel unsafe on the ring road roundabout."),
    "Street drinking": ("Street drinking on benches in the town centre.",
                        "Drinkers in the churchyard leaving litter and bottles.",
                        "Begging and street drinking outside the supermarket."),
    "Knife crime": ("Parents worried about young people carrying knives.",
                    "A stabbing has caused fear among young people.",
                    "Teachers asked for a knife crime input at school."),
    "Rural crime": ("Farm machinery and quad bikes stolen from outbuildings.",
                    "Hare coursing on farmland with gates damaged.",
                    "Diesel stolen from a farm tank overnight."),
}
_PUBLIC_FEEDBACK = (
    "Residents were glad to see officers and asked for more regular visits.",
    "Thanks for listening; good to put faces to names.",
    "People appreciated the crime prevention advice and bike marking.",
    "Some felt police do not come out often enough in the evenings.",
    "Positive comments about the team's work on the estate.",
    "Attendees asked for updates on the issues raised last time.",
    "Parents valued the session with the children.",
    "Business owners welcomed the joint patrols.",
    "Residents said they feel safer since the patrols increased.",
    "A few people were frustrated about response times when calling 101.",
    "Community leaders thanked officers for attending.",
    "Young people enjoyed the chat and asked about joining the police.",
)
_VALUE_GAINED = (
    "New contacts made with the residents' association.",
    "Intelligence gathered on drug dealing in the area.",
    "Several people signed up to community messaging.",
    "Built trust with a community we rarely reach.",
    "Agreed a joint plan with the council on fly-tipping.",
    "Identified a new ward priority for the next panel meeting.",
    "Reassured older residents about burglary prevention.",
    "Recruited volunteers for community speed watch.",
    "Improved relationship with the faith group committee.",
    "Shared crime prevention advice with dozens of households.",
)
_QUALITY_NOTES = (
    "Well attended and well run.",
    "Venue too small for the numbers.",
    "Good partnership working with the council.",
    "Could have been better advertised.",
    "Short of officers after abstraction.",
    "Good engagement with young people.",
)
_CANCEL_REASONS = (
    "Officers abstracted to response duties.",
    "Venue unavailable at short notice.",
    "Severe weather warning.",
    "Organiser sick and no cover available.",
    "Clashed with a major incident.",
    "Partner agency withdrew.",
    "Low sign-up; to be rescheduled.",
)
_PLACES = (
    "Community centre", "Library", "High Street", "Primary school", "Secondary school", "Village hall", "Park",
    "Supermarket", "Mosque", "Church hall", "Gurdwara", "Leisure centre", "Railway station", "Market square",
    "Youth club", "Sheltered housing",
)
_INFO_TEXT = (
    "Information about a suspected cannabis grow passed to intelligence.",
    "Details of a vehicle linked to drug dealing submitted.",
    "Name of a person said to carry a knife passed on.",
    "Report of a vulnerable adult being exploited.",
    "Information about stolen goods being sold locally.",
    "Sighting of a wanted person reported.",
    "Concerns about county lines activity in a flat.",
    "Details of a rogue traders' van recorded.",
)
_PATROL_OUTCOMES = (
    "Area quiet, no issues found.",
    "Spoke with residents and shopkeepers.",
    "Group of youths moved on.",
    "Stop and search conducted, nothing found.",
    "Vehicle stopped and driver given advice.",
    "Speed checks done, drivers warned.",
    "Drugs paraphernalia found and removed.",
    "Intelligence submitted after patrol.",
    "Visible presence welcomed by residents.",
    "Arrest made for possession with intent to supply.",
)
_DUTIES = {
    "Response cover": ("Response team", "Response shift cover", "Immediate response car"),
    "Public order": ("Public order serial", "Protest policing", "Football match serial"),
    "Custody": ("Custody suite", "Prisoner constant watch", "Custody escorts"),
    "Training": ("Officer safety training", "First aid refresher", "Driver training course"),
    "Court": ("Crown Court", "Magistrates' Court", "Coroner's Court"),
    "Major incident": ("Major incident scene guard", "Missing person search", "House-to-house enquiries"),
    "Event policing": ("Staffordshire County Show", "Uttoxeter Races", "Stoke City home match"),
    "Sickness cover": ("Neighbourhood cover in another area", "Front counter", "Scene guard"),
}
_ACTION_TEXT = {
    "Media appeal": ("Appeal for information published on social media.",
                     "Press release issued with crime prevention tips."),
    "Patrol plan": ("Targeted patrols agreed at peak times for four weeks.",
                    "Patrol plan added to the daily briefing."),
    "Reassurance": ("Door-to-door reassurance visits in the affected streets.",
                    "Reassurance letters delivered to residents."),
    "Enforcement": ("Warrant executed and arrests made.",
                    "Dispersal order used and fixed penalty notices issued."),
    "Partner referral": ("Referred to the council's environmental team.",
                         "Joint visit with the housing provider arranged."),
    "Crime prevention advice": ("Crime prevention surgery held and locks fitted.",
                                "Advice leaflets delivered and property marking offered."),
    "Problem-solving plan": ("Problem-solving plan opened and an owner assigned.",
                             "Problem-solving meeting held with partners."),
    "Community messaging alert": ("Community messaging alert sent to subscribers.",
                                  "Update posted to the ward's messaging group."),
}
_FEEDBACK_TEXT = (
    "We told residents what we did at the ward panel.",
    "Update posted on community messaging with the results.",
    "Leaflet drop explaining the action taken.",
    "Feedback given at the next street meeting.",
    "Results shared on the force website and social media.",
)
_FIRST_NAMES = (
    "James", "Oliver", "Harry", "Jack", "George", "Noah", "Charlie", "Thomas", "Daniel", "Samuel", "Mohammed",
    "Arjun", "Kwame", "Liam", "Ryan", "Adam", "Ben", "Callum", "Dev", "Marcus", "Tom", "Luke", "Sean", "Imran",
    "Olivia", "Amelia", "Isla", "Emily", "Sophie", "Grace", "Lucy", "Hannah", "Chloe", "Jessica", "Aisha",
    "Priya", "Zainab", "Niamh", "Megan", "Laura", "Rachel", "Sarah", "Kate", "Ellie", "Amira", "Jasmine",
    "Chantelle", "Harpreet", "Fatima", "Joanna", "Beth", "Rosie", "Abigail", "Natalie",
)
_SURNAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
    "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Patel",
    "Khan", "Ahmed", "Hussain", "Singh", "Kaur", "Begum", "Ali", "Okafor", "Mensah", "Campbell", "Murphy",
    "Kelly", "O'Brien", "Hughes", "Edwards", "Turner", "Cooper", "Hill", "Ward", "Morris", "Harris", "King",
    "Baker", "Bennett", "Fletcher", "Lewis", "Nowak", "Kowalski", "Shah", "Chen", "Francis", "Grant", "Reid",
)
_GOOD_PRACTICE = (
    ("Speed watch volunteers cut speeding in the village", "ST-SST", "Residents reported speeding at school times.",
     "Recruited and trained community speed watch volunteers; joint checks with roads policing.",
     "Average speeds fell and complaints dropped over three months.", ("Speeding", "Road safety")),
    ("Shop watch radio scheme in the precinct", "ST-STA", "Daily shoplifting and abuse of shop staff.",
     "Linked shops by radio, shared offender images and ran high-visibility patrols at peak times.",
     "Reported shoplifting fell and staff said they felt safer.", ("Shoplifting",)),
    ("Knife amnesty and school inputs", "ST-STK", "Parents and teachers worried about young people carrying knives.",
     "Knife surrender bin, assemblies in three schools and a parents' evening with the youth service.",
     "Dozens of knives surrendered; schools asked for repeat inputs.", ("Knife crime", "Youth nuisance")),
    ("Farm watch for machinery theft", "ST-MOR", "Quad bikes and machinery stolen from farms.",
     "Farm watch messaging group, property marking and joint patrols with the rural crime taskforce.",
     "Fewer thefts reported and stolen kit recovered.", ("Rural crime",)),
    ("Fly-tipping cameras with the council", "ST-LIC", "Repeated fly-tipping in lay-bys.",
     "Deployed covert cameras with the council and publicised prosecutions.",
     "Tipping at the hotspots stopped within two months.", ("Fly-tipping",)),
    ("Street meeting rota on the estate", "ST-NUL", "Residents felt the team was invisible.",
     "Monthly street meetings at the same time and place, with feedback on what was done.",
     "Attendance grew each month and residents now bring issues to the team first.", ("Anti-social behaviour",)),
    ("Scam awareness with banks", "ST-CAN", "Older residents targeted by phone scams.",
     "Talks at sheltered housing with bank fraud teams; leaflet on courier fraud.",
     "Residents reported attempted scams instead of paying.", ("Scams and fraud",)),
)
_USEFUL_INFO = (
    ("Community centre keyholders", "ST-STA", "Keyholders",
     "Out of hours keyholder: centre manager via the council's emergency line."),
    ("Ward panel chairs", "ST-STK", "Contacts", "Ward panel chairs and their preferred contact times."),
    ("Council ASB team", "ST-EST", "Partners", "Referral form and duty officer number for the council ASB team."),
    ("School liaison contacts", "ST-NUL", "Contacts", "Safer schools officers and head teachers' offices."),
    ("Licensed premises list", "ST-STA", "Premises", "Pubs and clubs in the city centre with DPS names."),
    ("Farm watch coordinator", "ST-MOR", "Partners", "Coordinator details and the farm watch messaging group."),
    ("Mosque and gurdwara contacts", "ST-STK", "Contacts", "Committee contacts for faith buildings in the area."),
    ("Housing association officers", "ST-TAM", "Partners", "Tenancy enforcement contacts by estate."),
    ("Village hall bookings", "ST-SST", "Premises", "How to book village halls for surgeries and meetings."),
    ("Youth service outreach", "ST-LIC", "Partners", "Detached youth workers' rota and contacts."),
)
_NEWS = (
    ("Beatbook replaces paper engagement forms", "Log events, CCRs, patrols and abstractions from your phone."),
    ("You said, we did: closing the loop", "Record what was done about each issue and when residents were told."),
    ("Dip checks start next month", "Sergeants will sample submissions each week and return weak ones with advice."),
    ("Diversity questions need consent", "Only ask the diversity questions when the person agrees to answer."),
    ("Summer engagement plan", "Festival and school-holiday events are now bookable for the summer."),
    ("Ward boundaries updated", "Ward maps now follow the latest boundaries for every area."),
)
_APP_FEEDBACK = (
    ("feedback", "Really quick to log a CCR at the end of a street meeting."),
    ("feedback", "Could the event form remember the last ward I used?"),
    ("bug", "Map did not load on my phone in a poor signal area."),
    ("feedback", "The team activity view is useful for briefings."),
    ("bug", "Date picker shows the wrong month after midnight."),
    ("feedback", "Please add an export for the ward panel report."),
)

# Crime and anti-social behaviour, as data.police.uk's street-level files record it.
CRIMES_PER_ACTIVITY = 1.0  # crime and ASB rows per activity record, up to CRIME_CAP
CRIME_CAP = 1_500_000
FORCE_REPORTING = "Staffordshire Police"
NO_LOCATION = 0.02  # share of rows the files give with no location
ANALYST = "u0005"  # who imported the demo's crime and census data
_CRIME_TYPES = {  # share of all rows, force-wide
    "Anti-social behaviour": 22, "Violence and sexual offences": 28, "Public order": 8,
    "Criminal damage and arson": 8, "Other theft": 7, "Shoplifting": 6, "Vehicle crime": 6, "Burglary": 4,
    "Drugs": 2.5, "Other crime": 2, "Bicycle theft": 1.5, "Theft from the person": 1.2, "Robbery": 1,
    "Possession of weapons": 0.8,
}
_CRIME_BOOST = {
    "urban": {"Shoplifting": 1.5, "Bicycle theft": 2.5, "Theft from the person": 2.0, "Drugs": 1.4, "Robbery": 1.5},
    "suburban": {"Burglary": 1.3, "Vehicle crime": 1.2, "Theft from the person": 0.6},
    "rural": {"Burglary": 1.3, "Vehicle crime": 1.2, "Shoplifting": 0.5, "Theft from the person": 0.3,
              "Bicycle theft": 0.5, "Robbery": 0.4, "Drugs": 0.7},
    "diverse": {"Drugs": 1.5, "Possession of weapons": 1.8, "Robbery": 1.6, "Shoplifting": 1.2},
}
_CRIME_RATE = {"urban": 1.7, "suburban": 0.9, "rural": 0.6, "diverse": 1.6}  # a ward's crime, relative
_CRIME_OUTCOMES = {
    "Investigation complete; no suspect identified": 40, "Unable to prosecute suspect": 28,
    "Local resolution": 5, "Awaiting court outcome": 5, "Court result unavailable": 4, "Offender given a caution": 3,
    "Action to be taken by another organisation": 3, "Status update unavailable": 3,
    "Further investigation is not in the public interest": 2, "Formal action is not in the public interest": 2,
    "Offender sent to prison": 2, "Offender fined": 2, "Suspect charged as part of another case": 1,
}
UNDER_INVESTIGATION = "Under investigation"
_STREETS = (
    "High Street", "Station Road", "Church Lane", "Mill Lane", "London Road", "Victoria Road", "Park Road",
    "The Green", "Queen Street", "King Street", "School Lane", "Manor Road", "The Crescent", "Bridge Street",
    "Market Place", "North Street", "Orchard Close", "Meadow Way", "Green Lane", "New Road", "Windsor Road",
    "Oxford Road", "Chapel Street", "Albert Road", "Springfield Road", "York Road", "The Avenue", "West Street",
    "Parking Area", "Supermarket", "Petrol Station", "Shopping Area", "Sports/Recreation Area", "Nightclub",
    "Further/Higher Educational Building", "Hospital", "Bus/Coach Station", "Theatre/Concert Hall",
)
POINTS_PER_WARD = 12  # the anonymised map points ("On or near ...") crimes are snapped to
LSOAS_PER_WARD = 4

# Census 2011 local authorities of each demo area (ONS codes and names; populations rounded).
_CENSUS_YEAR = 2011
_LOCAL_AUTHORITIES = (
    ("ST-STA", "E07000197", "Stafford", 130_900),
    ("ST-STK", "E06000021", "Stoke-on-Trent", 249_000),
    ("ST-NUL", "E07000195", "Newcastle-under-Lyme", 123_900),
    ("ST-EST", "E07000193", "East Staffordshire", 113_600),
    ("ST-MOR", "E07000198", "Staffordshire Moorlands", 97_100),
    ("ST-SST", "E07000196", "South Staffordshire", 108_100),
    ("ST-LIC", "E07000194", "Lichfield", 100_700),
    ("ST-CAN", "E07000192", "Cannock Chase", 97_500),
    ("ST-TAM", "E07000199", "Tamworth", 76_800),
)
# How much more of the population a group is than of the people met in CCRs: the groups
# neighbourhood teams tend to under-reach (students, newer arrivals, mixed-heritage residents).
_CENSUS_LIFT = {"W3": 2.0, "W5": 1.35, "A1": 1.2, "A2": 1.6, "B1": 1.3, "M1": 1.7, "M2": 1.7, "M3": 1.6, "M4": 1.7,
                "O1": 1.5, "O2": 1.6}

# -- entry points -------------------------------------------------------------------------------------------------


def activity_counts(scale: str | int) -> dict[str, int]:
    """Records per activity table for a scale name or a total, in the demo's proportions."""
    if isinstance(scale, str):
        total = int(scale) if scale.isascii() and scale.isdigit() and len(scale) <= 9 else SCALES.get(scale)
        if total is None:
            raise ValueError(f"unknown scale {scale!r}: use one of {', '.join(SCALES)} or a number of rows")
    else:
        total = int(scale)
    if total < 1:
        raise ValueError("scale must be at least one row")
    demo_total = sum(DEMO_COUNTS.values())
    exact = {t: total * n / demo_total for t, n in DEMO_COUNTS.items()}
    counts = {t: int(v) for t, v in exact.items()}
    for table in sorted(exact, key=lambda t: counts[t] - exact[t])[: total - sum(counts.values())]:
        counts[table] += 1
    return counts


def crime_count(counts: dict[str, int]) -> int:
    """Crime and ASB rows for activity `counts`: in proportion, but no more than CRIME_CAP."""
    return min(int(CRIMES_PER_ACTIVITY * sum(counts.values())), CRIME_CAP)


def generate(
    store: Store,
    *,
    scale: str | int = "demo",
    seed: int = 7,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> dict[str, int]:
    """Write the demo force into an empty store; return the rows written per table."""
    today = today or dt.date.today()
    counts = activity_counts(scale)
    store.create()
    if _count(store, "users") or _count(store, "areas"):
        raise RuntimeError(f"store {store.root} already holds reference data; generate into an empty store")
    force = _Force(np.random.default_rng([seed, 0]), today)
    reference = {"areas": force.areas_table(), "wards": force.wards_table(), "picklists": force.picklists_table(),
                 "settings": force.settings_table()}
    extras, users = force.extra_tables(), force.users_table()
    small = sum(t.num_rows for t in [*reference.values(), *extras.values(), users])
    crimes_n = crime_count(counts)
    report = _Report(progress, total=sum(counts.values()) + crimes_n + small)
    for table, rows in reference.items():
        report.write(store, table, rows)

    events = _Events(force, np.random.default_rng([seed, 1]), counts["events"])
    report.write_chunks(store, events)
    ccrs = _Ccrs(force, np.random.default_rng([seed, 2]), counts["ccrs"], events)
    report.write_chunks(store, ccrs)
    patrols = _Patrols(force, np.random.default_rng([seed, 3]), counts["patrols"])
    report.write_chunks(store, patrols)
    abstractions = _Abstractions(force, np.random.default_rng([seed, 4]), counts["abstractions"])
    report.write_chunks(store, abstractions)
    ysywd = _Ysywd(force, np.random.default_rng([seed, 5]), counts["ysywd"], events, ccrs)
    report.write_chunks(store, ysywd)
    # Crime and census rows draw on streams of their own, so the tables above stay as they were.
    report.write_chunks(store, _Crimes(force, np.random.default_rng([seed, 6]), crimes_n))
    report.write(store, "census_population", _census_table(force, np.random.default_rng([seed, 7])))
    for table, rows in extras.items():
        report.write(store, table, rows)
    # Users go last: a store with users is a complete demo (see ensure_demo).
    report.write(store, "users", users)
    report.done()
    return report.rows


def ensure_demo(store: Store, *, seed: int = 7, progress: Progress | None = None, scale: str | int = "demo",
                timeout: float = 900.0) -> bool:
    """Generate the demo if the store has no users yet; True if this call generated it.

    Processes sharing a local store take an exclusive lock file first, so only one
    generates; the others wait for the lock to go and then find the data there. On
    object storage (several app servers starting at once on an empty store) the store's
    maintenance lease does the same: an expiring lease object, taken over if its holder died.
    """
    if _count(store, "users"):
        return False
    if store.remote is not None:
        try:
            with store.compaction_lock(wait=True, timeout=timeout):
                if _count(store, "users"):  # generated by whoever held the lease before
                    return False
                generate(store, scale=scale, seed=seed, progress=progress)
                return True
        except LeaseBusy:
            raise TimeoutError(f"waited {timeout:.0f}s for another process to generate the demo") from None
    Path(store.root).mkdir(parents=True, exist_ok=True)
    lock = os.path.join(store.root, LOCK_NAME)
    deadline = time.monotonic() + timeout
    while True:
        try:
            handle = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            break
        except FileExistsError:
            _drop_stale_lock(lock)
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {timeout:.0f}s for another process to generate the demo") from None
            time.sleep(0.2)
    try:
        os.write(handle, f"{os.getpid()}\n".encode())
        if _count(store, "users"):
            return False
        generate(store, scale=scale, seed=seed, progress=progress)
        return True
    finally:
        os.close(handle)
        os.remove(lock)


def _drop_stale_lock(lock: str) -> None:
    try:
        if time.time() - os.path.getmtime(lock) > STALE_LOCK_SECONDS:
            os.remove(lock)
    except FileNotFoundError:
        pass


def _count(store: Store, table: str) -> int:
    return db.cursor().execute(f"SELECT count(*) FROM {store.relation(table)}").fetchone()[0]


class _Report:
    """Writes tables, counts rows and tells the caller how far it has got."""

    def __init__(self, progress: Progress | None, *, total: int):
        self.progress = progress
        self.total = max(total, 1)
        self.records = 0
        self.rows: dict[str, int] = {}

    def write(self, store: Store, table: str, data: pa.Table) -> None:
        self._tell(f"Writing {table}")
        self.rows[table] = self.rows.get(table, 0) + store.append_rows(table, checked=False, rows=data.sort_by(
            [("record_id", "ascending"), ("version", "ascending")]))
        self.records += data.num_rows

    def write_chunks(self, store: Store, activity: _Activity) -> None:
        """Append an activity table in a few commits of about CHUNK_ROWS rows each."""
        table, n = activity.table, activity.n
        self.rows.setdefault(table, 0)
        parts = max(1, -(-activity.rows // CHUNK_ROWS))
        bounds = np.linspace(0, n, parts + 1).astype(np.int64)
        for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
            if stop == start:
                continue
            self._tell(f"Writing {table} ({start:,}-{stop:,} of {n:,})")
            data = activity.chunk(int(start), int(stop))
            # Replaced versions go to files of their own, which current-row reads skip.
            replaced = pc.fill_null(data["superseded"], False)
            for part in (data.filter(pc.invert(replaced)), data.filter(replaced)):
                if part.num_rows:
                    self.rows[table] += store.append_rows(table, part, checked=False)
            self.records += int(stop - start)

    def done(self) -> None:
        if self.progress:
            self.progress(1.0, "Demo data ready")

    def _tell(self, message: str) -> None:
        if self.progress:
            self.progress(min(self.records / self.total, 0.99), message)


# -- vectorised building blocks -----------------------------------------------------------------------------------

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_US_PER_MINUTE = 60_000_000


def _new_ids(rng: np.random.Generator, n: int, *, ordered: bool = True) -> np.ndarray:
    """n uuid4 values as an (n, 2) array of big-endian halves, sorted unless `ordered` is False."""
    halves = np.frombuffer(rng.bytes(16 * n), dtype=">u8").reshape(n, 2).astype(np.uint64)
    halves[:, 0] = (halves[:, 0] & np.uint64(0xFFFF_FFFF_FFFF_0FFF)) | np.uint64(0x4000)
    halves[:, 1] = (halves[:, 1] & np.uint64(0x3FFF_FFFF_FFFF_FFFF)) | np.uint64(0x8000_0000_0000_0000)
    if ordered:
        halves = halves[np.argsort(halves[:, 0])]
        if n > 1 and (halves[1:, 0] == halves[:-1, 0]).any():  # equal first halves: order by both
            halves = halves[np.lexsort((halves[:, 1], halves[:, 0]))]
    return halves


def _hex(ids: np.ndarray, nulls: np.ndarray | None = None) -> pa.Array:
    """uuid halves -> 32-character lowercase hex strings, built straight into an Arrow buffer."""
    n = len(ids)
    raw = ids.astype(">u8").view(np.uint8).reshape(n, 16)
    text = np.empty((n, 32), dtype=np.uint8)
    text[:, 0::2] = _HEX[raw >> 4]
    text[:, 1::2] = _HEX[raw & 15]
    offsets = np.arange(0, 32 * (n + 1), 32, dtype=np.int32)
    if nulls is None or not nulls.any():
        return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(text)))
    valid = pa.py_buffer(np.packbits(~nulls, bitorder="little"))
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(text)),
                                       valid, int(nulls.sum()))


def _hex_list(ids: np.ndarray) -> list[str]:
    return _hex(ids).to_pylist()


def _weights(spec: dict[str, float] | Sequence[float], names: Sequence[str] | None = None) -> np.ndarray:
    values = np.array([spec.get(n, 0.0) for n in names] if names is not None else list(spec), dtype=float)
    return values / values.sum()


class _Chooser:
    """Weighted choice of an item within a group (a ward within an area), for many rows at once."""

    def __init__(self, weights: Sequence[np.ndarray]):
        sizes = np.array([len(w) for w in weights])
        if (sizes == 0).any():
            raise ValueError("every group needs at least one item")
        self.start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        self.end = self.start + sizes
        self.size = sizes
        cums = []
        for group, w in enumerate(weights):
            cum = np.cumsum(np.asarray(w, dtype=float))
            cum = cum / cum[-1]
            cum[-1] = 1.0
            cums.append(group + cum)
        self.flat = np.concatenate(cums)

    def pick(self, rng: np.random.Generator, group: np.ndarray) -> np.ndarray:
        """Positions (into the concatenated items) of one weighted pick per row of `group`."""
        pos = np.searchsorted(self.flat, group + rng.random(len(group)), side="right")
        return np.clip(pos, self.start[group], self.end[group] - 1)

    def pick_distinct(self, rng: np.random.Generator, group: np.ndarray, lengths: np.ndarray,
                      most: int = 3) -> tuple[np.ndarray, np.ndarray]:
        """Up to `most` different picks per row, as positions within the row's group.

        Returns the picks of all rows flattened, and how many each row got.
        """
        n = len(group)
        picks = np.stack([self.pick(rng, group) for _ in range(most)], axis=1)
        for _ in range(4):  # redraw clashes a few times; any left over shorten the list
            for k in range(1, most):
                clash = (picks[:, :k] == picks[:, k : k + 1]).any(axis=1)
                if clash.any():
                    picks[clash, k] = self.pick(rng, group[clash])
        keep = np.arange(most)[None, :] < lengths[:, None]
        for k in range(1, most):
            keep[:, k] &= ~(picks[:, :k] == picks[:, k : k + 1]).any(axis=1)
        within = picks - self.start[group][:, None]
        return within[keep], keep.sum(axis=1) if n else np.zeros(0, dtype=int)


def _choice(rng: np.random.Generator, p: np.ndarray, n: int) -> np.ndarray:
    return rng.choice(len(p), size=n, p=p)


def _sometimes(rng: np.random.Generator, n: int, share: float) -> np.ndarray:
    return rng.random(n) < share


# Columns: a table's values for all its records, gathered into Arrow for the rows of one chunk.
# `take(rows, blank)` gives the values of records `rows`; where `blank` is true, null (an empty list).


def _either(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    if a is None or b is None:
        return b if a is None else a
    return a | b


@dataclasses.dataclass(frozen=True)
class _Num:
    values: np.ndarray
    kind: pa.DataType
    nulls: np.ndarray | None = None

    def take(self, rows: np.ndarray, blank: np.ndarray | None = None) -> pa.Array:
        mask = _either(None if self.nulls is None else self.nulls[rows], blank)
        return pa.array(self.values[rows], type=self.kind, mask=mask)


@dataclasses.dataclass(frozen=True)
class _Pick:
    """Strings chosen by index from a small dictionary; a negative index is null."""

    dictionary: pa.Array
    index: np.ndarray

    def take(self, rows: np.ndarray, blank: np.ndarray | None = None) -> pa.Array:
        idx = self.index[rows]
        if blank is not None:
            idx = np.where(blank, -1, idx)
        return self.dictionary.take(pa.array(idx, type=pa.int32(), mask=idx < 0))


def _pick(values: Sequence[str], index: np.ndarray, nulls: np.ndarray | None = None) -> _Pick:
    index = np.asarray(index, dtype=np.int32)
    if nulls is not None:
        index = np.where(nulls, -1, index).astype(np.int32)
    return _Pick(pa.array(list(values), type=pa.string()), index)


@dataclasses.dataclass(frozen=True)
class _Ids:
    ids: np.ndarray
    nulls: np.ndarray | None = None

    def take(self, rows: np.ndarray, blank: np.ndarray | None = None) -> pa.Array:
        return _hex(self.ids[rows], _either(None if self.nulls is None else self.nulls[rows], blank))


@dataclasses.dataclass(frozen=True)
class _Lists:
    """Lists per record: `lengths` items each, taken in turn from a flattened column."""

    items: _Num | _Pick | _Ids | _Struct
    lengths: np.ndarray
    offsets: np.ndarray = dataclasses.field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "offsets", np.concatenate([[0], np.cumsum(self.lengths, dtype=np.int64)]))

    def take(self, rows: np.ndarray, blank: np.ndarray | None = None) -> pa.Array:
        lengths = self.lengths[rows] if blank is None else np.where(blank, 0, self.lengths[rows])
        offsets = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])
        items = np.repeat(self.offsets[rows] - offsets[:-1], lengths) + np.arange(offsets[-1])
        return pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), self.items.take(items))


@dataclasses.dataclass(frozen=True)
class _Struct:
    fields: dict[str, _Num | _Pick]

    def take(self, rows: np.ndarray, blank: np.ndarray | None = None) -> pa.Array:
        return pa.StructArray.from_arrays([c.take(rows) for c in self.fields.values()], names=list(self.fields))


_Column = _Num | _Pick | _Ids | _Lists | _Struct


def _assemble(table: str, columns: dict[str, _Column], rows: np.ndarray, *, blank: np.ndarray | None = None,
              blank_columns: Sequence[str] = (), given: dict[str, pa.Array] | None = None) -> pa.Table:
    """The records `rows` of a table as Arrow; columns neither held nor given are null (or empty lists)."""
    schema = arrow_schema(table)
    given = given or {}
    arrays = []
    for field in schema:
        if field.name in given:
            arrays.append(given[field.name])
        elif field.name in columns:
            arrays.append(columns[field.name].take(rows, blank if field.name in blank_columns else None))
        elif pa.types.is_list(field.type):
            arrays.append(pa.ListArray.from_arrays(pa.array(np.zeros(len(rows) + 1, dtype=np.int32)),
                                                   pa.array([], type=field.type.value_type)))
        else:
            arrays.append(pa.nulls(len(rows), field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _system(ids: np.ndarray, written_at: np.ndarray, written_by: _Pick) -> dict[str, _Column]:
    """System columns for records stored as one version each."""
    n = len(ids)
    return {
        "record_id": _Ids(ids),
        "version": _Num(np.ones(n, dtype=np.int64), pa.int64()),
        "deleted": _Num(np.zeros(n, dtype=bool), pa.bool_()),
        "written_at": _Num(written_at, pa.timestamp("us")),
        "written_by": written_by,
        "submission_id": _Ids(ids),
        "superseded": _Num(np.zeros(n, dtype=bool), pa.bool_()),
    }


def _us(moments: np.ndarray) -> np.ndarray:
    return moments.astype("datetime64[us]")


# -- reference data -----------------------------------------------------------------------------------------------


class _Force:
    """Areas, wards, users and who does what: everything the activity tables draw from."""

    POINTS_PER_WARD = 64  # places inside each ward that located activity and crime are drawn from

    def __init__(self, rng: np.random.Generator, today: dt.date):
        self.rng = rng
        self.today = today
        self.midnight = np.datetime64(today, "us")
        self.start_day = np.datetime64(today, "D") - HISTORY_DAYS
        self.set_up_at = _us(self.start_day) - np.timedelta64(2, "D")
        self.area_codes = [a.code for a in AREAS]
        self._build_wards()
        self.area_activity = _weights([np.count_nonzero(self.ward_area == k) * _KIND_ACTIVITY[a.kind]
                                       for k, a in enumerate(AREAS)])
        self._build_users()
        self.issues = _Chooser([_weights(_ISSUE_BASE | {k: _ISSUE_BASE[k] * v for k, v in a.issue_boost.items()},
                                         picklists.ISSUE_CATEGORIES) for a in AREAS])
        self.communities = _Chooser([
            _weights({k: v * _COMMUNITY_BOOST[a.kind].get(k, 1.0) for k, v in _COMMUNITY_BASE.items()},
                     picklists.COMMUNITIES) for a in AREAS])
        codes = list(picklists.ETHNICITY)
        self.ethnicity = _Chooser([_weights(_ETHNICITY[a.kind], codes) for a in AREAS])
        self.religion = _Chooser([_weights(_RELIGION_BY_ETHNICITY.get(c, _RELIGION_DEFAULT), picklists.RELIGIONS)
                                  for c in codes])
        issue_names = picklists.ISSUE_CATEGORIES
        self.issue_sentences = [s for name in issue_names for s in _ISSUE_TEXT[name]]
        self.issue_variants = 3

    # wards: the real wards of each area's local authority, each with a centre and places inside it
    def _build_wards(self) -> None:
        area_of = {a.lad: k for k, a in enumerate(AREAS)}
        wards = sorted((w for w in demo_geography.load_wards() if w["lad_code"] in area_of),
                       key=lambda w: (area_of[w["lad_code"]], w["ward_code"]))
        self.ward_codes = [w["ward_code"] for w in wards]
        self.ward_names = [w["name"] for w in wards]
        self.ward_area = np.array([area_of[w["lad_code"]] for w in wards])
        centres = [geo.inner_point(w["geometry"]) for w in wards]
        self.ward_lat = np.array([round(lat, 5) for lat, _ in centres])
        self.ward_lon = np.array([round(lon, 5) for _, lon in centres])
        self.ward_geojson = [json.dumps({"type": "Feature", "geometry": w["geometry"],
                                         "properties": {"ward_code": w["ward_code"], "name": w["name"],
                                                        "area_code": AREAS[area_of[w["lad_code"]]].code}},
                                        separators=(",", ":"), ensure_ascii=False) for w in wards]
        self.area_centres = [(round(float(self.ward_lat[self.ward_area == k].mean()), 4),
                              round(float(self.ward_lon[self.ward_area == k].mean()), 4)) for k in range(len(AREAS))]
        self.point_lat, self.point_lon = self._points_inside([w["geometry"] for w in wards])
        area_wards = [np.flatnonzero(self.ward_area == k) for k in range(len(AREAS))]
        self.wards = _Chooser([self.rng.gamma(3.0, 1.0, len(w)) for w in area_wards])
        self.ward_of = np.concatenate(area_wards)  # chooser position -> ward index

    def _points_inside(self, shapes: Sequence[dict]) -> tuple[np.ndarray, np.ndarray]:
        """(wards, POINTS_PER_WARD) latitudes and longitudes, uniform inside each ward (5 decimals)."""
        n = self.POINTS_PER_WARD
        lat, lon = np.zeros((len(shapes), n)), np.zeros((len(shapes), n))
        for index, shape in enumerate(shapes):
            polygons = geo.build_polygons(["ward"], [shape])
            west, south, east, north = polygons.boxes[0]
            found_lat, found_lon = [], []
            while len(found_lat) < n:
                x = np.round(self.rng.uniform(west, east, 4 * n), 5)
                y = np.round(self.rng.uniform(south, north, 4 * n), 5)
                inside = geo.locate(x, y, polygons) == 0
                found_lat += y[inside].tolist()
                found_lon += x[inside].tolist()
            lat[index], lon[index] = found_lat[:n], found_lon[:n]
        return lat, lon

    # users: fixed handy identities first, then officers and supervisors spread over the areas
    def _build_users(self) -> None:
        k_area = {a.code: k for k, a in enumerate(AREAS)}
        plan = [("officer", "PC", "ST-STA"), ("officer", "PCSO", "ST-STK"), ("supervisor", "Sergeant", "ST-STA"),
                ("commander", "Chief Inspector", "ST-STA"), ("analyst", "Staff", "ST-STA"),
                ("admin", "Staff", "ST-STA")]
        plan += [("commander", "Superintendent", "ST-STK"), ("commander", "Chief Inspector", "ST-NUL"),
                 ("commander", "Chief Inspector", "ST-EST"), ("analyst", "Staff", "ST-NUL"),
                 ("analyst", "Staff", "ST-STK"), ("admin", "Staff", "ST-NUL"), ("admin", "Staff", "ST-MOR")]
        plan += [("supervisor", "Sergeant", a.code) for a in AREAS if a.code != "ST-STA"]
        plan += [("supervisor", "Sergeant", c) for c in ("ST-NUL", "ST-STK", "ST-EST", "ST-CAN")]
        plan += [("supervisor", "Inspector", c) for c in ("ST-STA", "ST-STK", "ST-NUL", "ST-EST", "ST-SST", "ST-LIC")]
        officers = 120 - len(plan)
        share = np.floor(self.area_activity * (officers - 3 * len(AREAS))).astype(int) + 3
        share[np.argsort(-self.area_activity)[: officers - share.sum()]] += 1
        ranks = self.rng.random(officers) < 0.55
        plan += [("officer", "PC" if ranks[i] else "PCSO", code)
                 for i, code in enumerate(c for k, c in enumerate(self.area_codes) for _ in range(share[k]))]
        names = [f"{f} {s}" for f in _FIRST_NAMES for s in _SURNAMES]
        chosen = self.rng.choice(len(names), size=len(plan), replace=False)
        self.users = [
            {"user_id": f"u{i + 1:04d}", "name": names[chosen[i]], "role": role, "rank": rank, "area_code": code}
            for i, (role, rank, code) in enumerate(plan)
        ]
        for user in self.users:
            user["email"] = f"{user['user_id']}@example.police.uk"
        self.user_ids = [u["user_id"] for u in self.users]
        # Who logs activity: officers, and sergeants now and then; a few officers log far more than the rest.
        activity = self.rng.lognormal(0.0, 0.9, len(self.users))
        activity[0] *= 4.0
        busiest = [i for i in np.argsort(-activity) if self.users[i]["role"] == "officer"][:4]
        activity[busiest] *= 2.5
        groups, weights = [], []
        for k in range(len(AREAS)):
            members = [i for i, u in enumerate(self.users)
                       if k_area[u["area_code"]] == k and (u["role"] == "officer" or u["rank"] == "Sergeant")]
            groups.append(np.array(members))
            weights.append(np.array([activity[i] * (1.0 if self.users[i]["role"] == "officer" else 0.3)
                                     for i in members]))
        self.officer_of = np.concatenate(groups)  # chooser position -> user index
        self.officers = _Chooser(weights)

    # sampling helpers shared by the activity tables
    def ward_strings(self, prefixes: Sequence[str]) -> list[str]:
        """"<prefix>, <ward name>" for every prefix and ward: pick index = prefix * wards + ward."""
        return [f"{p}, {w}" for p in prefixes for w in self.ward_names]

    def user_pick(self, index: np.ndarray, nulls: np.ndarray | None = None) -> _Pick:
        return _pick(self.user_ids, index, nulls)

    def days(self, rng: np.random.Generator, table: str, n: int, *, future: bool = False) -> np.ndarray:
        """n dates over the history (and the next six weeks if `future`), weighted by the force's rhythm."""
        first = self.start_day
        last = np.datetime64(self.today, "D") + (FUTURE_DAYS if future else -1)
        days = np.arange(first, last + 1)
        weekday = (days.astype(np.int64) + 3) % 7
        month = days.astype("datetime64[M]").astype(np.int64) % 12
        w = np.array(_WEEKDAY[table])[weekday] * np.array(_MONTH)[month]
        age = (np.datetime64(self.today, "D") - days).astype(np.int64)
        w *= np.where(age > 0, 1.1 - 0.4 * age / HISTORY_DAYS, np.clip(1 + age / 50, 0.05, 1) * 0.8)
        return days[_choice(rng, w / w.sum(), n)]

    def times(self, rng: np.random.Generator, days: np.ndarray, table: str, *, step: int = 1) -> np.ndarray:
        """A time on each day, from the table's hour-of-day weights, in `step`-minute steps."""
        hours = np.array(list(_HOURS[table]))
        hour = hours[_choice(rng, _weights(list(_HOURS[table].values())), len(days))]
        minute = rng.integers(0, 60 // step, len(days)) * step
        return _us(days) + (hour * 60 + minute) * np.timedelta64(_US_PER_MINUTE, "us")

    def written(self, rng: np.random.Generator, moments: np.ndarray, lo_minutes: int, hi_minutes: int) -> np.ndarray:
        """When a record of `moments` was saved: a little later, but before today (the day of generating)."""
        delay = rng.integers(lo_minutes, hi_minutes, len(moments)) * np.timedelta64(_US_PER_MINUTE, "us")
        latest = self.midnight - np.timedelta64(_US_PER_MINUTE, "us")
        return np.minimum(moments + delay, np.maximum(moments, latest))

    def jitter(self, rng: np.random.Generator, ward: np.ndarray, share: float) -> tuple[_Num, _Num]:
        """A place inside the ward for `share` of rows (others null)."""
        nulls = ~_sometimes(rng, len(ward), share)
        place = rng.integers(0, self.POINTS_PER_WARD, len(ward))
        return (_Num(self.point_lat[ward, place], pa.float64(), nulls),
                _Num(self.point_lon[ward, place], pa.float64(), nulls))

    def issue_text(self, rng: np.random.Generator, first_issue: np.ndarray, nulls: np.ndarray) -> _Pick:
        index = first_issue * self.issue_variants + rng.integers(0, self.issue_variants, len(first_issue))
        return _pick(self.issue_sentences, index, nulls)

    # small reference tables, built row by row
    def _rows(self, table: str, rows: list[dict], *, by: str = "u0006", at: np.datetime64 | None = None) -> pa.Table:
        ids = _hex_list(_new_ids(self.rng, len(rows)))
        moment = (at if at is not None else self.set_up_at).astype(dt.datetime)
        out = []
        for record_id, row in zip(ids, rows, strict=True):
            fields = {k: v for k, v in row.items() if k != "_by"}
            validate(table, fields)
            out.append(fields | {"record_id": record_id, "version": 1, "deleted": False, "written_at": moment,
                                 "written_by": row.get("_by", by), "submission_id": record_id,
                                 "superseded": False})
        return pa.Table.from_pylist(out, schema=arrow_schema(table))

    def areas_table(self) -> pa.Table:
        return self._rows("areas", [{"area_code": a.code, "name": a.name, "centre_lat": lat, "centre_lon": lon}
                                    for a, (lat, lon) in zip(AREAS, self.area_centres, strict=True)])

    def wards_table(self) -> pa.Table:
        return self._rows("wards", [
            {"ward_code": code, "name": name, "area_code": self.area_codes[k], "centre_lat": float(lat),
             "centre_lon": float(lon), "geojson": geo}
            for code, name, k, lat, lon, geo in zip(self.ward_codes, self.ward_names, self.ward_area,
                                                     self.ward_lat, self.ward_lon, self.ward_geojson, strict=True)])

    def users_table(self) -> pa.Table:
        return self._rows("users", [{**u, "active": True} for u in self.users])

    def picklists_table(self) -> pa.Table:
        return self._rows("picklists", [{"list_name": name, "value": v, "position": i, "active": True}
                                        for name, values in picklists.DEFAULTS.items()
                                        for i, v in enumerate(values)])

    def settings_table(self) -> pa.Table:
        return self._rows("settings", [{"key": "force_name", "value": FORCE_NAME}])

    def extra_tables(self) -> dict[str, pa.Table]:
        """A few good-practice, useful-info, news and app-feedback rows, so those pages are not empty."""
        days = HISTORY_DAYS
        officers = [u["user_id"] for u in self.users if u["role"] == "officer"]

        def when(i: int, count: int) -> np.datetime64:
            return _us(self.start_day) + np.timedelta64((i + 1) * days // (count + 1), "D") + np.timedelta64(10, "h")

        good = [{"title": t, "area_code": a, "problem": p, "action": act, "result": r, "tags": list(tags),
                 "_by": officers[i * 7 % len(officers)]}
                for i, (t, a, p, act, r, tags) in enumerate(_GOOD_PRACTICE)]
        info = [{"title": t, "area_code": a, "folder": f, "body": b} for t, a, f, b in _USEFUL_INFO]
        news = [{"title": t, "body": b, "published_on": (self.start_day + (i + 1) * days // (len(_NEWS) + 1))
                 .astype(dt.date)} for i, (t, b) in enumerate(_NEWS)]
        feedback = [{"kind": k, "text": t, "_by": officers[i * 11 % len(officers)]}
                    for i, (k, t) in enumerate(_APP_FEEDBACK)]
        out = {}
        for table, rows, by in (("good_practice", good, "u0003"), ("useful_info", info, "u0003"),
                                ("news", news, "u0006"), ("app_feedback", feedback, "u0001")):
            parts = [self._rows(table, [row], by=by, at=when(i, len(rows))) for i, row in enumerate(rows)]
            out[table] = pa.concat_tables(parts)
        return out


# -- activity tables ----------------------------------------------------------------------------------------------


_MINUTE = np.timedelta64(_US_PER_MINUTE, "us")


def _first(items: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The first item of each row's flattened list (0 where the list is empty)."""
    if not len(items):
        return np.zeros(len(lengths), dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    return np.where(lengths > 0, items[np.minimum(offsets, len(items) - 1)], 0)


def _flat_dates(rng: np.random.Generator, base: np.ndarray, counts: np.ndarray, lo: int, hi: int,
                latest: np.datetime64) -> np.ndarray:
    """For each row, `counts` dates after `base` with lo..hi-day gaps between them, capped at `latest`."""
    owner = np.repeat(np.arange(len(counts)), counts)
    gaps = rng.integers(lo, hi, len(owner))
    total = np.cumsum(gaps)
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    before = (total - gaps)[offsets[owner]] if len(owner) else np.zeros(0, dtype=np.int64)
    return np.minimum(base[owner] + (total - before).astype("timedelta64[D]"), latest)


class _Activity:
    """A generated activity table: its records' columns, written in chunks of records."""

    table: str
    columns: dict[str, _Column]
    n: int = 0
    DATE = ""  # the column dashboards filter dates on

    @property
    def rows(self) -> int:
        return self.n

    def chunk(self, a: int, b: int) -> pa.Table:
        return _assemble(self.table, self.columns, self.records(a, b))

    def records(self, a: int, b: int) -> np.ndarray:
        """Indices of the a..b-th records in the order they are written: by business date.

        Files then cover separate date ranges, so a date filter skips most of
        a large table from the Parquet statistics alone.
        """
        column = self.columns.get(self.DATE)
        if column is None or self.n < 2:
            return np.arange(a, b)
        if getattr(self, "_order", None) is None:
            self._order = np.argsort(column.values, kind="stable")
        return self._order[a:b]


class _Events(_Activity):
    """Engagement events; a finished one is stored as version 1 (booked) and version 2."""

    COMPLETION = ("attendees", "officers_involved", "communities_supported", "quality_rating", "quality_note",
                  "public_feedback", "issues", "issues_text", "intel_submissions", "suitable_for_publishing",
                  "value_gained", "cancel_reason")
    table = "events"
    DATE = "start"

    @property
    def rows(self) -> int:
        return self.n + int(self.finished.sum())

    def __init__(self, force: _Force, rng: np.random.Generator, n: int):
        self.n = n
        self.ids = _new_ids(rng, n)
        second_ids = _new_ids(rng, n, ordered=False)
        area = _choice(rng, force.area_activity, n)
        ward = force.ward_of[force.wards.pick(rng, area)]
        days = force.days(rng, "events", n, future=True)
        start = force.times(rng, days, "events", step=30)
        end = start + np.array([60, 90, 120, 180])[_choice(rng, _weights([35, 25, 30, 10]), n)] * _MINUTE
        past = days < np.datetime64(force.today, "D")
        status = np.where(past, _choice(rng, _weights([18, 75, 7]), n), 0)  # booked, completed, cancelled
        completed, cancelled, finished = status == 1, status == 2, status > 0
        # The organiser and fellow officers from the same team (neighbours in the team list are distinct).
        lead = force.officers.pick(rng, area)
        team_start, team_size = force.officers.start[area], force.officers.size[area]
        attending_n = np.minimum(_choice(rng, _weights([45, 40, 15]), n) + 1, team_size)
        team = np.stack([team_start + (lead - team_start + k) % team_size for k in range(3)], axis=1)
        attending = force.officer_of[team[np.arange(3)[None, :] < attending_n[:, None]]]
        organiser = force.officer_of[lead]
        etype = _choice(rng, _weights([w for w, _ in _EVENT_TYPES.values()]), n)
        typical = np.array([t for _, t in _EVENT_TYPES.values()])[etype]
        targeted, targeted_n = force.communities.pick_distinct(rng, area, _choice(rng, _weights([60, 40]), n) + 1,
                                                               most=2)
        supported = targeted[np.repeat(completed, targeted_n)]
        issue_n = np.where(completed, _choice(rng, _weights([40, 40, 20]), n) + 1, 0)
        issues, issue_n = force.issues.pick_distinct(rng, area, issue_n)
        first_issue = _first(issues, issue_n)
        place = rng.integers(0, len(_PLACES), n)
        lat, lon = force.jitter(rng, ward, 0.9)
        booked_at = np.minimum(start - rng.integers(2 * 1440, 30 * 1440, n) * _MINUTE,
                               force.midnight - rng.integers(30, 3 * 1440, n) * _MINUTE)
        done_at = force.written(rng, end, 30, 3 * 1440)
        wards = len(force.ward_names)
        self.columns: dict[str, _Column] = {
            "title": _pick(force.ward_strings(_EVENT_TYPES), etype * wards + ward),
            "event_type": _pick(list(_EVENT_TYPES), etype),
            "area_code": _pick(force.area_codes, area),
            "ward_code": _pick(force.ward_codes, ward),
            "place": _pick(force.ward_strings(_PLACES), place * wards + ward),
            "lat": lat,
            "lon": lon,
            "start": _Num(start, pa.timestamp("us")),
            "end": _Num(end, pa.timestamp("us")),
            "organiser": force.user_pick(organiser),
            "officers_attending": _Lists(force.user_pick(attending), attending_n),
            "communities_targeted": _Lists(_pick(picklists.COMMUNITIES, targeted), targeted_n),
            "status": _pick(picklists.EVENT_STATUSES, status),
            "attendees": _Num(np.maximum(1, np.round(typical * rng.lognormal(0, 0.5, n))).astype(np.int64),
                              pa.int64(), ~completed),
            "officers_involved": _Num(attending_n.astype(np.int64), pa.int64(), ~completed),
            "communities_supported": _Lists(_pick(picklists.COMMUNITIES, supported),
                                            np.where(completed, targeted_n, 0)),
            "quality_rating": _Num(_choice(rng, _weights([3, 7, 25, 40, 25]), n).astype(np.int64) + 1, pa.int64(),
                                   ~completed),
            "quality_note": _pick(_QUALITY_NOTES, rng.integers(0, len(_QUALITY_NOTES), n),
                                  ~(completed & _sometimes(rng, n, 0.25))),
            "public_feedback": _pick(_PUBLIC_FEEDBACK, rng.integers(0, len(_PUBLIC_FEEDBACK), n),
                                     ~(completed & _sometimes(rng, n, 0.7))),
            "issues": _Lists(_pick(picklists.ISSUE_CATEGORIES, issues), issue_n),
            "issues_text": force.issue_text(rng, first_issue, ~(completed & _sometimes(rng, n, 0.85))),
            "intel_submissions": _Num(rng.poisson(0.4, n).astype(np.int64), pa.int64(), ~completed),
            "suitable_for_publishing": _Num(_sometimes(rng, n, 0.45), pa.bool_(), ~completed),
            "value_gained": _pick(_VALUE_GAINED, rng.integers(0, len(_VALUE_GAINED), n),
                                  ~(completed & _sometimes(rng, n, 0.8))),
            "cancel_reason": _pick(_CANCEL_REASONS, rng.integers(0, len(_CANCEL_REASONS), n), ~cancelled),
        }
        self.columns |= _system(self.ids, booked_at, force.user_pick(organiser))
        self.status, self.finished, self.booked_at, self.done_at = status, finished, booked_at, done_at
        self.second_ids = second_ids
        # What CCRs and "You said, we did" items link to.
        self.area, self.ward, self.start, self.end, self.days = area, ward, start, end, days
        self.completed, self.place = completed, place
        self.attendees = np.where(completed, typical, 0)
        self.attending, self.attending_n = attending, attending_n
        self.attending_offsets = np.concatenate([[0], np.cumsum(attending_n)[:-1]])
        self.first_issue = np.where(completed, first_issue, -1)

    def chunk(self, a: int, b: int) -> pa.Table:
        """Rows of records a..b; a finished record's booked version 1 comes just before its version 2."""
        records = self.records(a, b)
        finished = self.finished[records]
        rows = np.repeat(records, 1 + finished)
        booked = np.zeros(len(rows), dtype=bool)
        booked[np.concatenate([[0], np.cumsum(1 + finished)[:-1]])[finished]] = True
        second = self.finished[rows] & ~booked
        given = {
            "status": _STATUSES.take(pa.array(np.where(booked, 0, self.status[rows]).astype(np.int32))),
            "version": pa.array(1 + second.astype(np.int64)),
            "written_at": pa.array(np.where(second, self.done_at[rows], self.booked_at[rows]),
                                   type=pa.timestamp("us")),
            "submission_id": _hex(np.where(second[:, None], self.second_ids[rows], self.ids[rows])),
            "superseded": pa.array(booked),
        }
        return _assemble("events", self.columns, rows, blank=booked, blank_columns=self.COMPLETION, given=given)


_STATUSES = pa.array(picklists.EVENT_STATUSES, type=pa.string())


class _Ccrs(_Activity):
    """Community Contact Records: about 30% at an event, the rest on patrol or by phone and email."""

    table = "ccrs"
    DATE = "contact_at"

    def __init__(self, force: _Force, rng: np.random.Generator, n: int, events: _Events):
        self.n = n
        self.ids = _new_ids(rng, n)
        area = _choice(rng, force.area_activity, n)
        ward = force.ward_of[force.wards.pick(rng, area)]
        contact = force.times(rng, force.days(rng, "ccrs", n), "ccrs")
        officer = force.officer_of[force.officers.pick(rng, area)]
        method = _choice(rng, _weights(_CONTACT_METHODS, picklists.CONTACT_METHODS), n)
        place = rng.integers(0, len(_PLACES), n)
        place_null = ~_sometimes(rng, n, 0.5)
        # At an event: a completed event (busier ones more often), during it, by one of its officers.
        pool = np.flatnonzero(events.completed)
        at_event = _sometimes(rng, n, 0.30) & (len(pool) > 0)
        k = int(at_event.sum())
        event = np.full(n, -1)
        if k:
            weight = np.sqrt(events.attendees[pool].astype(float))
            e = pool[_choice(rng, weight / weight.sum(), k)]
            event[at_event] = e
            area[at_event], ward[at_event] = events.area[e], events.ward[e]
            minutes = ((events.end[e] - events.start[e]) // _MINUTE).astype(np.int64)
            contact[at_event] = events.start[e] + (rng.random(k) * minutes).astype(np.int64) * _MINUTE
            chosen = events.attending_offsets[e] + (rng.random(k) * events.attending_n[e]).astype(np.int64)
            officer[at_event] = events.attending[chosen]
            method[at_event] = 0  # face to face
            place[at_event], place_null[at_event] = events.place[e], False
        lat, lon = force.jitter(rng, ward, 0.85)
        issues, issue_n = force.issues.pick_distinct(rng, area, _choice(rng, _weights([30, 50, 20]), n), most=2)
        info = _sometimes(rng, n, 0.15)
        consent = _sometimes(rng, n, 0.55)
        ethnicity = force.ethnicity.pick(rng, area) - force.ethnicity.start[area]
        religion = force.religion.pick(rng, ethnicity) - force.religion.start[ethnicity]
        wards = len(force.ward_names)
        self.columns: dict[str, _Column] = {
            "contact_at": _Num(contact, pa.timestamp("us")),
            "area_code": _pick(force.area_codes, area),
            "ward_code": _pick(force.ward_codes, ward),
            "place": _pick(force.ward_strings(_PLACES), place * wards + ward, place_null),
            "lat": lat,
            "lon": lon,
            "officer_id": force.user_pick(officer),
            "contact_method": _pick(picklists.CONTACT_METHODS, method),
            "issues": _Lists(_pick(picklists.ISSUE_CATEGORIES, issues), issue_n),
            "issues_text": force.issue_text(rng, _first(issues, issue_n), ~((issue_n > 0) & _sometimes(rng, n, 0.8))),
            "info_submitted": _Num(info, pa.bool_()),
            "info_text": _pick(_INFO_TEXT, rng.integers(0, len(_INFO_TEXT), n), ~info),
            "smart_alert_signup": _Num(_sometimes(rng, n, 0.2), pa.bool_()),
            "diversity_consent": _Num(consent, pa.bool_()),
            "age_band": _pick(picklists.AGE_BANDS, _choice(rng, _weights(_AGE_BANDS, picklists.AGE_BANDS), n),
                              ~consent),
            "ethnicity": _pick(list(picklists.ETHNICITY), ethnicity, ~consent),
            "religion": _pick(picklists.RELIGIONS, religion, ~consent),
            "sex": _pick(picklists.SEXES, _choice(rng, _weights(_SEXES, picklists.SEXES), n), ~consent),
            "disability": _pick(picklists.DISABILITY, _choice(rng, _weights(_DISABILITY, picklists.DISABILITY), n),
                                ~consent),
        }
        if len(events.ids):
            self.columns["event_id"] = _Ids(events.ids[np.maximum(event, 0)], nulls=event < 0)
        self.columns |= _system(self.ids, force.written(rng, contact, 60, 720), force.user_pick(officer))
        self.area, self.ward = area, ward
        self.days = contact.astype("datetime64[D]")



class _Patrols(_Activity):
    """Patrols of one to four hours, mostly on foot or at hotspots."""

    table = "patrols"
    DATE = "start"

    def __init__(self, force: _Force, rng: np.random.Generator, n: int):
        self.n = n
        ids = _new_ids(rng, n)
        area = _choice(rng, force.area_activity, n)
        ward = force.ward_of[force.wards.pick(rng, area)]
        officer = force.officer_of[force.officers.pick(rng, area)]
        start = force.times(rng, force.days(rng, "patrols", n), "patrols", step=15)
        end = start + rng.integers(4, 17, n) * 15 * _MINUTE
        tasking = force.issues.pick(rng, area) - force.issues.start[area]
        lat, lon = force.jitter(rng, ward, 0.7)
        wards = len(force.ward_names)
        self.columns: dict[str, _Column] = {
            "officer_id": force.user_pick(officer),
            "patrol_type": _pick(picklists.PATROL_TYPES,
                                 _choice(rng, _weights(_PATROL_TYPES, picklists.PATROL_TYPES), n)),
            "start": _Num(start, pa.timestamp("us")),
            "end": _Num(end, pa.timestamp("us")),
            "area_code": _pick(force.area_codes, area),
            "ward_code": _pick(force.ward_codes, ward),
            "places": _pick(force.ward_strings(_PLACES), rng.integers(0, len(_PLACES), n) * wards + ward,
                            ~_sometimes(rng, n, 0.7)),
            "tasking": _pick([f"Ward priority: {i.lower()}" for i in picklists.ISSUE_CATEGORIES], tasking,
                             ~_sometimes(rng, n, 0.5)),
            "outcomes": _pick(_PATROL_OUTCOMES, rng.integers(0, len(_PATROL_OUTCOMES), n), ~_sometimes(rng, n, 0.75)),
            "lat": lat,
            "lon": lon,
        }
        self.columns |= _system(ids, force.written(rng, end, 15, 600), force.user_pick(officer))



class _Abstractions(_Activity):
    """Hours officers were taken away from neighbourhood duties, and to what."""

    table = "abstractions"
    DATE = "date"

    def __init__(self, force: _Force, rng: np.random.Generator, n: int):
        self.n = n
        ids = _new_ids(rng, n)
        area = _choice(rng, force.area_activity, n)
        officer = force.officer_of[force.officers.pick(rng, area)]
        days = force.days(rng, "abstractions", n)
        reason = _choice(rng, _weights(_ABSTRACTION_REASONS, picklists.ABSTRACTION_REASONS), n)
        duties = [d for r in picklists.ABSTRACTION_REASONS for d in _DUTIES[r]]
        self.columns: dict[str, _Column] = {
            "officer_id": force.user_pick(officer),
            "area_code": _pick(force.area_codes, area),
            "team": _pick(force.area_codes, area),
            "date": _Num(days, pa.date32()),
            "hours": _Num(rng.integers(4, 21, n) / 2.0, pa.float64()),
            "reason": _pick(picklists.ABSTRACTION_REASONS, reason),
            "duty_taken_to": _pick(duties, reason * 3 + rng.integers(0, 3, n)),
        }
        evening = _us(days) + np.timedelta64(17, "h")
        self.columns |= _system(ids, force.written(rng, evening, 0, 3 * 1440), force.user_pick(officer))



class _Ysywd(_Activity):
    """"You said, we did" items: raised at events, in CCRs or meetings; actions and feedback follow."""

    table = "ysywd"
    DATE = "raised_on"

    def __init__(self, force: _Force, rng: np.random.Generator, n: int, events: _Events, ccrs: _Ccrs):
        self.n = n
        ids = _new_ids(rng, n)
        source = _choice(rng, _weights(_YSYWD_SOURCES, picklists.YSYWD_SOURCES), n)
        area = _choice(rng, force.area_activity, n)
        ward = force.ward_of[force.wards.pick(rng, area)]
        ward_null = ~_sometimes(rng, n, 0.85)
        raised = force.days(rng, "ysywd", n)
        issue = force.issues.pick(rng, area) - force.issues.start[area]
        linked_event, linked_ccr = np.full(n, -1), np.full(n, -1)
        event_source, ccr_source, manual = (picklists.YSYWD_SOURCES.index(s) for s in ("event", "ccr", "manual"))
        for k in range(len(AREAS)):
            rows = np.flatnonzero((source == event_source) & (area == k))
            pool = np.flatnonzero(events.completed & (events.area == k))
            if len(rows) and not len(pool):
                source[rows] = manual
            elif len(rows):
                e = pool[rng.integers(0, len(pool), len(rows))]
                linked_event[rows], ward[rows], ward_null[rows] = e, events.ward[e], False
                raised[rows], issue[rows] = events.days[e], events.first_issue[e]
            rows = np.flatnonzero((source == ccr_source) & (area == k))
            pool = np.flatnonzero(ccrs.area == k)
            if len(rows) and not len(pool):
                source[rows] = manual
            elif len(rows):
                c = pool[rng.integers(0, len(pool), len(rows))]
                linked_ccr[rows], ward[rows], ward_null[rows] = c, ccrs.ward[c], False
                raised[rows] = ccrs.days[c]
        yesterday = np.datetime64(force.today, "D") - 1
        young = (yesterday - raised).astype(np.int64) < 21
        status = np.where(young, _choice(rng, _weights([50, 35, 15, 0, 0]), n),
                          _choice(rng, _weights([8, 14, 25, 33, 20]), n))
        open_, in_progress, action_taken, feedback_given, closed = range(5)
        action_n = np.where(status >= action_taken, rng.integers(1, 4, n),
                            np.where(status == in_progress, rng.integers(0, 2, n), 0))
        feedback_n = np.where(status == feedback_given, rng.integers(1, 3, n),
                              np.where(status == closed, _sometimes(rng, n, 0.7).astype(int), 0))
        action_dates = _flat_dates(rng, raised, action_n, 1, 21, yesterday)
        last_action = np.concatenate([[0], np.cumsum(action_n)])[1:] - 1
        since = np.where(action_n > 0, action_dates[np.maximum(last_action, 0)] if len(action_dates) else raised,
                         raised)
        feedback_dates = _flat_dates(rng, since, feedback_n, 2, 15, yesterday)
        last_feedback = np.concatenate([[0], np.cumsum(feedback_n)])[1:] - 1
        latest = np.where(feedback_n > 0,
                          feedback_dates[np.maximum(last_feedback, 0)] if len(feedback_dates) else since, since)
        action_owner = np.repeat(area, action_n)
        action_type = _choice(rng, _weights(_ACTION_TYPES, picklists.ACTION_TYPES), len(action_owner))
        action_officer = force.officer_of[force.officers.pick(rng, action_owner)]
        actions = _Struct({
            "action_type": _pick(picklists.ACTION_TYPES, action_type),
            "text": _pick([t for a in picklists.ACTION_TYPES for t in _ACTION_TEXT[a]],
                          action_type * 2 + rng.integers(0, 2, len(action_owner))),
            "date": _Num(action_dates, pa.date32()),
            "officer_id": force.user_pick(action_officer),
        })
        feedback = _Struct({
            "date": _Num(feedback_dates, pa.date32()),
            "channel": _pick(picklists.FEEDBACK_CHANNELS,
                             _choice(rng, _weights(_FEEDBACK_CHANNELS, picklists.FEEDBACK_CHANNELS),
                                     int(feedback_n.sum()))),
            "text": _pick(_FEEDBACK_TEXT, rng.integers(0, len(_FEEDBACK_TEXT), int(feedback_n.sum()))),
        })
        officer = force.officer_of[force.officers.pick(rng, area)]
        has_event, has_ccr = linked_event >= 0, linked_ccr >= 0
        self.columns: dict[str, _Column] = {
            "issue_category": _pick(picklists.ISSUE_CATEGORIES, issue),
            "issue_text": force.issue_text(rng, issue, None),
            "source": _pick(picklists.YSYWD_SOURCES, source),
            "area_code": _pick(force.area_codes, area),
            "ward_code": _pick(force.ward_codes, ward, ward_null),
            "raised_on": _Num(raised, pa.date32()),
            "linked_events": _Lists(_Ids(events.ids[linked_event[has_event]]), has_event.astype(np.int64)),
            "linked_ccrs": _Lists(_Ids(ccrs.ids[linked_ccr[has_ccr]]), has_ccr.astype(np.int64)),
            "actions": _Lists(actions, action_n),
            "feedback": _Lists(feedback, feedback_n),
            "status": _pick(picklists.YSYWD_STATUSES, status),
            "publishable": _Num((status >= feedback_given) & _sometimes(rng, n, 0.6), pa.bool_()),
        }
        written = _us(latest) + np.timedelta64(16, "h") + rng.integers(0, 360, n) * _MINUTE
        self.columns |= _system(ids, np.minimum(written, force.midnight - _MINUTE), force.user_pick(officer))



# -- crime and census ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Array:
    """A column already built as one Arrow array."""

    values: pa.Array

    def take(self, rows: np.ndarray, blank: np.ndarray | None = None) -> pa.Array:
        return self.values.take(pa.array(rows, type=pa.int64()))


def _random_hex(rng: np.random.Generator, n: int, chars: int, nulls: np.ndarray | None = None) -> pa.Array:
    """n random lowercase hex strings of `chars` characters (an even number)."""
    raw = np.frombuffer(rng.bytes(n * chars // 2), dtype=np.uint8).reshape(n, chars // 2)
    text = np.empty((n, chars), dtype=np.uint8)
    text[:, 0::2] = _HEX[raw >> 4]
    text[:, 1::2] = _HEX[raw & 15]
    offsets = pa.py_buffer(np.arange(0, chars * (n + 1), chars, dtype=np.int32))
    data = pa.py_buffer(np.ascontiguousarray(text))
    if nulls is None or not nulls.any():
        return pa.StringArray.from_buffers(n, offsets, data)
    return pa.StringArray.from_buffers(n, offsets, data, pa.py_buffer(np.packbits(~nulls, bitorder="little")),
                                       int(nulls.sum()))


class _Crimes(_Activity):
    """Street-level crime and ASB per whole month of the period, as the crime importer stores it.

    Each ward's demand is its own (urban and town-centre wards far busier), drawn
    apart from where the teams work, so some wards get much less engagement than
    their share of crime. Located rows sit on a few anonymised map points inside
    the ward, with a street and an LSOA; a small share has no location
    (no ward, no area), as in the published files.
    """

    table = "crimes"
    DATE = "month"

    def __init__(self, force: _Force, rng: np.random.Generator, n: int):
        self.n = n
        ids = _new_ids(rng, n)
        wards = len(force.ward_codes)
        kinds = [AREAS[k].kind for k in force.ward_area]
        # Demand per ward: by kind of area, spread wide, and a town-centre hotspot or two per area.
        demand = np.array([_CRIME_RATE[k] for k in kinds]) * rng.lognormal(0.0, 0.7, wards)
        for k in range(len(AREAS)):
            mine = np.flatnonzero(force.ward_area == k)
            demand[rng.choice(mine, size=min(2, len(mine)), replace=False)] *= rng.uniform(2.5, 5.0, 2)[: len(mine)]
        ward = _choice(rng, demand / demand.sum(), n)
        area = force.ward_area[ward]
        # Months: every whole month of the period, summer busier.
        first = (force.start_day + np.timedelta64(31, "D")).astype("datetime64[M]")
        months = np.arange(first, np.datetime64(force.today, "M"))
        if not len(months):
            months = np.array([np.datetime64(force.today, "M") - 1])
        season = np.sqrt(np.array(_MONTH)[months.astype(np.int64) % 12])
        month = _choice(rng, season / season.sum(), n)
        days = months.astype("datetime64[D]")
        # Crime types by kind of area.
        types = list(_CRIME_TYPES)
        chooser = _Chooser([_weights({t: w * _CRIME_BOOST[a.kind].get(t, 1.0) for t, w in _CRIME_TYPES.items()},
                                     types) for a in AREAS])
        kind = chooser.pick(rng, area) - chooser.start[area]
        asb = kind == types.index("Anti-social behaviour")
        # Map points: a few places per ward, inside it, some streets busier than others.
        point_ward = np.repeat(np.arange(wards), POINTS_PER_WARD)
        place = np.argsort(rng.random((wards, force.POINTS_PER_WARD)), axis=1)[:, :POINTS_PER_WARD].ravel()
        point_lat, point_lon = force.point_lat[point_ward, place], force.point_lon[point_ward, place]
        point_street = rng.integers(0, len(_STREETS), len(point_ward))
        points = _Chooser([rng.lognormal(0.0, 1.0, POINTS_PER_WARD) for _ in range(wards)])
        point = points.pick(rng, ward)
        lsoa = ward * LSOAS_PER_WARD + (point - points.start[ward]) % LSOAS_PER_WARD
        no_location = _sometimes(rng, n, NO_LOCATION)
        # Outcomes: recent crimes are mostly still under investigation.
        outcomes = [*_CRIME_OUTCOMES, UNDER_INVESTIGATION]
        outcome = _choice(rng, _weights([*_CRIME_OUTCOMES.values(), 0]), n)
        age = len(months) - 1 - month
        outcome[rng.random(n) < 0.6 * np.exp(-age / 2.0)] = len(outcomes) - 1
        # LSOA names: the area's first local authority, a number per ward and a letter.
        first_la = {}
        for code, _, name, _ in _LOCAL_AUTHORITIES:
            first_la.setdefault(code, name)
        within = np.zeros(wards, dtype=int)
        for k in range(len(AREAS)):
            mine = np.flatnonzero(force.ward_area == k)
            within[mine] = np.arange(len(mine))
        lsoa_codes = [f"E01{900001 + i:06d}" for i in range(wards * LSOAS_PER_WARD)]
        lsoa_names = [f"{first_la[force.area_codes[force.ward_area[w]]]} {within[w] + 1:03d}{'ABCDEFGH'[j]}"
                      for w in range(wards) for j in range(LSOAS_PER_WARD)]
        files = [f"{m}-staffordshire-street.csv" for m in months.astype(str)]
        published = _us((months + 1).astype("datetime64[D]")) + np.timedelta64(9, "h")
        written = published[month] + rng.integers(18, 30, n) * np.timedelta64(1, "D")
        written = np.minimum(written, force.midnight - _MINUTE)
        self.columns: dict[str, _Column] = {
            "crime_id": _Array(_random_hex(rng, n, 64, asb)),
            "month": _Num(days[month], pa.date32()),
            "reported_by": _pick([FORCE_REPORTING], np.zeros(n)),
            "falls_within": _pick([FORCE_REPORTING], np.zeros(n)),
            "lat": _Num(np.round(point_lat[point], 5), pa.float64(), no_location),
            "lon": _Num(np.round(point_lon[point], 5), pa.float64(), no_location),
            "location": _pick([*(f"On or near {s}" for s in _STREETS), "No location"],
                              np.where(no_location, len(_STREETS), point_street[point])),
            "lsoa_code": _pick(lsoa_codes, lsoa, no_location),
            "lsoa_name": _pick(lsoa_names, lsoa, no_location),
            "crime_type": _pick(types, kind),
            "last_outcome": _pick(outcomes, outcome, asb),
            "ward_code": _pick(force.ward_codes, ward, no_location),
            "area_code": _pick(force.area_codes, area, no_location),
            "source_file": _pick(files, month),
        }
        self.columns |= _system(ids, written, _pick([ANALYST], np.zeros(n)))


def _census_table(force: _Force, rng: np.random.Generator) -> pa.Table:
    """Census 2011 ethnicity for each local authority of the demo areas (synthetic counts).

    Each authority's mix starts from the people its area's teams meet in CCRs
    and lifts the groups teams tend to reach less (`_CENSUS_LIFT`), with some
    variation per authority. Ids are the census importer's, so an import of the
    real table for the same authorities writes new versions of these records.
    """
    from data.imports.common import content_id  # the importers' ids; imported here to keep demo start-up light

    kinds = {a.code: a.kind for a in AREAS}
    codes = [c for c in picklists.ETHNICITY if c not in ("NS", "W4")]  # 2011 had no Roma category
    rows = []
    for area_code, la_code, la_name, population in _LOCAL_AUTHORITIES:
        base = np.array([_ETHNICITY[kinds[area_code]][c] * _CENSUS_LIFT.get(c, 1.0) for c in codes])
        share = base * rng.lognormal(0.0, 0.15, len(codes))
        people = rng.multinomial(population, share / share.sum())
        for code, count in zip(codes, people, strict=True):
            values = {"census_year": _CENSUS_YEAR, "geography_code": la_code, "geography_name": la_name,
                      "area_code": area_code, "ethnicity_code": code, "ethnic_group": picklists.ETHNICITY[code][1],
                      "people": int(count), "source_file": "census2011-ethnic-group-demo.csv"}
            record_id = content_id("census", _CENSUS_YEAR, la_code, code)
            submission = content_id(record_id, *(values[k] for k in sorted(values) if k != "source_file"))
            rows.append(values | {"record_id": record_id, "version": 1, "deleted": False,
                                  "written_at": force.set_up_at.astype(dt.datetime), "written_by": ANALYST,
                                  "submission_id": submission, "superseded": False})
    return pa.Table.from_pylist(rows, schema=arrow_schema("census_population"))
