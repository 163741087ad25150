"""How often things happen in the demo force: weights by kind of area, people met, activity types and rhythm."""

from __future__ import annotations

KIND_ACTIVITY = {"urban": 1.3, "suburban": 1.0, "rural": 0.8, "diverse": 1.3}
ISSUE_BASE = {
    "Anti-social behaviour": 10, "Speeding": 8, "Parking": 6, "Drugs": 6, "Burglary": 4, "Vehicle crime": 4,
    "Youth nuisance": 5, "Shoplifting": 3, "Fly-tipping": 3, "Violence": 2, "Theft": 3, "Criminal damage": 3,
    "Hate crime": 1, "Scams and fraud": 2, "Road safety": 4, "Street drinking": 2, "Knife crime": 1.5,
    "Rural crime": 0.5,
}
COMMUNITY_BASE = {
    "General public": 10, "Young people": 5, "Elderly": 4, "Business": 3, "Faith communities": 2,
    "Ethnic minority communities": 2, "Students": 1, "Rural communities": 1, "LGBT+ communities": 0.7,
    "Disabled people": 0.7, "Gypsy, Roma and Traveller": 0.4, "Refugees and asylum seekers": 0.4,
}
COMMUNITY_BOOST = {
    "urban": {"Students": 3, "Ethnic minority communities": 2, "Faith communities": 1.5, "Rural communities": 0.2},
    "suburban": {"Elderly": 1.3, "Rural communities": 1.5},
    "rural": {"Rural communities": 6, "Elderly": 1.5, "Ethnic minority communities": 0.4, "Students": 0.3},
    "diverse": {"Ethnic minority communities": 4, "Faith communities": 3, "Rural communities": 0.1},
}
# Self-defined ethnicity of people met, by kind of area (weights over data.picklists.ETHNICITY codes).
ETHNICITY = {
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
RELIGION_DEFAULT = {"No religion": 40, "Christian": 44, "Buddhist": 0.5, "Hindu": 0.5, "Jewish": 0.4,
                    "Muslim": 1.5, "Sikh": 0.3, "Other religion": 0.8, "Prefer not to say": 7}
RELIGION_BY_ETHNICITY = {
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
AGE_BANDS = {"Under 18": 9, "18-24": 10, "25-34": 15, "35-44": 16, "45-54": 16, "55-64": 14, "65+": 16,
             "Prefer not to say": 4}
SEXES = {"Female": 51, "Male": 46, "Prefer not to say": 3}
DISABILITY = {"Yes": 14, "No": 80, "Prefer not to say": 6}
CONTACT_METHODS = {"Face to face": 70, "Telephone": 12, "Email": 7, "Social media": 6, "Online meeting": 5}
EVENT_TYPES = {  # weight, typical attendance
    "Street meeting": (16, 10), "Community meeting": (12, 22), "School visit": (12, 60),
    "Faith group visit": (6, 35), "Business watch": (7, 9), "Surgery / drop-in": (18, 7),
    "Youth engagement": (9, 18), "Crime prevention stall": (10, 35), "Partnership event": (7, 28),
    "Cultural festival": (3, 140),
}
PATROL_TYPES = {"Hotspot patrol": 20, "Priority patrol": 18, "Tasking": 10, "Reassurance patrol": 14,
                "Foot patrol": 22, "Cycle patrol": 5, "Vehicle patrol": 11}
ABSTRACTION_REASONS = {"Response cover": 35, "Public order": 12, "Custody": 10, "Training": 14, "Court": 8,
                       "Major incident": 5, "Event policing": 9, "Sickness cover": 7}
ACTION_TYPES = {"Media appeal": 6, "Patrol plan": 22, "Reassurance": 14, "Enforcement": 12,
                "Partner referral": 14, "Crime prevention advice": 14, "Problem-solving plan": 9,
                "Community messaging alert": 9}
FEEDBACK_CHANNELS = {"Meeting": 30, "Community messaging": 35, "Social media": 18, "Leaflet": 9, "Website": 8}
YSYWD_SOURCES = {"event": 35, "ccr": 30, "meeting": 15, "online": 10, "manual": 10}

# Activity rhythm: Monday..Sunday, January..December, and hour-of-day weights.
WEEKDAY = {
    "events": (1.1, 1.2, 1.2, 1.15, 1.0, 0.55, 0.35),
    "ccrs": (1.1, 1.1, 1.1, 1.1, 1.05, 0.7, 0.5),
    "patrols": (1.0, 1.05, 1.05, 1.05, 1.1, 0.85, 0.7),
    "abstractions": (1.0, 1.0, 1.0, 1.0, 1.1, 1.1, 0.9),
    "ysywd": (1.1, 1.1, 1.1, 1.1, 1.0, 0.4, 0.3),
}
MONTH = (0.72, 0.8, 0.9, 1.0, 1.1, 1.2, 1.25, 1.2, 1.05, 0.95, 0.85, 0.68)
HOURS = {
    "events": {9: 3, 10: 6, 11: 6, 12: 3, 13: 3, 14: 5, 15: 4, 16: 3, 17: 3, 18: 6, 19: 6},
    "ccrs": {8: 2, 9: 4, 10: 6, 11: 7, 12: 6, 13: 6, 14: 7, 15: 7, 16: 6, 17: 5, 18: 5, 19: 5, 20: 3, 21: 2},
    "patrols": {7: 3, 8: 4, 9: 5, 10: 5, 11: 4, 12: 3, 13: 4, 14: 5, 15: 5, 16: 4, 17: 4, 18: 5, 19: 5},
}
