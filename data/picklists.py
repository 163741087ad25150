"""Default pick-lists: the choices officers tap instead of typing.

A force can replace any of these through the `picklists` table; these are the
values a new store starts with. Codes are stored, labels are shown.
"""

EVENT_TYPES = (
    "Street meeting",
    "Community meeting",
    "School visit",
    "Faith group visit",
    "Business watch",
    "Surgery / drop-in",
    "Youth engagement",
    "Crime prevention stall",
    "Partnership event",
    "Cultural festival",
    "Beat meeting",
)

COMMUNITIES = (
    "General public",
    "Young people",
    "Elderly",
    "Business",
    "Faith communities",
    "Ethnic minority communities",
    "Students",
    "Rural communities",
    "LGBT+ communities",
    "Disabled people",
    "Gypsy, Roma and Traveller",
    "Refugees and asylum seekers",
)

ISSUE_CATEGORIES = (
    "Anti-social behaviour",
    "Speeding",
    "Parking",
    "Drugs",
    "Burglary",
    "Vehicle crime",
    "Youth nuisance",
    "Shoplifting",
    "Fly-tipping",
    "Violence",
    "Theft",
    "Criminal damage",
    "Hate crime",
    "Scams and fraud",
    "Road safety",
    "Street drinking",
    "Knife crime",
    "Rural crime",
)

ACTION_TYPES = (
    "Media appeal",
    "Patrol plan",
    "Reassurance",
    "Enforcement",
    "Partner referral",
    "Crime prevention advice",
    "Problem-solving plan",
    "Community messaging alert",
)

PATROL_TYPES = (
    "Hotspot patrol",
    "Priority patrol",
    "Tasking",
    "Reassurance patrol",
    "Foot patrol",
    "Cycle patrol",
    "Vehicle patrol",
)

ABSTRACTION_REASONS = (
    "Response cover",
    "Public order",
    "Custody",
    "Training",
    "Court",
    "Major incident",
    "Event policing",
    "Sickness cover",
)

QUERY_CHANNELS = ("E-mail", "Phone", "Online", "In person")
"""How a community query came in, or was answered (Neighbourhood Policing Guarantee)."""

CONTACT_METHODS = ("Face to face", "Telephone", "Email", "Social media", "Online meeting")

FEEDBACK_CHANNELS = ("Meeting", "Community messaging", "Social media", "Leaflet", "Website")

AGE_BANDS = ("Under 18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+", "Prefer not to say")

RELIGIONS = (
    "No religion",
    "Christian",
    "Buddhist",
    "Hindu",
    "Jewish",
    "Muslim",
    "Sikh",
    "Other religion",
    "Prefer not to say",
)

SEXES = ("Female", "Male", "Prefer not to say")

DISABILITY = ("Yes", "No", "Prefer not to say")

# ONS 2021 harmonised ethnicity: code -> (label, high-level group).
ETHNICITY = {
    "A1": ("Asian, Asian British or Asian Welsh: Bangladeshi", "Asian"),
    "A2": ("Asian, Asian British or Asian Welsh: Chinese", "Asian"),
    "A3": ("Asian, Asian British or Asian Welsh: Indian", "Asian"),
    "A4": ("Asian, Asian British or Asian Welsh: Pakistani", "Asian"),
    "A5": ("Asian, Asian British or Asian Welsh: Other Asian", "Asian"),
    "B1": ("Black, Black British, Black Welsh, Caribbean or African: African", "Black"),
    "B2": ("Black, Black British, Black Welsh, Caribbean or African: Caribbean", "Black"),
    "B3": ("Black, Black British, Black Welsh, Caribbean or African: Other Black", "Black"),
    "M1": ("Mixed or Multiple: White and Asian", "Mixed"),
    "M2": ("Mixed or Multiple: White and Black African", "Mixed"),
    "M3": ("Mixed or Multiple: White and Black Caribbean", "Mixed"),
    "M4": ("Mixed or Multiple: Other Mixed or Multiple", "Mixed"),
    "W1": ("White: English, Welsh, Scottish, Northern Irish or British", "White"),
    "W2": ("White: Irish", "White"),
    "W3": ("White: Gypsy or Irish Traveller", "White"),
    "W4": ("White: Roma", "White"),
    "W5": ("White: Other White", "White"),
    "O1": ("Other ethnic group: Arab", "Other"),
    "O2": ("Other ethnic group: Any other ethnic group", "Other"),
    "NS": ("Prefer not to say", "Not stated"),
}

ETHNIC_GROUPS = ("Asian", "Black", "Mixed", "White", "Other")

EVENT_STATUSES = ("booked", "completed", "cancelled")

YSYWD_STATUSES = ("open", "in_progress", "action_taken", "feedback_given", "closed")

YSYWD_SOURCES = ("event", "ccr", "meeting", "online", "manual", "import")

PROBLEM_STAGES = ("scanning", "analysis", "response", "assessment", "closed")

DIP_CHECK_FAULTS = (
    "Issues missing",
    "Vague outcome",
    "No consent recorded",
    "Wrong ward",
    "Wrong date or time",
    "Wrong type or category",
    "Personal details in free text",
    "Too little detail",
)

ROLES = ("officer", "supervisor", "commander", "analyst", "admin")

DEFAULTS = {
    "event_types": EVENT_TYPES,
    "communities": COMMUNITIES,
    "issue_categories": ISSUE_CATEGORIES,
    "action_types": ACTION_TYPES,
    "patrol_types": PATROL_TYPES,
    "abstraction_reasons": ABSTRACTION_REASONS,
    "contact_methods": CONTACT_METHODS,
    "feedback_channels": FEEDBACK_CHANNELS,
    "dip_check_faults": DIP_CHECK_FAULTS,
}
