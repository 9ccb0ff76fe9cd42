"""What helps: the levers the research names for each of the three o's, in both languages.

The one place these texts live; a change here is a change of content and is reviewed as such.
They are pointers for the conversation in an area, not prescriptions: the report shows them
beside the "o" that holds the area back most, never as a verdict. Sources: Veldboer &
Hoijtink (2019), *De moeizame hybridisering van het sociale domein*, and Welschen et al.
(2018), *Met elkaar of naast elkaar?* (listed on the methods page).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

#: The three o's, lowest first when they hold an area back: code -> language -> levers.
LEVERS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "UNF": {  # onbekendheid: not knowing each other, whom to contact, what the other does
        "nl": (
            "Tijd vrijmaken voor contact: ruimte in de agenda van professionals om informele "
            "partijen te leren kennen en op te zoeken.",
            "Aanwezig zijn in de wijk, op vaste tijden en op plekken waar bewoners en "
            "vrijwilligers komen.",
            "Wijktafels en netwerkbijeenkomsten, waar beide kanten elkaar ontmoeten en horen wie "
            "wat doet.",
        ),
        "en": (
            "Time set aside for contacts: room in professionals' schedules to get to know "
            "informal actors and to visit them.",
            "Presence in the neighbourhood, at fixed times and in the places where residents "
            "and volunteers come.",
            "Neighbourhood tables and network meetings, where both sides meet and hear who does "
            "what.",
        ),
    },
    "DIS": {  # onenigheid: which knowledge counts, judging a case, escalation, roles, respect
        "nl": (
            "De twee manieren van werken bij elkaar brengen: samen een situatie bespreken, met "
            "de vakkennis van de professional én de ervaringskennis van de informele partij.",
            "Elkaars kennis en rol erkennen: uitspreken wat ieder weet en kan, en wie wat doet.",
        ),
        "en": (
            "Bringing the two logics together: discussing a situation jointly, with the "
            "professional's expertise and the informal actor's experiential knowledge.",
            "Mutual recognition of knowledge and roles: saying out loud what each knows and can "
            "do, and who does what.",
        ),
    },
    "IND": {  # onbestemdheid: no explicit shared end goal
        "nl": (
            "Een open gesprek over het einddoel van de samenwerking: zijn informele partijen "
            "vooral gids naar professionele hulp, of nemen zij taken over?",
        ),
        "en": (
            "An explicit conversation about the end goal of the collaboration: are informal "
            "actors mainly guides to professional help, or do they take over tasks?",
        ),
    },
}


def holding_back(scores: Mapping[str, float], close: float) -> list[str]:
    """The o's that hold an area back most, lowest first: the lowest, and any other less than
    ``close`` points above it (closer than that, the data cannot tell them apart in a way
    that matters). ``scores``: o -> score, missing ones left out or NaN."""
    known = {o: v for o, v in scores.items() if v is not None and not math.isnan(v)}
    if not known:
        return []
    lowest = min(known.values())
    return sorted((o for o, v in known.items() if v - lowest < close), key=known.__getitem__)
