"""Report wording in Dutch and English, as data. Every key has both languages (tested)."""

from __future__ import annotations

from markupsafe import Markup, escape

LANGUAGES = ("nl", "en")

TEXT: dict[str, dict[str, str]] = {
    "site_title": {"nl": "Samenspel in de wijk", "en": "Working together in the neighbourhood"},
    "demo_banner": {
        "nl": "Gesimuleerde demodata — deze cijfers beschrijven geen echte wijk.",
        "en": "Simulated demo data — these figures describe no real neighbourhood.",
    },
    "demo_banner_waves": {
        "nl": "Gesimuleerde demodata in meting {waves} — die cijfers beschrijven geen echte wijk.",
        "en": "Simulated demo data in wave {waves} — those figures describe no real neighbourhood.",
    },
    "nav_overview": {"nl": "Overzicht", "en": "Overview"},
    "nav_index": {"nl": "Gemeenten en wijken", "en": "Municipalities and areas"},
    "breadcrumb": {"nl": "U bent hier", "en": "You are here"},
    "all_municipalities": {"nl": "Alle gemeenten", "en": "All municipalities"},
    "front_title": {
        "nl": "Hybridiseringsindex per gemeente",
        "en": "Hybridisation index per municipality",
    },
    "front_lead": {
        "nl": "In meting {wave} {counts}, verdeeld over {municipalities} gemeenten; de mediaan "
        "van alle wijken is {median}. De index loopt van 0 tot 100: hoe hoger, hoe meer "
        "professionals en informele partijen echt samenwerken.",
        "en": "In wave {wave}, {counts}, in {municipalities} municipalities; the median of all "
        "areas is {median}. The index runs from 0 to 100: the higher, the more professionals "
        "and informal actors really work together.",
    },
    "index_link": {
        "nl": "Alle gemeenten en wijken, met zoeken op naam",
        "en": "All municipalities and areas, with search by name",
    },
    "distribution_title": {
        "nl": "Hoeveel wijken welke index hebben, meting {wave}",
        "en": "How many areas have which index, wave {wave}",
    },
    "axis_areas": {"nl": "Wijken", "en": "Areas"},
    "front_chart_title": {
        "nl": "Mediaan van de wijken per gemeente, met de laagste en de hoogste wijk, "
        "meting {wave}",
        "en": "Median of the areas per municipality, with the lowest and the highest area, "
        "wave {wave}",
    },
    "front_table": {"nl": "Per gemeente, meting {wave}", "en": "Per municipality, wave {wave}"},
    "front_table_note": {
        "nl": "Per gemeente: het aantal wijken, hoeveel daarvan in elke fase zitten, de mediaan "
        "van hun index en hoe vaak welk oordeel over de verandering sinds de vorige meting "
        "viel. Een onderdrukte wijk heeft geen fase.",
        "en": "Per municipality: the number of areas, how many of them are in each band, the "
        "median of their index, and how often each verdict on the change since the previous "
        "wave was given. A suppressed area has no band.",
    },
    "front_first_wave": {
        "nl": "Dit is de eerste meting: er is nog geen verandering.",
        "en": "This is the first wave: there is no change yet.",
    },
    "front_trend_title": {
        "nl": "Verloop van de index over alle wijken: de mediaan en de middelste helft",
        "en": "The index of all areas over the waves: the median and the middle half",
    },
    "upper_quartile": {"nl": "75e percentiel", "en": "75th percentile"},
    "median": {"nl": "mediaan", "en": "median"},
    "lower_quartile": {"nl": "25e percentiel", "en": "25th percentile"},
    "municipality_title": {
        "nl": "{name}: hybridiseringsindex per wijk",
        "en": "{name}: hybridisation index per area",
    },
    "municipality_medians": {
        "nl": "De mediaan van de wijken van {name} is {median}, die van alle wijken {all}.",
        "en": "The median of the areas of {name} is {median}, that of all areas {all}.",
    },
    "median_of": {"nl": "Mediaan {name}", "en": "Median {name}"},
    "median_all": {"nl": "Mediaan alle wijken", "en": "Median of all areas"},
    "not_measured": {"nl": "Niet gemeten in meting {wave}.", "en": "Not measured in wave {wave}."},
    "differences_title": {"nl": "Waar de wijken afwijken", "en": "Where the areas differ"},
    "differences_text": {
        "nl": "Per wijk de onderdelen die bij een kant significant verschillen van de rest van de "
        "gemeente en van alle andere wijken, meting {wave} (Welch-t; FDR over de wijken). Een "
        "plus is hoger, dus meer hybride. Alle verschillen staan op de pagina van de wijk.",
        "en": "Per area the components on which a side differs significantly from the rest of "
        "the municipality and from all other areas, wave {wave} (Welch t; FDR across the "
        "areas). A plus is higher, so more hybrid. Every difference is on the area's page.",
    },
    "differences_text_one": {
        "nl": "Per wijk de onderdelen waarop een kant significant verschilt van de andere wijken "
        "van de gemeente, meting {wave} (Welch-t; FDR over de wijken). Een plus is hoger, dus "
        "meer hybride. Alle verschillen staan op de pagina van de wijk.",
        "en": "Per area the components on which a side differs significantly from the "
        "municipality's other areas, wave {wave} (Welch t; FDR across the areas). A plus is "
        "higher, so more hybrid. Every difference is on the area's page.",
    },
    "col_vs_municipality": {
        "nl": "Tegenover de rest van de gemeente",
        "en": "Against the rest of the municipality",
    },
    "col_vs_all": {"nl": "Tegenover alle wijken", "en": "Against all areas"},
    "col_areas_count": {"nl": "Wijken", "en": "Areas"},
    "col_median_index": {"nl": "Mediaan index", "en": "Median index"},
    "index_lead": {
        "nl": "{areas} wijken in {municipalities} gemeenten. Zoek op de naam van een wijk of "
        "een gemeente.",
        "en": "{areas} areas in {municipalities} municipalities. Search by the name of an area "
        "or a municipality.",
    },
    "search_label": {"nl": "Zoek een wijk of gemeente", "en": "Search an area or municipality"},
    "search_found": {"nl": "{n} wijken gevonden", "en": "{n} areas found"},
    "search_found_one": {"nl": "1 wijk gevonden", "en": "1 area found"},
    "search_none": {"nl": "Geen wijk gevonden", "en": "No area found"},
    "areas_count": {"nl": "wijken: {n}", "en": "areas: {n}"},
    "area_medians": {
        "nl": "Index in meting {wave}: {index}. Mediaan van de wijken van {name}: {median}; van "
        "alle wijken: {all}.",
        "en": "Index in wave {wave}: {index}. Median of the areas of {name}: {median}; of all "
        "areas: {all}.",
    },
    "area_differences": {
        "nl": "Tegenover {name} en alle wijken",
        "en": "Compared with {name} and with all areas",
    },
    "area_differences_one": {
        "nl": "Tegenover de rest van {name}",
        "en": "Compared with the rest of {name}",
    },
    "area_differences_text_one": {
        "nl": "Per onderdeel en kant het verschil met de andere wijken van {name}, meting {wave} "
        "(Welch-t; p gecorrigeerd met FDR over de wijken; vet is significant). 100 is altijd "
        "hybride: een plus is gunstig.",
        "en": "Per component and side the difference from the other areas of {name}, wave "
        "{wave} (Welch t; p adjusted by FDR across the areas; bold is significant). 100 is "
        "always hybrid: a plus is favourable.",
    },
    "area_differences_text": {
        "nl": "Per onderdeel en kant het verschil met de rest van {name} en met alle andere "
        "wijken, meting {wave} (Welch-t; p gecorrigeerd met FDR over de wijken; vet is "
        "significant). 100 is altijd hybride: een plus is gunstig.",
        "en": "Per component and side the difference from the rest of {name} and from all "
        "other areas, wave {wave} (Welch t; p adjusted by FDR across the areas; bold is "
        "significant). 100 is always hybrid: a plus is favourable.",
    },
    "nav_comparisons": {"nl": "Groepsvergelijkingen", "en": "Group comparisons"},
    "nav_technical": {"nl": "Technische bijlage", "en": "Technical appendix"},
    "nav_quality": {"nl": "Datakwaliteit", "en": "Data quality"},
    "nav_methods": {"nl": "Methode", "en": "Methods"},
    "other_language": {"nl": "English", "en": "Nederlands"},
    "pdf": {"nl": "Rapport als PDF", "en": "Report as PDF"},
    "overview_lead": {
        "nl": "In meting {wave} {counts}. De index loopt van 0 tot 100: hoe hoger, hoe meer "
        "professionals en informele partijen echt samenwerken.",
        "en": "In wave {wave}, {counts}. The index runs from 0 to 100: the higher, the more "
        "professionals and informal actors really work together.",
    },
    "lead_counts": {
        "nl": "zitten {hyb} van de {total} wijken in hybridisering, {rap} in toenadering en "
        "{coex} in co-existentie",
        "en": "{hyb} of {total} areas show hybridisation, {rap} rapprochement and {coex} "
        "co-existence",
    },
    "forest_title": {
        "nl": "Index per wijk met 95%-betrouwbaarheidsinterval, meting {wave}",
        "en": "Index per area with 95% confidence interval, wave {wave}",
    },
    "axis_index": {"nl": "Hybridiseringsindex (0–100)", "en": "Hybridisation index (0–100)"},
    "table_latest": {"nl": "De wijken, meting {wave}", "en": "The areas, wave {wave}"},
    "trend_title": {
        "nl": "Verloop van de index per wijk",
        "en": "Index per area over the waves",
    },
    "gap_title": {
        "nl": "Verschil tussen de kanten (professionals − informele partijen), meting {wave}",
        "en": "Gap between the sides (professionals − informal actors), wave {wave}",
    },
    "axis_gap": {"nl": "Verschil in indexpunten", "en": "Difference in index points"},
    "how_to_read": {"nl": "Zo leest u dit", "en": "How to read this"},
    "how_to_read_text": {
        "nl": "Beide kanten — professionals en informele partijen — beantwoorden dezelfde vragen "
        "over elkaar. Per kant telt de index drie pijlers even zwaar: houding (voorkeur voor "
        "de eigen groep, afwaardering van de ander, vertrouwen), de drie o's (onbekendheid, "
        "onenigheid, onbestemdheid) en praktijk (samenwerking in de afgelopen 3 maanden). De "
        "wijkindex is het meetkundig gemiddelde van de twee kanten: als één kant afhaakt, "
        "daalt de index sterker dan bij een gewoon gemiddelde. Onder 40 is er "
        "co-existentie, van 40 tot 60 toenadering, vanaf 60 hybridisering. Elk onderdeel "
        "loopt van 0 tot 100, en waar 0 en 100 liggen staat vast: dat volgt uit de antwoorden "
        "die iemand kan geven, niet uit de uitkomsten. Zo kunt u metingen met elkaar "
        "vergelijken. Bij een stelling komt 'niet eens en niet oneens' uit op 50; bij de "
        "rapportcijfers en het aantal contacten ligt 50 ergens anders. Het interval laat zien "
        "hoe onzeker de uitkomst is, omdat niet iedereen heeft meegedaan.",
        "en": "Both sides — professionals and informal actors — answer the same questions about "
        "each other. For each side the index weighs three pillars equally: attitudes "
        "(in-group favouritism, out-group devaluation, trust), the three o's "
        "(unfamiliarity, disagreement, indeterminacy) and practice (collaboration in the "
        "last 3 months). The area index is the geometric mean of the two sides: when one "
        "side stays away, the index drops more than a plain average would. Below 40 is "
        "co-existence, 40 to 60 rapprochement, 60 and above hybridisation. Every component "
        "runs from 0 to 100, and where 0 and 100 lie is fixed: it follows from the answers "
        "people can give, not from the results. So waves can be compared with each other. "
        "On a statement, 'neither agree nor disagree' lands on 50; on the report grades and "
        "the counts of contacts, 50 means something else. The interval shows how uncertain "
        "the result is because not everyone took part.",
    },
    "col_area": {"nl": "Wijk", "en": "Area"},
    "col_municipality": {"nl": "Gemeente", "en": "Municipality"},
    "col_wave": {"nl": "Meting", "en": "Wave"},
    "col_index": {"nl": "Index", "en": "Index"},
    "col_ci": {"nl": "95%-interval", "en": "95% interval"},
    "col_band": {"nl": "Fase", "en": "Band"},
    "col_change": {"nl": "Verandering", "en": "Change"},
    "col_gap": {"nl": "Verschil (prof. − inf.)", "en": "Gap (prof. − inf.)"},
    "col_professional": {"nl": "Professionals", "en": "Professionals"},
    "col_informal": {"nl": "Informele partijen", "en": "Informal actors"},
    "col_n_professional": {"nl": "n prof.", "en": "n prof."},
    "col_n_informal": {"nl": "n inf.", "en": "n inf."},
    "col_status": {"nl": "Publicatie", "en": "Publication"},
    "col_measure": {"nl": "Maat", "en": "Measure"},
    "col_side": {"nl": "Kant", "en": "Side"},
    "band_co-existence": {"nl": "co-existentie", "en": "co-existence"},
    "band_rapprochement": {"nl": "toenadering", "en": "rapprochement"},
    "band_hybridisation": {"nl": "hybridisering", "en": "hybridisation"},
    "status_published": {"nl": "gepubliceerd", "en": "published"},
    "status_indicative": {"nl": "indicatief", "en": "indicative"},
    "status_suppressed": {"nl": "onderdrukt", "en": "suppressed"},
    "side_professional": {"nl": "Professionals", "en": "Professionals"},
    "side_informal": {"nl": "Informele partijen", "en": "Informal actors"},
    "no_previous_wave": {"nl": "eerste meting", "en": "first wave"},
    "change_not_tested": {"nl": "niet getoetst", "en": "not tested"},
    "small_cells_note": {
        "nl": "Kleine aantallen: een kant met minder dan {publish} respondenten is indicatief, "
        "met minder dan {indicative} wordt niet getoond.",
        "en": "Small cells: a side with fewer than {publish} respondents is indicative, with "
        "fewer than {indicative} it is not shown.",
    },
    "footer": {
        "nl": "Vragenlijst {version} ({hash}), methode {method}. Gemaakt met samenspel.",
        "en": "Questionnaire {version} ({hash}), methodology {method}. Made with samenspel.",
    },
    "area_title": {"nl": "{area} ({municipality})", "en": "{area} ({municipality})"},
    "area_waves": {"nl": "Index per meting", "en": "Index per wave"},
    "area_trend": {
        "nl": "Verloop van de index en van de twee kanten",
        "en": "Index and the two sides over the waves",
    },
    "area_components": {
        "nl": "Onderdelen per kant, meting {wave}",
        "en": "Components per side, wave {wave}",
    },
    "area_pillars": {
        "nl": "Pijlers per kant, meting {wave}",
        "en": "Pillars per side, wave {wave}",
    },
    "area_drivers": {"nl": "Wat de index omlaag trekt", "en": "What pulls the index down"},
    "area_drivers_text": {
        "nl": "Laagste onderdelen bij {side}: {items}.",
        "en": "Lowest components for {side}: {items}.",
    },
    "components_direction": {
        "nl": "Elk onderdeel loopt van 0 tot 100, en 100 is altijd hybride: bij voorkeur voor de "
        "eigen groep, afwaardering, onbekendheid, onenigheid en onbestemdheid betekent "
        "hoger dus minder daarvan.",
        "en": "Every component runs from 0 to 100, and 100 is always hybrid: for in-group "
        "favouritism, devaluation, unfamiliarity, disagreement and indeterminacy, higher "
        "therefore means less of it.",
    },
    "area_three_os": {"nl": "De drie o's", "en": "The three o's"},
    "verdict_increase": {"nl": "stijging", "en": "increase"},
    "verdict_decrease": {"nl": "daling", "en": "decrease"},
    "verdict_small_change": {"nl": "kleine verandering", "en": "small change"},
    "verdict_no_clear_change": {"nl": "geen duidelijke verandering", "en": "no clear change"},
    "verdict_method_break": {"nl": "methodebreuk", "en": "method break"},
    "verdict_not_testable": {"nl": "niet toetsbaar", "en": "not testable"},
    "methods_questionnaires": {"nl": "Vragenlijst per meting", "en": "Questionnaire per wave"},
    "methods_questionnaires_text": {
        "nl": "Elke meting is gescoord met de vragenlijst waarmee ze is afgenomen. Tussen "
        "metingen met verschillende vragenlijsten is elke verandering van de index een "
        "methodebreuk: de index telt alle onderdelen samen.",
        "en": "Each wave is scored with the questionnaire it was collected with. Between waves "
        "with different questionnaires every change of the index is a method break: the index "
        "combines all components.",
    },
    "methods_version": {"nl": "Versie", "en": "Version"},
    "methods_questionnaire_change": {
        "nl": "Van meting {wave_from} naar {wave_to}: vragen toegevoegd: {added}; vervallen: "
        "{dropped}; gewijzigd: {changed}. Dat raakt de schalen {constructs}.",
        "en": "From wave {wave_from} to {wave_to}: items added: {added}; dropped: {dropped}; "
        "changed: {changed}. This affects the scales {constructs}.",
    },
    "verdict_boundary_change": {"nl": "grenswijziging", "en": "boundary change"},
    "verdict_suppressed": {"nl": "onderdrukt", "en": "suppressed"},
    "area_change": {"nl": "Verandering", "en": "Change"},
    "area_change_units_independent": {
        "nl": "Een team telt in elke meting met een eigen teameffect, omdat de plaats van een "
        "team tussen twee metingen kan veranderen.",
        "en": "A team counts with an effect of its own in each wave, because a team's standing "
        "can change between two waves.",
    },
    "area_change_units_carry": {
        "nl": "Een team dat in beide metingen meedeed, houdt zijn teameffect: het methodebestand "
        "zegt dat teams hun plaats houden.",
        "en": "A team that took part in both waves keeps its team effect: the methodology file "
        "says that teams keep their standing.",
    },
    "area_change_text": {
        "nl": "Significant na FDR-correctie over de wijken; betekenisvol vanaf {threshold} "
        "indexpunten. Respondenten die in beide metingen meededen, worden als paar getrokken: "
        "wat zij blijvend anders antwoorden valt weg uit de verandering, en het interval houdt "
        "daar rekening mee.",
        "en": "Significant after FDR correction across areas; meaningful from {threshold} "
        "index points. Respondents who took part in both waves are resampled as pairs: their "
        "lasting differences drop out of the change, and the interval takes that into "
        "account.",
    },
    "col_panel_respondents": {"nl": "Respondenten in beide", "en": "Respondents in both"},
    "col_panel_units": {"nl": "Teams in beide", "en": "Units in both"},
    "col_from": {"nl": "Van", "en": "From"},
    "col_to": {"nl": "Naar", "en": "To"},
    "col_q": {"nl": "q (FDR)", "en": "q (FDR)"},
    "col_verdict": {"nl": "Oordeel", "en": "Verdict"},
    "area_goals": {"nl": "Eensgezindheid over het doel", "en": "Agreement on the goal"},
    "area_goals_text": {
        "nl": "Wat moeten vrijwilligers en bewonersgroepen vooral doen? 100 = de kanten "
        "antwoorden precies gelijk, of een kant schat de ander precies goed in.",
        "en": "What should volunteers and resident groups mainly do? 100 = the sides answer "
        "exactly alike, or a side reads the other exactly right.",
    },
    "goal_agreement_own_views": {
        "nl": "Eensgezindheid tussen de kanten",
        "en": "Agreement between the sides",
    },
    "goal_professionals_read_informal": {
        "nl": "Professionals schatten informele partijen in",
        "en": "Professionals read informal actors",
    },
    "goal_informal_read_professionals": {
        "nl": "Informele partijen schatten professionals in",
        "en": "Informal actors read professionals",
    },
    "goal_unclear_professional": {
        "nl": "Professionals: 'dat is onduidelijk' (%)",
        "en": "Professionals: 'that is unclear' (%)",
    },
    "goal_unclear_informal": {
        "nl": "Informele partijen: 'dat is onduidelijk' (%)",
        "en": "Informal actors: 'that is unclear' (%)",
    },
    "area_sensitivity": {"nl": "Hoe vast staat de rangorde?", "en": "How firm is the ranking?"},
    "area_sensitivity_text": {
        "nl": "Rang van deze wijk onder {n} wijken bij andere redelijke keuzes voor de index "
        "(gewichten, middeling van de kanten, scoringsregels): mediaan {median}, 90% tussen "
        "{low} en {high}.",
        "en": "Rank of this area among {n} areas under other reasonable choices for the index "
        "(weights, side aggregation, scoring rules): median {median}, 90% between {low} "
        "and {high}.",
    },
    "cmp_sides": {
        "nl": "Professionals tegenover informele partijen",
        "en": "Professionals versus informal actors",
    },
    "cmp_sides_text": {
        "nl": "Verschil in onderdeelscore (0–100, 100 = hybride), Welch-t met Hedges' g en "
        "Mann–Whitney als robuuste controle; p gecorrigeerd volgens {correction}.",
        "en": "Difference in component score (0–100, 100 = hybrid), Welch t with Hedges' g and "
        "Mann–Whitney as a robust check; p adjusted by {correction}.",
    },
    "cmp_areas": {"nl": "Verschillen tussen wijken", "en": "Differences between areas"},
    "cmp_areas_text": {
        "nl": "Welch-ANOVA per kant: verschillen de wijken? p gecorrigeerd volgens {correction}. "
        "Welke paren wijken verschillen (Games–Howell, binnen een gemeente van niet te veel "
        "wijken) staat in comparisons.csv.",
        "en": "Welch ANOVA per side: do the areas differ? p adjusted by {correction}. Which pairs "
        "of areas differ (Games–Howell, within a municipality of not too many areas) is in "
        "comparisons.csv.",
    },
    "cmp_screens": {
        "nl": "Wijken die afwijken van de rest van hun gemeente",
        "en": "Areas that differ from the rest of their municipality",
    },
    "cmp_screens_text": {
        "nl": "Elke wijk tegenover de rest van haar gemeente (Welch-t, per kant), meting {wave}; "
        "FDR (Benjamini–Hochberg) over de wijken. {significant} van {tested} toetsen zijn "
        "significant; hier de {shown} grootste verschillen. Alle toetsen, ook tegenover alle "
        "wijken, staan in comparisons.csv.",
        "en": "Each area against the rest of its municipality (Welch t, per side), wave {wave}; "
        "FDR (Benjamini–Hochberg) across the areas. {significant} of {tested} tests are "
        "significant; the {shown} largest differences are listed. All tests, also against all "
        "areas, are in comparisons.csv.",
    },
    "cmp_interaction_text": {
        "nl": "Cochran's Q van de kloof (professionals min informele partijen) over de wijken, "
        "met I²: het deel van de spreiding in kloven dat niet op toeval berust.",
        "en": "Cochran's Q of the gap (professionals minus informal actors) across the areas, "
        "with I²: the share of the spread in gaps that is not chance.",
    },
    "col_value": {"nl": "Waarde", "en": "Value"},
    "tech_checks": {
        "nl": "Elk cijfer naast zijn criterium",
        "en": "Each figure beside its criterion",
    },
    "tech_invariance": {"nl": "Meetinvariantie", "en": "Measurement invariance"},
    "tech_language_mode": {"nl": "Taal en afnamewijze", "en": "Language and mode"},
    "tech_language_mode_text": {
        "nl": "Werkt een item anders in het Engels dan in het Nederlands, of als een "
        "interviewer het voorleest dan als iemand het zelf leest? Per meting en construct is "
        "het model van dat construct getoetst tussen de talen en tussen de afnamewijzen, met "
        "dezelfde stappen, criteria en zoektocht naar gedeeltelijke invariantie als tussen "
        "de kanten. Een taal of afnamewijze doet mee vanaf {minimum} respondenten in de "
        "meting.",
        "en": "Does an item work differently in English than in Dutch, or when an interviewer "
        "reads it out than when respondents read it themselves? Per wave and construct, the "
        "construct's model was tested across the languages and across the modes, with the "
        "same steps, criteria and search for partial invariance as between the sides. A "
        "language or mode takes part from {minimum} respondents in the wave.",
    },
    "tech_invariance_text": {
        "nl": "Tussen de kanten per meting, en tussen de metingen; naar taal en naar "
        "afnamewijze per meting en construct (het construct tussen haakjes; zie hieronder). "
        "Zonder scalaire invariantie vergelijkt het rapport geen latente gemiddelden; zonder "
        "invariantie tussen de metingen is een trend een methodebreuk.",
        "en": "Between the sides per wave, and between the waves; by language and by mode per "
        "wave and construct (the construct in brackets; see below). Without scalar invariance "
        "the report compares no latent means; without invariance across waves a trend is a "
        "method break.",
    },
    "tech_reliability": {
        "nl": "Betrouwbaarheid per schaal en kant",
        "en": "Reliability per scale and side",
    },
    "tech_aggregation": {"nl": "Aggregatie naar wijken", "en": "Aggregation to areas"},
    "tech_details": {"nl": "Alle tabellen", "en": "All tables"},
    "meets_yes": {"nl": "voldoet", "en": "meets"},
    "meets_no": {"nl": "voldoet niet", "en": "does not meet"},
    "col_check": {"nl": "Toets", "en": "Check"},
    "col_subject": {"nl": "Waarop", "en": "Subject"},
    "col_criterion": {"nl": "Criterium", "en": "Criterion"},
    "col_source": {"nl": "Bron", "en": "Source"},
    "col_comparison": {"nl": "Vergelijking", "en": "Comparison"},
    "col_step": {"nl": "Stap", "en": "Step"},
    "cmp_interaction": {
        "nl": "Verschilt de kloof tussen de kanten per wijk?",
        "en": "Does the gap between the sides differ by area?",
    },
    "cmp_latent": {"nl": "Latente gemiddelden", "en": "Latent means"},
    "col_construct": {"nl": "Onderdeel", "en": "Component"},
    "col_difference": {"nl": "Verschil", "en": "Difference"},
    "col_effect": {"nl": "Effect", "en": "Effect"},
    "col_p_adjusted": {"nl": "p (gecorr.)", "en": "p (adj.)"},
    "col_mw_p": {"nl": "p Mann–Whitney (gecorr.)", "en": "p Mann–Whitney (adj.)"},
    "col_note": {"nl": "Opmerking", "en": "Note"},
    "col_statistic": {"nl": "Toetsgrootheid", "en": "Statistic"},
    "col_df": {"nl": "vg", "en": "df"},
    "col_n": {"nl": "n", "en": "n"},
    "none_significant": {
        "nl": "Geen enkele wijk wijkt significant af.",
        "en": "No area differs significantly.",
    },
    "data_dictionary": {
        "nl": "Woordenlijst van de resultaatbestanden",
        "en": "Data dictionary of the result files",
    },
    "col_column": {"nl": "Kolom", "en": "Column"},
    "col_description": {"nl": "Betekenis", "en": "Meaning"},
    "area_three_os_text": {
        "nl": "Hoger is beter: 100 betekent geen onbekendheid, onenigheid of onbestemdheid.",
        "en": "Higher is better: 100 means no unfamiliarity, disagreement or indeterminacy.",
    },
    "summary_title": {"nl": "Samenvatting", "en": "Summary"},
    "summary_and": {"nl": "en", "en": "and"},
    "summary_and_more": {"nl": "en {n} andere", "en": "and {n} more"},
    "summary_bands": {
        "nl": "In meting {wave} zijn {n} wijken gemeten. Per fase: hybridisering {hyb}, "
        "toenadering {rap}, co-existentie {coex}.",
        "en": "Measured in wave {wave}: {n} areas. By band: hybridisation {hyb}, rapprochement "
        "{rap}, co-existence {coex}.",
    },
    "summary_indicative": {
        "nl": "Voorlopige cijfers, want er deden weinig mensen mee: {names}.",
        "en": "Indicative figures, because few people took part: {names}.",
    },
    "summary_suppressed": {
        "nl": "Te weinig deelnemers om cijfers te tonen: {names}.",
        "en": "Too few participants to show figures: {names}.",
    },
    "summary_not_measured": {
        "nl": "Niet gemeten in meting {wave}: {names}.",
        "en": "Not measured in wave {wave}: {names}.",
    },
    "summary_first_wave": {
        "nl": "Dit is de eerste meting. Of wijken vooruit- of achteruitgaan, is dus nog niet te "
        "zien.",
        "en": "This is the first wave, so whether areas move up or down cannot be shown yet.",
    },
    "summary_increase": {
        "nl": "Duidelijk vooruitgegaan sinds meting {previous}: {names}.",
        "en": "Clearly improved since wave {previous}: {names}.",
    },
    "summary_decrease": {
        "nl": "Duidelijk achteruitgegaan sinds meting {previous}: {names}.",
        "en": "Clearly declined since wave {previous}: {names}.",
    },
    "summary_no_clear_change": {
        "nl": "Geen enkele wijk is sinds meting {previous} duidelijk vooruit- of achteruitgegaan.",
        "en": "No area has clearly improved or declined since wave {previous}.",
    },
    "summary_clear_means": {
        "nl": "Duidelijk betekent: minstens {threshold} punten, en niet door toeval te verklaren.",
        "en": "Clearly means: at least {threshold} points, and not explained by chance.",
    },
    "summary_method_break": {
        "nl": "Verandering niet te beoordelen, omdat de meting zelf is veranderd "
        "(methodebreuk): {names}.",
        "en": "Change cannot be judged, because the measurement itself changed (method "
        "break): {names}.",
    },
    "summary_sides": {
        "nl": "De twee kanten verschillen het meest in {area}: professionals scoren daar {prof}, "
        "informele partijen {inf}. Dat verschil is niet door toeval te verklaren.",
        "en": "The two sides differ most in {area}: professionals score {prof} there, "
        "informal actors {inf}. That gap is not explained by chance.",
    },
    "summary_sides_direction": {
        "nl": "Professionals scoren hoger dan informele partijen in {higher} van de {total} "
        "wijken en lager in {lower}; duidelijk hoger (niet door toeval te verklaren) in "
        "{clear_higher}, duidelijk lager in {clear_lower}.",
        "en": "Professionals score higher than informal actors in {higher} of the {total} areas "
        "and lower in {lower}; clearly higher (not explained by chance) in {clear_higher}, "
        "clearly lower in {clear_lower}.",
    },
    "summary_sides_none": {
        "nl": "In geen enkele wijk is het verschil tussen de twee kanten groter dan toeval kan "
        "verklaren.",
        "en": "In no area is the gap between the two sides larger than chance can explain.",
    },
    "summary_three_os": {
        "nl": "Van de drie o's houdt {o} de meeste wijken tegen: in {n} van de {total} wijken "
        "is dat de laagste, of minder dan {close} punten boven de laagste.",
        "en": "Of the three o's, {o} holds most areas back: in {n} of the {total} areas it is "
        "the lowest, or less than {close} points above the lowest.",
    },
    "summary_three_os_tied": {
        "nl": "Van de drie o's houden {o} even vaak wijken tegen: elk is in {n} van de {total} "
        "wijken de laagste, of minder dan {close} punten boven de laagste.",
        "en": "Of the three o's, {o} hold areas back equally often: in {n} of the {total} "
        "areas each is the lowest, or less than {close} points above the lowest.",
    },
    "summary_practice_lowest": {
        "nl": "Nog lager dan de drie o's scoort {component}, in {n} van de {total} wijken: "
        "{names}.",
        "en": "Lower still than the three o's is {component}, in {n} of the {total} areas: "
        "{names}.",
    },
    "summary_medians": {
        "nl": "De mediaan van de wijken in {name} is {median}; die van alle {n} wijken in de "
        "monitor is {all}.",
        "en": "The median of the areas of {name} is {median}; that of all {n} areas in the "
        "monitor is {all}.",
    },
    "summary_differs_municipality": {
        "nl": "Wijken die op minstens één onderdeel afwijken van de rest van {name}, meer dan "
        "toeval kan verklaren: {names}.",
        "en": "Different from the rest of {name} on at least one component, beyond chance: "
        "{names}.",
    },
    "summary_differs_municipality_none": {
        "nl": "Geen wijk verschilt meer van de rest van {name} dan toeval kan verklaren.",
        "en": "No area differs from the rest of {name} beyond chance.",
    },
    "summary_differs_all": {
        "nl": "Wijken die op minstens één onderdeel afwijken van alle wijken in de monitor, "
        "meer dan toeval kan verklaren: {names}.",
        "en": "Different from all areas in the monitor on at least one component, beyond "
        "chance: {names}.",
    },
    "summary_differs_all_none": {
        "nl": "Geen wijk van {name} verschilt meer van alle wijken in de monitor dan toeval kan "
        "verklaren.",
        "en": "No area of {name} differs from all areas in the monitor beyond chance.",
    },
    "levers_title": {"nl": "Wat kan helpen", "en": "What can help"},
    "levers_lead": {
        "nl": "Van de drie o's houdt {o} deze wijk het meest tegen ({score}, gemiddeld over de "
        "twee kanten). Het onderzoek noemt hiervoor deze aanknopingspunten:",
        "en": "Of the three o's, {o} holds this area back most ({score}, averaged over the two "
        "sides). The research names these levers for it:",
    },
    "levers_lead_close": {
        "nl": "Van de drie o's houden {o} deze wijk het meest tegen ({scores}, gemiddeld over de "
        "twee kanten); ze liggen minder dan {threshold} punten uit elkaar. Het onderzoek noemt "
        "hiervoor deze aanknopingspunten:",
        "en": "Of the three o's, {o} hold this area back most ({scores}, averaged over the two "
        "sides); they are less than {threshold} points apart. The research names these levers "
        "for them:",
    },
    "levers_lowest_other": {
        "nl": "Het laagste onderdeel van deze wijk is {component} ({score}). Het onderzoek "
        "noemt aanknopingspunten voor de drie o's; hieronder die voor de laagste daarvan.",
        "en": "This area's lowest component is {component} ({score}). The research names levers "
        "for the three o's; below are those for the lowest of them.",
    },
    "levers_note": {
        "nl": "Dit zijn aanknopingspunten voor het gesprek in de wijk, geen voorschriften. "
        "Bronnen: Veldboer & Hoijtink (2019); Welschen e.a. (2018); zie de pagina Methode.",
        "en": "These are pointers for the conversation in the area, not prescriptions. Sources: "
        "Veldboer & Hoijtink (2019); Welschen et al. (2018); see the Methods page.",
    },
    "model_based_mark": {"nl": "(model)", "en": "(model)"},
    "model_based_title": {
        "nl": "Modelschatting: te weinig respondenten voor een direct cijfer",
        "en": "Model-based estimate: too few respondents for a direct figure",
    },
    "model_based_note": {
        "nl": "(model): te weinig respondenten voor een direct cijfer; getoond is de "
        "modelschatting (Fay-Herriot), die leent van de andere wijken van de gemeente en de "
        "monitor en van de eerdere metingen van de wijk, met haar 95%-interval. Het is een "
        "cijfer over de wijk gegeven de andere wijken: een wijk die sterk afwijkt, trekt het "
        "model naar de andere toe.",
        "en": "(model): too few respondents for a direct figure; shown is the model-based "
        "estimate (Fay-Herriot), which borrows from the other areas of the municipality and "
        "the monitor and from the area's earlier waves, with its 95% interval. It is a figure "
        "about the area given the other areas: the model pulls an area that is very unlike "
        "them towards them.",
    },
    "methods_small_area": {
        "nl": "Modelschattingen voor kleine wijken: waar het directe cijfer indicatief of "
        "onderdrukt is, toont het rapport de schatting van een Fay-Herriot-model (gemarkeerd "
        "met '(model)'), dat leent van de andere wijken van de gemeente en de monitor en van "
        "de eerdere metingen van de wijk, met een 95%-interval uit de gemiddelde kwadratische "
        "fout (Prasad-Rao). Geen cijfer bij minder dan {min_respondents} respondenten aan een "
        "kant of een fout boven {max_rmse} punten. Beide schattingen staan in "
        "small_area.csv.",
        "en": "Small-area estimates: where the direct figure is indicative or suppressed, the "
        "report shows the estimate of a Fay-Herriot model (marked '(model)'), which borrows "
        "from the other areas of the municipality and the monitor and from the area's "
        "earlier waves, with a 95% interval from its mean squared error (Prasad-Rao). No "
        "figure with fewer than {min_respondents} respondents on a side or an error above "
        "{max_rmse} points. Both estimates are in small_area.csv.",
    },
    "area_suppressed": {
        "nl": "Te weinig respondenten om cijfers te tonen.",
        "en": "Too few respondents to show figures.",
    },
    "pillar_attitudes": {"nl": "Houding", "en": "Attitudes"},
    "pillar_three_os": {"nl": "De drie o's", "en": "The three o's"},
    "pillar_practice": {"nl": "Praktijk", "en": "Practice"},
    "side_index": {"nl": "Index van de kant", "en": "Side index"},
    "not_available": {
        "nl": "Deze analyse is niet beschikbaar in deze resultaten.",
        "en": "This analysis is not available in these results.",
    },
    "comparisons_lead": {
        "nl": "Professionals en informele partijen vergeleken per onderdeel en meting, en wijken "
        "onderling. Toetsen, effectgroottes en de correctie voor meervoudig toetsen staan "
        "in de tabel.",
        "en": "Professionals and informal actors compared per construct and wave, and areas "
        "with each other. Tests, effect sizes and the multiple-testing correction are in "
        "the table.",
    },
    "technical_lead": {
        "nl": "Psychometrische kwaliteit van de vragenlijst, elk cijfer naast zijn criterium en "
        "de schatter waarmee het berekend is. De Likert-items met 5 categorieën zijn "
        "geanalyseerd {estimator}.",
        "en": "Psychometric quality of the questionnaire, each figure beside its criterion and "
        "the estimator that produced it. The Likert items with 5 categories are analysed "
        "{estimator}.",
    },
    "technical_listwise": {
        "nl": "Deze berekening gebruikte alleen respondenten die elk item van een model "
        "beantwoordden (listwise), behalve waar de tabel hieronder zegt dat alle antwoorden "
        "zijn gebruikt.",
        "en": "This run used only the respondents who answered every item of a model "
        "(listwise), except where the table below says that every answer was used.",
    },
    # The technical appendix: checks, invariance steps and the groups they compare.
    "check_global fit": {"nl": "globale fit", "en": "global fit"},
    "check_reliability": {"nl": "betrouwbaarheid", "en": "reliability"},
    "check_convergent validity": {"nl": "convergente validiteit", "en": "convergent validity"},
    "check_discriminant validity": {
        "nl": "discriminante validiteit",
        "en": "discriminant validity",
    },
    "check_invariance": {"nl": "invariantie", "en": "invariance"},
    "check_aggregation to areas": {"nl": "aggregatie naar wijken", "en": "aggregation to areas"},
    "step_configural": {"nl": "configuraal", "en": "configural"},
    "step_thresholds": {"nl": "drempels", "en": "thresholds"},
    "step_metric": {"nl": "metrisch", "en": "metric"},
    "step_scalar": {"nl": "scalair", "en": "scalar"},
    "step_strict": {"nl": "strikt", "en": "strict"},
    "comparison_sides": {"nl": "tussen de kanten", "en": "between the sides"},
    "comparison_waves": {"nl": "tussen de metingen", "en": "between the waves"},
    "cmp_language_mode": {
        "nl": "Niet elk item werkt in elke taal en afnamewijze hetzelfde (zie de technische "
        "bijlage, Taal en afnamewijze). Lees de vergelijkingen hieronder daarnaast:",
        "en": "Not every item works alike in every language and mode (see the technical "
        "appendix, Language and mode). Read the comparisons below beside it:",
    },
    "comparison_language": {"nl": "naar taal", "en": "by language"},
    "comparison_mode": {"nl": "naar afnamewijze", "en": "by mode"},
    # Invariance by language and mode (pipeline/measurement/language_mode.py): the groups
    # and one sentence per wave, comparison and construct, from its summary row.
    "lm_group_nl": {"nl": "Nederlands", "en": "Dutch"},
    "lm_group_en": {"nl": "Engels", "en": "English"},
    "lm_group_interviewer": {
        "nl": "voorgelezen door een interviewer",
        "en": "read out by an interviewer",
    },
    "lm_group_paper": {"nl": "zelf ingevuld op papier", "en": "self-completed on paper"},
    "lm_group_online": {"nl": "zelf ingevuld online", "en": "self-completed online"},
    "lm_mix_language": {"nl": "talen", "en": "languages"},
    "lm_mix_mode": {"nl": "afnamewijzen", "en": "modes"},
    "lm_one_language": {"nl": "taal", "en": "language"},
    "lm_one_mode": {"nl": "afnamewijze", "en": "mode"},
    "lm_items": {
        "nl": "{items} werkt anders {by} ({groups}). Dit raakt elke vergelijking van "
        "{construct} tussen wijken, tussen de kanten en tussen metingen waarvan de mix van "
        "{mix} verschilt: vergelijk zulke groepen binnen één {one}, of laat het item weg.",
        "en": "{items} works differently {by} ({groups}). This affects every comparison of "
        "{construct} between areas, between the sides and between waves whose mix of {mix} "
        "differs: compare such groups within one {one}, or leave the item out.",
    },
    "lm_holds": {
        "nl": "Invariantie {by} houdt stand tot en met scalair ({groups}): vergelijkingen van "
        "{construct} hangen niet af van de mix van {mix}.",
        "en": "Invariance {by} holds up to scalar ({groups}): comparisons of {construct} do "
        "not depend on the mix of {mix}.",
    },
    "lm_configural": {
        "nl": "Het model van {construct} past niet in elke groep {by} ({groups}; configurale "
        "fit); de volgende stappen vonden geen item dat anders werkt.",
        "en": "The model of {construct} does not fit every group {by} ({groups}; configural "
        "fit); the later steps found no item that works differently.",
    },
    "lm_fails": {
        "nl": "Invariantie {by} houdt geen stand ({step}; {groups}) en er is geen los item "
        "gevonden: vergelijkingen van {construct} tussen groepen met een andere mix van {mix} "
        "kunnen vertekend zijn.",
        "en": "Invariance {by} does not hold ({step}; {groups}) and no single item was found: "
        "comparisons of {construct} between groups with different mixes of {mix} may be "
        "biased.",
    },
    "lm_too_few": {
        "nl": "Niet getoetst {by}: minder dan twee groepen met minstens {minimum} "
        "respondenten ({found}).",
        "en": "Not tested {by}: fewer than two groups with at least {minimum} respondents "
        "({found}).",
    },
    "lm_none_recorded": {"nl": "niet vastgelegd", "en": "none recorded"},
    "lm_few_items": {
        "nl": "Niet getoetst {by}: {construct} heeft {n} items, en een construct heeft er 4 "
        "nodig om zijn model op zichzelf te toetsen.",
        "en": "Not tested {by}: {construct} has {n} items, and a construct needs 4 for its "
        "model to be tested on its own.",
    },
    "lm_not_fitted": {
        "nl": "Niet getoetst {by}: het model kon niet worden geschat (zie "
        "psychometrics_invariance_language_mode.csv).",
        "en": "Not tested {by}: the model could not be fitted (see "
        "psychometrics_invariance_language_mode.csv).",
    },
    "lm_left_out": {
        "nl": "weggelaten, onder {minimum}: {groups}",
        "en": "left out, under {minimum}: {groups}",
    },
    "group_all": {"nl": "beide kanten", "en": "both sides"},
    "wave_all": {"nl": "alle metingen", "en": "all waves"},
    "correction_holm": {"nl": "Holm", "en": "Holm"},
    "correction_fdr_bh": {
        "nl": "Benjamini–Hochberg (FDR)",
        "en": "Benjamini–Hochberg (FDR)",
    },
    "yes": {"nl": "ja", "en": "yes"},
    "no": {"nl": "nee", "en": "no"},
    "col_scale": {"nl": "schaal", "en": "scale"},
    "col_items": {"nl": "items", "en": "items"},
    "col_omega": {"nl": "ω totaal", "en": "ω total"},
    "tech_details_text": {
        "nl": "De tabellen zoals ze in de resultaatbestanden staan, met hun kolomnamen en codes "
        "(de woordenlijst staat op de pagina Methode). Rijen: {rows}.",
        "en": "The tables as the result files hold them, with their column names and codes "
        "(the data dictionary is on the Methods page). Rows: {rows}.",
    },
    # What each wave could carry (psychometrics_steps.csv), in the technical appendix.
    "tech_steps": {"nl": "Wat elke meting kon dragen", "en": "What each wave could carry"},
    "tech_steps_text": {
        "nl": "Een kleine meting kan niet elk psychometrisch model dragen: een model heeft "
        "minstens {minimum} respondenten nodig (per groep bij invariantie) en meer dan het "
        "aantal vrije parameters. Waar het volledige model te groot is, schat samenspel het "
        "per pijler of per construct. Hieronder staat per meting en stap wat anders ging dan "
        "gepland; elke andere stap is met het volledige model geschat.",
        "en": "A small wave cannot carry every psychometric model: a model needs at least "
        "{minimum} respondents (per group for invariance) and more than its free parameters. "
        "Where the full model is too large, samenspel fits it per pillar or per construct. "
        "Below, per wave, is every step that went otherwise than planned; every other step "
        "was fitted with the full model.",
    },
    "tech_steps_none": {
        "nl": "Elke stap van elke meting is met het volledige model geschat.",
        "en": "Every step of every wave was fitted with the full model.",
    },
    "col_what_happened": {"nl": "wat er gebeurde", "en": "what happened"},
    "col_model": {"nl": "model", "en": "model"},
    "stepname_reliability": {
        "nl": "itemstatistieken en betrouwbaarheid",
        "en": "item statistics and reliability",
    },
    "stepname_efa": {
        "nl": "verkennende factoranalyse (EFA)",
        "en": "exploratory factor analysis (EFA)",
    },
    "stepname_cfa": {
        "nl": "confirmatieve factoranalyse (CFA)",
        "en": "confirmatory factor analysis (CFA)",
    },
    "stepname_invariance_sides": {
        "nl": "meetinvariantie tussen de kanten",
        "en": "measurement invariance between the sides",
    },
    "stepname_invariance_waves": {
        "nl": "meetinvariantie tussen de metingen",
        "en": "measurement invariance between the waves",
    },
    "stepname_latent_means": {
        "nl": "latente gemiddelden van de kanten",
        "en": "latent means of the sides",
    },
    "stepname_estimator_comparison": {
        "nl": "ordinale naast continue schatting",
        "en": "ordinal beside continuous estimation",
    },
    "stepname_aggregation": {
        "nl": "aggregatie naar wijken (ICC)",
        "en": "aggregation to areas (ICC)",
    },
    "model_full": {"nl": "het volledige model", "en": "the full model"},
    "model_pillar": {"nl": "de pijler {name}", "en": "the pillar {name}"},
    "model_construct": {"nl": "het construct {name}", "en": "the construct {name}"},
    "model_none": {"nl": "–", "en": "–"},
    "reason_too_few_respondents": {
        "nl": "niet geschat: {n} respondenten, en {model} heeft er minstens {minimum} nodig.",
        "en": "not fitted: {n} respondents, and {model} needs at least {minimum}.",
    },
    "reason_too_few_per_side": {
        "nl": "niet geschat: elke groep heeft minstens {per_group} respondenten nodig en deze "
        "meting heeft er aan een kant minder.",
        "en": "not fitted: each group needs at least {per_group} respondents, and this wave "
        "has fewer on a side.",
    },
    "reason_not_estimable": {
        "nl": "niet geschat: de schatting met {estimator} lukte niet met deze antwoorden "
        "(bijvoorbeeld een antwoordcategorie die niemand koos); de details staan in "
        "psychometrics_steps.csv.",
        "en": "not fitted: the estimation with {estimator} did not succeed with these answers "
        "(for example an answer category nobody chose); psychometrics_steps.csv has the "
        "details.",
    },
    "reason_not_estimable_plain": {
        "nl": "niet geschat: de berekening lukte niet met deze antwoorden (bijvoorbeeld te "
        "weinig respondenten voor zoveel items); de details staan in psychometrics_steps.csv.",
        "en": "not fitted: the computation did not succeed with these answers (for example too "
        "few respondents for so many items); psychometrics_steps.csv has the details.",
    },
    "reason_smaller_model": {
        "nl": "geschat als dit kleinere model, omdat het grotere niet te schatten was.",
        "en": "fitted as this smaller model, because the larger one could not be fitted.",
    },
    "reason_continuous_instead": {
        "nl": "geschat met {estimator}, met de antwoorden als continue scores, omdat het "
        "ordinale model niet te schatten was.",
        "en": "fitted with {estimator}, treating the answers as continuous scores, because "
        "the ordinal model could not be fitted.",
    },
    "reason_every_answer": {
        "nl": "geschat met alle antwoorden (FIML of paarsgewijs), omdat te weinig respondenten "
        "elk item beantwoordden om alleen hen te gebruiken.",
        "en": "fitted with every answer (FIML or pairwise), because too few respondents "
        "answered every item to use only them.",
    },
    "reason_not_invariant": {
        "nl": "niet vergeleken: de items meten niet op dezelfde manier aan beide kanten "
        "(scalaire invariantie houdt geen stand).",
        "en": "not compared: the items do not measure in the same way on both sides (scalar "
        "invariance does not hold).",
    },
    "reason_no_invariance": {
        "nl": "niet vergeleken: de meetinvariantie tussen de kanten kon in deze meting niet "
        "worden getoetst.",
        "en": "not compared: measurement invariance between the sides could not be tested "
        "in this wave.",
    },
    "reason_full_model_only": {
        "nl": "niet gemaakt: deze vergelijking vraagt het volledige model, dat deze meting niet "
        "kon dragen.",
        "en": "not made: this comparison needs the full model, which this wave could not carry.",
    },
    "message_in_group": {"nl": " in groep '{group}'", "en": " in group '{group}'"},
    "message_in_side": {"nl": " bij {side}", "en": " among {side}"},
    "message_the_municipality": {"nl": "de gemeente", "en": "the municipality"},
    "tech_problems_text": {
        "nl": "Wat de psychometrische analyse meldde. Een melding die nog niet vertaald is, "
        "staat er in het Engels, zoals de software hem schrijft.",
        "en": "What the psychometric analysis reported, as the software writes it.",
    },
    "methods_code": {"nl": "code", "en": "code"},
    "methods_item": {"nl": "vraag", "en": "item"},
    "methods_cap": {"nl": "plafond", "en": "cap"},
    "methods_pillar_weight": {"nl": "gewicht {weight}", "en": "weight {weight}"},
    "aggregation_geometric": {
        "nl": "De twee kanten worden gecombineerd met het meetkundig gemiddelde.",
        "en": "The two sides are combined by the geometric mean.",
    },
    "aggregation_arithmetic": {
        "nl": "De twee kanten worden gecombineerd met het rekenkundig gemiddelde.",
        "en": "The two sides are combined by the arithmetic mean.",
    },
    "aggregation_minimum": {
        "nl": "De wijkindex is de laagste van de twee kanten.",
        "en": "The area index is the lower of the two sides.",
    },
    "methods_min_share": {
        "nl": "Een schaalscore telt als minstens {share} van de vragen van de schaal is "
        "beantwoord.",
        "en": "A scale score counts when at least {share} of the scale's items are answered.",
    },
    "methods_bootstrap": {
        "nl": "Bootstrap: {replicates} trekkingen, {confidence}-intervallen.",
        "en": "Bootstrap: {replicates} replicates, {confidence} intervals.",
    },
    "col_estimator": {"nl": "Schatter", "en": "Estimator"},
    "col_released": {"nl": "Vrijgelaten", "en": "Released"},
    "col_ordinal": {"nl": "Ordinaal", "en": "Ordinal"},
    "col_continuous": {"nl": "Continu", "en": "Continuous"},
    "tech_estimators": {
        "nl": "Ordinaal of continu: maakt het uit?",
        "en": "Ordinal or continuous: does it matter?",
    },
    "tech_estimators_text": {
        "nl": "Dezelfde CFA per meting met de items als geordende categorieën en als continue "
        "scores. Van CFI, TLI en RMSEA staat de versie van elke schatter er: geschaald "
        "(WLSMV) of robuust (MLR); χ² is de geschaalde toetsgrootheid. Verschillen in fit "
        "of ladingen laten zien of de keuze van de schatter de conclusies over deze schalen "
        "raakt.",
        "en": "The same CFA per wave with the items as ordered categories and as continuous "
        "scores. CFI, TLI and RMSEA are each estimator's version: scaled (WLSMV) or robust "
        "(MLR); χ² is the scaled test statistic. Differences in fit or loadings show whether "
        "the choice of estimator affects the conclusions about these scales.",
    },
    "tech_methods_note": {
        "nl": "α uit Pearson-covarianties; ω totaal uit een CFA met één factor (ML); ICC uit "
        "een eenweg-ANOVA; HTMT uit Pearson-correlaties.",
        "en": "α from Pearson covariances; ω total from a one-factor CFA (ML); ICC from a "
        "one-way ANOVA; HTMT from Pearson correlations.",
    },
    "quality_lead": {
        "nl": "Welke bestanden zijn ingelezen, hoeveel rijen zijn geaccepteerd en afgewezen, en "
        "waarom.",
        "en": "Which files were ingested, how many rows were accepted and rejected, and why.",
    },
    "quality_files": {"nl": "Ingelezen bestanden", "en": "Ingested files"},
    "quality_intro": {
        "nl": "Elke rij van elk bestand is geaccepteerd of met een reden afgewezen. Geaccepteerde "
        "antwoorden krijgen kwaliteitsvlaggen: signalen voor de analist, geen verwijderingen; "
        "gevlagde antwoorden tellen mee in de index. Aandelen worden niet getoond (–) bij "
        "minder dan {minimum} antwoorden.",
        "en": "Every row of every file was either accepted or rejected with a reason. Accepted "
        "responses carry data-quality flags: signals for the analyst, not deletions; "
        "flagged responses stay in the index. Shares are suppressed (–) for cells with "
        "fewer than {minimum} responses.",
    },
    "quality_reasons": {
        "nl": "Afgewezen rijen per reden, meting {wave}",
        "en": "Rejected rows by reason, wave {wave}",
    },
    "quality_flags": {
        "nl": "Geaccepteerde antwoorden en kwaliteitsvlaggen per wijk en kant, meting {wave}",
        "en": "Accepted responses and data-quality flags per area and side, wave {wave}",
    },
    "quality_no_rejects": {"nl": "Geen afgewezen rijen.", "en": "No rejected rows."},
    "quality_invalid": {
        "nl": "Ongeldige antwoorden, als ontbrekend opgeslagen (de rij telt mee), meting {wave}",
        "en": "Invalid answers, stored as missing (the row counts), wave {wave}",
    },
    "invalid_not_a_number": {"nl": "geen getal", "en": "not a number"},
    "invalid_not_an_answer_code": {
        "nl": "geen antwoordcode van de vraag",
        "en": "not one of the item's answer codes",
    },
    "col_item": {"nl": "Vraag", "en": "Item"},
    "col_problem": {"nl": "Probleem", "en": "Problem"},
    "col_answers": {"nl": "Antwoorden", "en": "Answers"},
    "col_file_status": {"nl": "Status", "en": "Status"},
    "file_status_active": {"nl": "in gebruik", "en": "in use"},
    "file_status_retracted": {"nl": "ingetrokken", "en": "retracted"},
    "file_status_replaced": {"nl": "vervangen", "en": "replaced"},
    "side_stakeholder": {"nl": "Beleid of management", "en": "Policy or management"},
    "quality_no_area": {"nl": "wijk onbekend", "en": "area unknown"},
    "quality_no_side": {"nl": "rol onbekend", "en": "role unknown"},
    "quality_total": {"nl": "Totaal", "en": "Total"},
    "quality_rows_note": {
        "nl": "Een rij die is afgewezen voordat de wijk of de rol bekend was (zonder "
        "toestemming wordt niets anders bewaard), staat op een eigen regel als wijk of rol "
        "onbekend; de totalen zijn die van de ingelezen bestanden.",
        "en": "A row rejected before its area or role was known (without consent nothing else "
        "is kept) has a line of its own as area or role unknown; the totals are those of the "
        "ingested files.",
    },
    "quality_stakeholder_note": {
        "nl": "Beleid of management beantwoordt alleen de vragen over het doel van de "
        "samenwerking en telt niet mee in de index.",
        "en": "Policy or management answer only the questions on the goal of the "
        "collaboration and do not count in the index.",
    },
    # The data-quality flags (pipeline/ingest/quality.py) by their codes.
    "flag_nonresponse": {
        "nl": "onbeantwoorde vragen > {share}",
        "en": "item nonresponse > {share}",
    },
    "flag_longstring": {
        "nl": "rechte lijn (steeds hetzelfde antwoord)",
        "en": "longstring (same answer in a row)",
    },
    "flag_irv": {
        "nl": "weinig variatie in de antwoorden (SD < {limit})",
        "en": "low response variability (SD < {limit})",
    },
    "flag_mahalanobis": {
        "nl": "afwijkend antwoordpatroon (p < {p})",
        "en": "multivariate outlier (p < {p})",
    },
    "flag_speeder": {
        "nl": "te snel (< {seconds} s per vraag of < de helft van de mediane tijd)",
        "en": "speeder (< {seconds} s per item or < half the median time)",
    },
    # Why ingest rejected a row (REJECT_REASONS of pipeline/ingest/exports.py), by its code.
    "reason_malformed-row": {
        "nl": "de rij heeft meer of minder velden dan de kopregel",
        "en": "the record has more or fewer fields than the header",
    },
    "reason_no-consent": {
        "nl": "geen toestemming ('ja', 1); verder is niets van de rij bewaard",
        "en": "consent is not 'yes' (1); nothing else of the row is kept",
    },
    "reason_identifying-data": {
        "nl": "een cel bevat een e-mailadres of telefoonnummer",
        "en": "a cell holds an e-mail address or a phone number",
    },
    "reason_wrong-version": {
        "nl": "de rij is ingevuld op een andere versie van de vragenlijst",
        "en": "the row was answered on another version of the questionnaire",
    },
    "reason_duplicate-submission": {
        "nl": "de inzending staat al in het bestand of in de opslag",
        "en": "the submission id is already in the file or the store",
    },
    "reason_duplicate-respondent": {
        "nl": "de respondentcode komt al voor in deze meting (bestand of opslag)",
        "en": "the respondent code is already in this wave (file or store)",
    },
    "reason_invalid-role": {
        "nl": "de rol ontbreekt of is geen bekende rolcode",
        "en": "the role answer is missing or not a role code",
    },
    "reason_unknown-area": {
        "nl": "de wijk staat niet in het wijkenregister",
        "en": "the area is not in the area registry",
    },
    "reason_unknown-unit": {
        "nl": "het team of de organisatie hoort niet bij de wijk voor deze rol",
        "en": "the team or organisation is not one of the area's units for the role",
    },
    "reason_out-of-range": {
        "nl": "een antwoord is geen van de codes van de vraag",
        "en": "an answer is not one of the item's codes",
    },
    "col_file": {"nl": "Bestand", "en": "File"},
    "col_rows_read": {"nl": "Rijen gelezen", "en": "Rows read"},
    "col_accepted": {"nl": "Geaccepteerd", "en": "Accepted"},
    "col_rejected": {"nl": "Afgewezen", "en": "Rejected"},
    "col_reason": {"nl": "Reden", "en": "Reason"},
    "col_rows": {"nl": "Rijen", "en": "Rows"},
    "col_any_flag": {"nl": "Enige vlag", "en": "Any flag"},
    "methods_lead": {
        "nl": "Alle standaardkeuzes van de index staan in één methodebestand; dit is dat bestand, "
        "leesbaar gemaakt. De volledige verantwoording (het onderzoek achter de begrippen, elke "
        "stap van de index, onzekerheid, verandering en kleine aantallen, met bronnen) staat in "
        "de documentatie van samenspel: docs/methodology.md.",
        "en": "Every default of the index is in one methodology file; this is that file, made "
        "readable. The full account (the research behind the constructs, each step of the "
        "index, uncertainty, change and small cells, with references) is in samenspel's "
        "documentation: docs/methodology.md.",
    },
    "methods_components": {"nl": "Onderdelen en doelpalen", "en": "Components and goalposts"},
    "methods_aggregation": {
        "nl": "Van onderdelen naar wijkindex",
        "en": "From components to area index",
    },
    "methods_uncertainty": {"nl": "Onzekerheid", "en": "Uncertainty"},
    "methods_bootstrap_units": {
        "nl": "Metingen met teamcodes: professionals worden bereikt via hun wijkteam, informele "
        "actoren via hun organisatie, en mensen uit één team antwoorden op elkaar. Daarom "
        "trekt de bootstrap per wijk en kant opnieuw respondenten (geschaald naar de spreiding "
        "binnen teams) én geeft elk team een teameffect, opnieuw getrokken uit de teams van "
        "dezelfde meting en kant en geschaald naar de geschatte spreiding tussen teams "
        "(tweetraps-residubootstrap; Carpenter, Goldstein & Rasbash 2003; Davison & Hinkley "
        "1997). De variantie is dan het design-effect van Kish maal de variantie bij losse "
        "trekkingen. Iemand zonder team uit de lijst telt als een team van één. De eigen 2 tot "
        "6 teams van een wijk zeggen te weinig over de spreiding tussen teams: alleen die "
        "teams opnieuw trekken dekte in simulaties 83–88% in plaats van 95%.",
        "en": "Waves with unit codes: professionals are reached through their wijkteam, "
        "informal actors through their organisation, and people in one unit answer alike. So "
        "per area and side the bootstrap resamples respondents (scaled to the spread within "
        "units) and gives every unit a unit effect, resampled from the units of the same wave "
        "and side and scaled to the estimated spread between units (two-stage residual "
        "bootstrap; Carpenter, Goldstein & Rasbash 2003; Davison & Hinkley 1997). Its variance "
        "is Kish's design effect times the variance under independent draws. A respondent "
        "without a listed unit counts as a unit of one. An area's own 2 to 6 units say too "
        "little about the spread between units: resampling only them covered the truth in "
        "83–88% of simulated cases instead of 95%.",
    },
    "methods_estimand_finite": {
        "nl": "Waarover de cijfers gaan: de professionals en informele partijen van de teams en "
        "organisaties die het wijkregister nu voor een wijk noemt. Zijn alle teams van een wijk "
        "bereikt, dan telt het interval geen onzekerheid over teams die er ook hadden kunnen "
        "zijn; is de helft bereikt, dan de helft daarvan.",
        "en": "What the figures are about: the professionals and informal actors of the units "
        "the area registry now lists for an area. When every unit of an area was reached, the "
        "interval holds no uncertainty about units that could have been there instead; when "
        "half was reached, half of it.",
    },
    "methods_estimand_superpopulation": {
        "nl": "Waarover de cijfers gaan: de teams en organisaties die een wijk had kunnen "
        "hebben, niet alleen die in het wijkregister. Het interval telt de spreiding tussen "
        "teams daarom altijd helemaal mee, ook als alle teams zijn bereikt.",
        "en": "What the figures are about: the units an area could have had, not only those in "
        "the area registry. The interval therefore always counts the whole spread between "
        "units, also when every unit was reached.",
    },
    "methods_weights": {
        "nl": "Een respondent telt mee voor de leden van het eigen team: het aantal leden in het "
        "wijkregister gedeeld door het aantal respondenten van dat team. Zo weegt een team "
        "dat veel antwoorden gaf niet zwaarder dan zijn grootte. Staat bij een team geen aantal "
        "leden, dan telt iedereen in die wijk en kant even zwaar; de technische bijlage laat "
        "per wijk en kant de gewichten zien.",
        "en": "A respondent stands for the members of their unit: its number of members in the "
        "area registry over that unit's respondents. So a unit that answered a lot does not "
        "weigh more than its size. Where a unit has no members in the registry, everyone in "
        "that area and side counts the same; the technical appendix shows the weights per "
        "area and side.",
    },
    "methods_bootstrap_respondents": {
        "nl": "Metingen zonder teamcodes: de bootstrap trekt respondenten opnieuw binnen wijk en "
        "kant. Dat veronderstelt dat respondenten los van elkaar zijn getrokken; bij werving "
        "via teams en organisaties zijn de intervallen dan te smal.",
        "en": "Waves without unit codes: the bootstrap resamples respondents within area and "
        "side. That assumes respondents were drawn independently; when they were recruited "
        "through teams and organisations, the intervals are too narrow.",
    },
    "methods_study": {
        "nl": "Getoetst in een simulatie met werving via 2 tot 6 teams per kant en wijk, "
        "ongelijke teamgrootte en een ICC tussen 0,05 en 0,20: het 95%-interval bevatte de "
        "ware index in 94% van de gevallen; bij geen echte verandering gaf 0,5% van de wijken "
        "na FDR een significante verandering; een echte verandering van 10 punten werd in 94% "
        "gevonden. Alleen respondenten opnieuw trekken: 78% en 8%.",
        "en": "Checked in a simulation with recruitment through 2 to 6 units per side and "
        "area, unequal unit sizes and an ICC between 0.05 and 0.20: the 95% interval held the "
        "true index in 94% of cases; with no true change 0.5% of areas showed a significant "
        "change after FDR; a true change of 10 points was found in 94%. Resampling "
        "respondents alone: 78% and 8%.",
    },
    "intervals_independent": {
        "nl": "Deze meting heeft geen teamcodes: de intervallen veronderstellen dat respondenten "
        "los van elkaar zijn getrokken.",
        "en": "This wave has no unit codes: the intervals assume that respondents were drawn "
        "independently.",
    },
    "intervals_one_unit": {
        "nl": "{count} kant(en) van een wijk zijn via één team of organisatie bereikt. De "
        "spreiding tussen teams is daar niet zelf te zien; het interval leent die van de andere "
        "wijken van de meting.",
        "en": "{count} side(s) of an area were reached through one unit only. The spread between "
        "units cannot be seen there; the interval borrows it from the other areas of the wave.",
    },
    "area_one_unit": {
        "nl": "De {side} zijn in meting {wave} via één team of organisatie bereikt: de spreiding "
        "tussen teams komt uit de andere wijken.",
        "en": "The {side} were reached through one unit in wave {wave}: the spread between units "
        "comes from the other areas.",
    },
    "methods_distribution": {
        "nl": "Hoe de onderdelen over respondenten verdeeld zijn",
        "en": "How the components spread over respondents",
    },
    "methods_distribution_text": {
        "nl": "Per onderdeel, meting {wave}: gemiddelde, mediaan en het aandeel respondenten op 0 "
        "en op 100. Een onderdeel waar bijna iedereen op 100 (of 0) zit, maakt weinig verschil "
        "tussen wijken.",
        "en": "Per component, wave {wave}: mean, median and the share of respondents at 0 and at "
        "100. A component where nearly everyone sits at 100 (or 0) tells areas apart little.",
    },
    "col_share_0": {"nl": "aandeel op 0", "en": "share at 0"},
    "col_share_100": {"nl": "aandeel op 100", "en": "share at 100"},
    "col_median": {"nl": "mediaan", "en": "median"},
    "col_mean": {"nl": "gemiddelde", "en": "mean"},
    "tech_units": {
        "nl": "Werving via teams en organisaties",
        "en": "Recruitment through teams and organisations",
    },
    "tech_units_text": {
        "nl": "ICC per team: het deel van de spreiding dat tussen teams van één wijk ligt. "
        "Design-effect: hoeveel groter de variantie is dan bij losse trekkingen; effectieve n = "
        "n / design-effect. Teamcodes staan in de opslag, nooit in het rapport.",
        "en": "ICC by unit: the share of the spread that lies between units of one area. Design "
        "effect: how much larger the variance is than under independent draws; effective n = "
        "n / design effect. Unit codes stay in the store, never in the report.",
    },
    "tech_no_units": {
        "nl": "Geen meting heeft teamcodes; de intervallen veronderstellen losse trekkingen.",
        "en": "No wave has unit codes; the intervals assume independent draws.",
    },
    "tech_weights": {"nl": "Weging naar teamgrootte", "en": "Weighting by unit size"},
    "tech_weights_text": {
        "nl": "Wie via een team of organisatie meedoet, telt mee voor de leden van dat team: "
        "het aantal leden uit het wijkregister gedeeld door het aantal respondenten van dat "
        "team. Wie geen team noemt, telt als 1. Effectieve n (Kish): hoeveel losse "
        "respondenten evenveel zeggen als deze gewogen groep. Verschuiving: de gewogen min de "
        "ongewogen index van de kant, in punten.",
        "en": "A respondent reached through a unit stands for that unit's members: its number "
        "of members in the area registry over its respondents. A respondent who names no unit "
        "counts as 1. Effective n (Kish): how many independent respondents say as much as this "
        "weighted group. Shift: the weighted minus the unweighted side index, in points.",
    },
    "tech_no_weights": {
        "nl": "Geen enkele kant is gewogen: alle respondenten tellen even zwaar.",
        "en": "No side is weighted: every respondent counts the same.",
    },
    "col_weighting": {"nl": "weging", "en": "weighting"},
    "col_weight_range": {"nl": "gewichten", "en": "weights"},
    "col_n_kish": {"nl": "effectieve n (Kish)", "en": "effective n (Kish)"},
    "col_weighting_shift": {"nl": "verschuiving", "en": "shift"},
    "weighting_members": {"nl": "naar leden", "en": "by members"},
    "weighting_equal_members_missing": {
        "nl": "Gelijke gewichten: een team zonder aantal leden in het wijkregister (aantal kanten)",
        "en": "Equal weights: a unit without members in the area registry (number of sides)",
    },
    "weighting_equal_no_listed_unit": {
        "nl": "Gelijke gewichten: niemand noemde een team uit het register (aantal kanten)",
        "en": "Equal weights: no respondent named a unit of the registry (number of sides)",
    },
    "weighting_equal_no_unit_codes": {
        "nl": "Gelijke gewichten: deze meting heeft geen teamcodes (aantal kanten)",
        "en": "Equal weights: this wave has no unit codes (number of sides)",
    },
    "col_units": {"nl": "teams", "en": "units"},
    "col_areas": {"nl": "wijken", "en": "areas"},
    "col_individuals": {"nl": "zonder team", "en": "individuals"},
    "col_icc": {"nl": "ICC", "en": "ICC"},
    "col_deff": {"nl": "design-effect", "en": "design effect"},
    "col_n_effective": {"nl": "effectieve n", "en": "effective n"},
    "col_interval": {"nl": "interval", "en": "interval"},
    "interval_units": {"nl": "teams", "en": "units"},
    "interval_one_unit": {"nl": "één team", "en": "one unit"},
    "interval_individuals": {"nl": "alleen losse", "en": "individuals only"},
    "interval_respondents": {"nl": "losse trekkingen", "en": "independent draws"},
    "measure_side_score": {"nl": "score van de kant", "en": "side score"},
    "methods_references": {"nl": "Bronnen", "en": "References"},
    "methods_file": {"nl": "Het methodebestand", "en": "The methodology file"},
    "methods_provenance": {"nl": "Herkomst van deze cijfers", "en": "Provenance of these figures"},
    "methods_provenance_text": {
        "nl": "Waarmee deze cijfers zijn berekend. Met dezelfde versies en dezelfde bestanden "
        "(te controleren aan hun SHA-256) geeft een nieuwe berekening dezelfde getallen.",
        "en": "What computed these figures. The same versions and the same files (checked by "
        "their SHA-256) give the same numbers when computed again.",
    },
    "methods_software": {"nl": "Software", "en": "Software"},
    "methods_computed_at": {"nl": "Berekend op", "en": "Computed at"},
    "methods_input_files": {"nl": "Invoerbestanden", "en": "Input files"},
    "methods_file_role": {"nl": "Rol", "en": "Role"},
    "methods_file_name": {"nl": "Bestand", "en": "File"},
    "methods_role_instrument": {"nl": "vragenlijst", "en": "questionnaire"},
    "methods_role_areas": {"nl": "wijkenregister", "en": "area registry"},
    "methods_role_methodology": {"nl": "methodebestand", "en": "methodology file"},
    "methods_role_export": {"nl": "export meting {wave}", "en": "export wave {wave}"},
    "methods_on_the_site": {
        "nl": "Het methodebestand zelf en een woordenlijst van de resultaatbestanden staan op "
        "de pagina Methode van de site.",
        "en": "The methodology file itself and a data dictionary of the result files are on "
        "the site's Methods page.",
    },
    # The map of the areas (reports/maps.py)
    "map_title": {
        "nl": "De index per wijk op de kaart, meting {wave}",
        "en": "The index per area on the map, wave {wave}",
    },
    "map_no_data": {
        "nl": "geen gegevens (onderdrukt of niet gemeten)",
        "en": "no data (suppressed or not measured)",
    },
    "map_indicative": {
        "nl": "cursief: indicatief (weinig respondenten)",
        "en": "italic: indicative (few respondents)",
    },
    "map_tiles_note": {
        "nl": "Een wijk zonder omtrek op de kaart staat als vierkant, op alfabetische volgorde: "
        "waar het vierkant staat, zegt niets over waar de wijk ligt.",
        "en": "An area without an outline on the map is a square, in alphabetical order: where "
        "the square is says nothing about where the area lies.",
    },
    "map_cells_note": {
        "nl": "Te veel wijken om elk getal te schrijven: elk vakje is een wijk, per gemeente van "
        "hoog naar laag. De getallen staan op de kaart en in de tabel van elke gemeente.",
        "en": "Too many areas to write every figure: each cell is an area, per municipality "
        "from high to low. The figures are on each municipality's map and table.",
    },
    "map_no_outline": {
        "nl": "Het grenzenbestand heeft geen omtrek met de CBS-code van {areas}; zij staan als "
        "vierkant.",
        "en": "The boundaries file has no outline with the CBS code of {areas}; they are drawn "
        "as squares.",
    },
    "map_source": {"nl": "Omtrekken: {source}.", "en": "Outlines: {source}."},
    "cover_subtitle": {
        "nl": "Rapport over de hybridiseringsindex",
        "en": "Report on the hybridisation index",
    },
    "cover_wave": {"nl": "Meting {wave}", "en": "Wave {wave}"},
    "cover_analysed": {"nl": "Berekend op {date}", "en": "Computed on {date}"},
    "cover_versions": {
        "nl": "Vragenlijst versie {instrument}, methode versie {methodology}",
        "en": "Questionnaire version {instrument}, methodology version {methodology}",
    },
    "toc_title": {"nl": "Inhoud", "en": "Contents"},
}

#: What the pipeline writes in English into the result tables (the notes of comparisons.csv,
#: the verdicts of psychometrics_invariance.csv), as the Dutch pages say it: a pattern of one
#: part of a message (parts are joined by "; ") and its Dutch wording, which names the
#: pattern's groups. The English pages print the message as the pipeline wrote it.
PIPELINE_MESSAGES_NL: tuple[tuple[str, str], ...] = (
    (r"not computed: too few respondents on a side",
     "niet berekend: te weinig respondenten aan een kant"),
    (r"not computed: every respondent of both sides has the same value",
     "niet berekend: alle respondenten van beide kanten gaven dezelfde waarde"),
    (r"(?P<n>\d+) area\(s\) under (?P<minimum>\d+) left out",
     "{n} wijk(en) onder {minimum} weggelaten"),
    (r"(?P<n>\d+) area\(s\) where everyone gave the same value left out",
     "{n} wijk(en) waar iedereen dezelfde waarde gaf weggelaten"),
    (r"not computed: fewer than 2 areas with enough respondents and spread",
     "niet berekend: minder dan 2 wijken met genoeg respondenten en spreiding"),
    (r"not computed: the only area of its municipality with enough respondents",
     "niet berekend: de enige wijk van de gemeente met genoeg respondenten"),
    (r"not computed: no other area with enough respondents",
     "niet berekend: geen andere wijk met genoeg respondenten"),
    (r"not computed: fewer than (?P<minimum>\d+) respondents",
     "niet berekend: minder dan {minimum} respondenten"),
    (r"not computed: no spread in the area or in the rest",
     "niet berekend: geen spreiding in de wijk of in de rest"),
    (r"(?P<n>\d+) area\(s\) with a side under (?P<minimum>\d+)",
     "{n} wijk(en) met een kant onder {minimum}"),
    (r"areas without spread on both sides left out",
     "wijken zonder spreiding aan beide kanten weggelaten"),
    (r"not computed: fewer than 2 areas with both sides and spread",
     "niet berekend: minder dan 2 wijken met beide kanten en spreiding"),
    (r"scalar invariance between the sides holds: latent means are compared in "
     r"psychometrics_latent_means",
     "scalaire invariantie tussen de kanten houdt stand: de latente gemiddelden staan in "
     "psychometrics_latent_means"),
    (r"not compared: scalar invariance between the sides has not been tested",
     "niet vergeleken: scalaire invariantie tussen de kanten is niet getoetst"),
    (r"not compared: scalar invariance between the sides does not hold",
     "niet vergeleken: scalaire invariantie tussen de kanten houdt geen stand"),
    (r"configural fit holds", "configurale fit voldoet"),
    (r"(?P<step>\w+) invariance holds", "invariantie houdt stand ({step})"),
    (r"partial (?P<step>\w+) invariance holds with (?P<released>.+) free across groups",
     "gedeeltelijke invariantie houdt stand ({step}), met {released} vrij tussen de groepen"),
    (r"(?P<step>\w+) does not hold: (?P<statistic>\S+) = (?P<value>\S+), needs "
     r"(?P<criterion>.+)",
     "houdt geen stand ({step}): {statistic} = {value}, nodig is {criterion}"),
    (r"(?P<statistic>\S+) = (?P<value>\S+), needs (?P<criterion>.+)",
     "{statistic} = {value}, nodig is {criterion}"),
    # pipeline/index/compare.py: pairs of areas (Games-Howell)
    (r"(?P<n>\d+) area\(s\) under (?P<minimum>\d+) or without spread left out",
     "{n} wijk(en) onder {minimum} of zonder spreiding weggelaten"),
    (r"not computed: (?P<n>\d+) areas in (?P<where>.+), more than (?P<maximum>\d+) \(pairs "
     r"grow with the square of the areas\)",
     "niet berekend: {n} wijken in {where}, meer dan {maximum} (het aantal paren groeit met "
     "het kwadraat van het aantal wijken)"),
    # pipeline/psychometrics/tables.py: how a figure that is not from the CFA is estimated
    (r"Pearson covariances", "Pearson-covarianties"),
    (r"Pearson correlations", "Pearson-correlaties"),
    (r"polychoric correlations", "polychorische correlaties"),
    (r"(?P<estimator>ML|WLSMV) \(one-factor CFA\)", "{estimator} (CFA met één factor)"),
    (r"one-way ANOVA", "eenweg-ANOVA"),
    # pipeline/measurement/__init__.py: a wave or the waves' comparison that could not
    # be analysed as planned (the problems table of the technical appendix)
    (r"the polychoric correlation matrix(?P<where>(?: in group '[^']*')?) is not positive "
     r"definite \(smallest eigenvalue (?P<value>\S+)\): too few respondents for the items "
     r"\(or near-duplicate items\) to analyse them as ordinal",
     "de polychorische correlatiematrix{where} is niet positief definiet (kleinste "
     "eigenwaarde {value}): te weinig respondenten voor deze vragen (of vragen die bijna "
     "hetzelfde zijn) om ze als geordende categorieën te analyseren"),
    (r"this wave was analysed with (?P<estimator>\w+) \(continuous\) instead",
     "deze meting is daarom met {estimator} (als continue scores) geanalyseerd"),
    (r"the waves were compared with (?P<estimator>\w+) instead",
     "de metingen zijn daarom met {estimator} vergeleken"),
    (r"the (?P<kind>ordinal )?CFA did not converge after (?P<n>\d+) iterations \(largest "
     r"gradient (?P<gradient>\S+)\)",
     "de CFA vond na {n} stappen geen oplossing (grootste gradiënt {gradient})"),
    (r"check for items with almost (?:no variance|all answers in one category), factors with "
     r"fewer than three items or near-identical items",
     "kijk naar vragen waarop bijna iedereen hetzelfde antwoordt, factoren met minder dan "
     "drie vragen en vragen die bijna gelijk zijn"),
    (r"too few respondents: (?P<n>\d+) for (?P<parameters>\d+) free parameters",
     "te weinig respondenten: {n} voor {parameters} vrije parameters"),
    (r"collect more answers, fit fewer items, or use missing='fiml' instead of listwise",
     "verzamel meer antwoorden, gebruik minder vragen of missing='fiml' in plaats van "
     "listwise"),
    (r"only (?P<n>\d+) usable respondent\(s\)(?P<where>(?: in group '[^']*')?)",
     "maar {n} bruikbare respondent(en){where}"),
    (r"a group needs at least two \(and many more for stable estimates\): merge or drop the "
     r"group",
     "een groep heeft er minstens twee nodig (en veel meer voor stabiele schattingen): voeg "
     "de groep samen met een andere of laat hem weg"),
    (r"ordered item (?P<item>'[^']*') has (?P<n>\d+) answer categor(?:y|ies): every "
     r"respondent gave the same answer \(or none\)",
     "vraag {item} heeft {n} antwoordcategorie(ën): iedereen gaf hetzelfde antwoord (of geen)"),
    (r"drop the item from the model", "laat de vraag weg uit het model"),
    (r"ordered item (?P<item>'[^']*') has empty categor(?:y|ies) (?P<empty>\[[^\]]*\]) "
     r"\(counting from 1\)(?P<where>(?: in group '[^']*')?): frequencies are "
     r"(?P<frequencies>\[[^\]]*\])",
     "vraag {item} heeft lege antwoordcategorie(ën) {empty} (geteld vanaf 1){where}: de "
     "aantallen zijn {frequencies}"),
    (r"merge an empty category with its neighbour \(recode the answers\) or drop the item "
     r"or the group",
     "voeg een lege categorie samen met die ernaast (hercodeer de antwoorden) of laat de "
     "vraag of de groep weg"),
    (r"items (?P<first>'[^']*') and (?P<second>'[^']*') were answered together by "
     r"(?P<n>\d+) respondent\(s\)",
     "vragen {first} en {second} zijn samen door {n} respondent(en) beantwoord"),
    (r"a polychoric correlation needs many more: collect more answers or drop one of the "
     r"items",
     "een polychorische correlatie heeft er veel meer nodig: verzamel meer antwoorden of "
     "laat een van de vragen weg"),
    (r"scale (?P<scale>'[^']*')(?P<where>(?: in group '[^']*')?): only (?P<n>\d+) "
     r"respondent\(s\) answered it",
     "schaal {scale}{where}: maar {n} respondent(en) beantwoordden haar"),
    (r"reliability needs at least two \(and many more for a useful estimate\)",
     "voor de betrouwbaarheid zijn er minstens twee nodig (en veel meer voor een bruikbare "
     "schatting)"),
    (r"scale (?P<scale>'[^']*')(?P<where>(?: in group '[^']*')?): item\(s\) "
     r"(?P<items>\[[^\]]*\]) have zero variance \(everyone gave the same answer\)",
     "schaal {scale}{where}: vraag/vragen {items} hebben geen spreiding (iedereen gaf "
     "hetzelfde antwoord)"),
    (r"reliability is undefined: drop the item\(s\) or check the data",
     "de betrouwbaarheid is niet te berekenen: laat de vraag/vragen weg of controleer de "
     "gegevens"),
)  # fmt: skip

#: How the lead of the technical appendix describes each CFA estimator.
ESTIMATOR_DESCRIPTIONS = {
    "WLSMV": {
        "nl": "als geordende categorieën (WLSMV: drempels en polychorische correlaties, "
        "diagonaal gewogen kleinste kwadraten, robuuste standaardfouten en toetsen; "
        "ontbrekende antwoorden paarsgewijs); meetinvariantie volgens Wu & Estabrook (2016)",
        "en": "as ordered categories (WLSMV: thresholds and polychoric correlations, "
        "diagonally weighted least squares, robust standard errors and tests; missing "
        "answers pairwise); measurement invariance as Wu & Estabrook (2016)",
    },
    "MLR": {
        "nl": "als continue scores (MLR: maximum likelihood met FIML, robuuste standaardfouten "
        "en de Yuan-Bentler-toets)",
        "en": "as continuous scores (MLR: maximum likelihood with FIML, robust standard errors "
        "and the Yuan-Bentler test)",
    },
    "ML": {
        "nl": "als continue, normaal verdeelde scores (ML met FIML)",
        "en": "as continuous, normally distributed scores (ML with FIML)",
    },
}

MAPPING_DESCRIPTIONS = {
    "rescaled": {"nl": "100 × (score − 1) / 4", "en": "100 × (score − 1) / 4"},
    "reversed": {"nl": "100 − 100 × (score − 1) / 4", "en": "100 − 100 × (score − 1) / 4"},
    "positive_gap": {
        "nl": "100 × (1 − min(max(eigen − ander, 0), {max_gap}) / {max_gap}), met "
        "rapportcijfers 1–10: {max_gap} punten verschil of meer geeft 0",
        "en": "100 × (1 − min(max(own − other, 0), {max_gap}) / {max_gap}), with 1–10 report "
        "grades: a gap of {max_gap} points or more gives 0",
    },
    "symmetric_gap": {
        "nl": "50 × (1 − (eigen − ander) / {max_gap}), binnen 0–100: gelijke cijfers geven 50 "
        "(alternatief in de gevoeligheidsanalyse)",
        "en": "50 × (1 − (own − other) / {max_gap}), within 0–100: equal grades give 50 "
        "(alternative in the sensitivity analysis)",
    },
    "counts_and_quality": {
        "nl": "gemiddelde van de aantallen (100 × ln(1 + min(x, plafond)) / ln(1 + plafond)) "
        "en de contactkwaliteit (herschaald)",
        "en": "mean of the counts (100 × ln(1 + min(x, cap)) / ln(1 + cap)) and contact "
        "quality (rescaled)",
    },
}

#: The references, as published: in English, but for :data:`DUTCH_REFERENCES`.
REFERENCES = (
    "Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability.",
    "Carpenter, J. R., Goldstein, H., & Rasbash, J. (2003). A novel bootstrap procedure for "
    "assessing the relationship between class size and achievement. Applied Statistics, 52(4), "
    "431–443.",
    "Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of measurement "
    "invariance. Structural Equation Modeling, 14(3), 464–504.",
    "Cheung, G. W., & Rensvold, R. B. (2002). Evaluating goodness-of-fit indexes for testing "
    "measurement invariance. Structural Equation Modeling, 9(2), 233–255.",
    "Davison, A. C., & Hinkley, D. V. (1997). Bootstrap Methods and their Application, section "
    "3.8. Cambridge University Press.",
    "Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with "
    "unobservable variables and measurement error. Journal of Marketing Research, 18(1).",
    "Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing "
    "discriminant validity. Journal of the Academy of Marketing Science, 43, 115–135.",
    "Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in covariance structure "
    "analysis. Structural Equation Modeling, 6(1), 1–55.",
    "James, L. R. (1982). Aggregation bias in estimates of perceptual agreement. Journal of "
    "Applied Psychology, 67(2), 219–229.",
    "Kish, L. (1965). Survey Sampling. Wiley.",
    "Newman, D. A. (2014). Missing data: Five practical guidelines. Organizational Research "
    "Methods, 17(4), 372–411.",
    "OECD/JRC (2008). Handbook on Constructing Composite Indicators.",
    "Prinsen, C. A. C., et al. (2018). COSMIN guideline for systematic reviews of patient-"
    "reported outcome measures. Quality of Life Research, 27, 1147–1157.",
    "Savalei, V. (2021). Improving fit indices in structural equation modeling with "
    "categorical data. Multivariate Behavioral Research, 56(3), 390–407.",
    "Searle, S. R., Casella, G., & McCulloch, C. E. (1992). Variance Components. Wiley.",
    "Wu, H., & Estabrook, R. (2016). Identification of confirmatory factor analysis models of "
    "different levels of invariance for ordered categorical outcomes. Psychometrika, 81(4), "
    "1014–1045.",
)

#: The references published in Dutch (each reference is marked with its own language).
DUTCH_REFERENCES = (
    "Veldboer, L., & Hoijtink, M. (2019). De moeizame hybridisering van het sociale domein.",
    "Welschen, S., et al. (2018). Met elkaar of naast elkaar?",
)


def as_code(value) -> Markup:
    """A version, code or identifier in the page: ``translate="no"`` tells translation tools
    (and the report's language tests) that it is the same in every language."""
    return Markup('<span translate="no">{}</span>').format(value)


class Translator:
    """``t(key, **values)``: the wording of ``key`` in one language with ``values`` filled in;
    an unknown key raises. ``t.language`` is the language, for the figures the wording holds
    (reports/notation.py)."""

    def __init__(self, language: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
        self.language = language

    def __call__(self, key: str, **values) -> str:
        text = TEXT[key][self.language]
        return text.format(**values) if values else text

    def name(self, prefix: str, value) -> str | Markup:
        """The wording of the code ``value`` (a check, a step: the key ``prefix + value``);
        a code without wording is shown as a code (:func:`as_code`)."""
        key = f"{prefix}{value}"
        return self(key) if key in TEXT else as_code(value)

    def markup(self, key: str, **values) -> Markup:
        """The wording as HTML: ``values`` escaped but for those that are markup already
        (a version marked as not to be translated, say)."""
        return escape(TEXT[key][self.language]).format(**values)


def translator(language: str) -> Translator:
    """The :class:`Translator` of ``language``; an unknown language raises."""
    return Translator(language)


#: The data dictionary of the result files in Dutch: every column of
#: pipeline/index/tables.py's OUTPUT_COLUMNS (which columns.json writes, in English) by table.
COLUMN_DESCRIPTIONS_NL: dict[str, dict[str, str]] = {
    "index": {
        "area": "wijkcode uit het wijkenregister (blijft als namen of grenzen veranderen)",
        "area_name": "naam van de wijk uit het register",
        "municipality": "naam van de gemeente uit het register",
        "wave": "meting",
        "index": "hybridiseringsindex 0–100: meetkundig gemiddelde van de indexen van de twee "
        "kanten",
        "ci_low": "ondergrens van het 95%-interval van de index (gestratificeerde bootstrap, "
        "percentielen)",
        "ci_high": "bovengrens van dat interval",
        "band": "co-existentie (< 40), toenadering (40–60) of hybridisering (≥ 60)",
        "index_professional": "index van de kant van de professionals (gemiddelde van de drie "
        "pijlers)",
        "ci_low_professional": "ondergrens van zijn 95%-interval",
        "ci_high_professional": "bovengrens van zijn 95%-interval",
        "index_informal": "index van de kant van de informele partijen",
        "ci_low_informal": "ondergrens van zijn 95%-interval",
        "ci_high_informal": "bovengrens van zijn 95%-interval",
        "gap": "verschil tussen de kanten: index_professional min index_informal",
        "gap_ci_low": "ondergrens van het 95%-interval van het verschil",
        "gap_ci_high": "bovengrens van het 95%-interval van het verschil",
        "n_professional": "professionals in de wijk in deze meting (ook bij onderdrukking)",
        "n_informal": "informele partijen in de wijk in deze meting (ook bij onderdrukking)",
        "status": "gepubliceerd (beide kanten n ≥ 10), indicatief (5–9) of onderdrukt (< 5: "
        "geen waarden)",
        "change_from_wave": "de vorige meting waarvan de verandering is gemeten (leeg in de "
        "eerste meting)",
        "change": "index min de index in change_from_wave, in indexpunten",
        "change_ci_low": "ondergrens van het 95%-bootstrapinterval van de verandering",
        "change_ci_high": "bovengrens van het 95%-bootstrapinterval van de verandering",
        "change_verdict": "stijging, daling, kleine verandering, geen duidelijke verandering, "
        "methodebreuk of onderdrukt (zie change.csv)",
        "estimate_type": "direct (status gepubliceerd: de directe index is het cijfer), "
        "modelschatting (de directe index is indicatief of onderdrukt; index_model wordt "
        "gepubliceerd) of onderdrukt (geen cijfer; zie small_area.csv)",
        "index_model": "modelschatting (Fay-Herriot) van de wijkindex, die leent van de andere "
        "wijken en de eerdere metingen van de wijk; leeg bij minder dan "
        "small_area.min_respondents respondenten aan een kant",
        "index_model_ci_low": "ondergrens van haar 95%-interval (index_model ± 1,96 × rmse)",
        "index_model_ci_high": "bovengrens van dat interval",
        "index_model_rmse": "wortel van de gemiddelde kwadratische fout van index_model "
        "(Prasad-Rao)",
    },
    "side_measures": {
        "area": "wijkcode",
        "wave": "meting",
        "side": "professional (professionals) of informal (informele partijen)",
        "measure": "component_<code>, pillar_<naam> of side_index",
        "value": "0–100, 100 = hybride",
        "ci_low": "ondergrens van het 95%-bootstrapinterval",
        "ci_high": "bovengrens van het 95%-bootstrapinterval",
        "n": "respondenten van deze kant",
        "status": "gepubliceerd, indicatief of onderdrukt voor deze kant",
    },
    "change": {
        "area": "wijkcode uit het wijkenregister",
        "comparison": "'previous' (de meting ervoor) of 'first' (de eerste meting met deze wijk)",
        "wave_from": "de eerdere meting",
        "wave_to": "de latere meting",
        "index_from": "wijkindex in de eerdere meting",
        "index_to": "wijkindex in de latere meting",
        "change": "index_to min index_from, in indexpunten",
        "ci_low": "ondergrens van het bootstrapinterval (percentielen) van de verandering",
        "ci_high": "bovengrens van het bootstrapinterval (percentielen) van de verandering",
        "p": "tweezijdige p-waarde van 'geen verandering' uit de bootstrap (methodebestand "
        "change.p_value)",
        "q": "p gecorrigeerd volgens Benjamini-Hochberg over de wijken van dit paar metingen",
        "significant": "q onder de false discovery rate (methodebestand "
        "change.false_discovery_rate)",
        "meaningful": "significant en |verandering| minstens change.meaningful_change indexpunten",
        "method_break": "waar (true) als de vragenlijst veranderde of de invariantie tussen de "
        "metingen niet standhoudt",
        "invariance": "invariantie tussen de twee metingen: houdt stand, houdt geen stand of "
        "niet getoetst",
        "verdict": "stijging, daling, kleine verandering, geen duidelijke verandering, "
        "methodebreuk of onderdrukt",
        "status": "gepubliceerd, indicatief of onderdrukt: de laagste status van de twee metingen",
        "panel_respondents": "respondenten in beide metingen (zelfde respondentcode, wijk en "
        "kant): in paren getrokken, zodat het interval hun samenhang meeneemt",
        "panel_units": "teams en organisaties uit de lijst waarlangs in beide metingen "
        "respondenten zijn bereikt: elk houdt in de bootstrap zijn teameffect",
    },
    "design": {
        "area": "wijkcode",
        "wave": "meting",
        "side": "professional (professionals) of informal (informele partijen)",
        "n": "respondenten van deze kant",
        "units": "teams en organisaties uit de lijst waarlangs de respondenten zijn bereikt",
        "individuals": "respondenten zonder team of organisatie uit de lijst (elk telt als een "
        "team van één)",
        "units_listed": "teams en organisaties die het gebiedsregister voor deze wijk en kant "
        "noemt",
        "share_units_reached": "bereikte teams / units_listed: bij uncertainty.units finite "
        "wordt de variantie tussen teams vermenigvuldigd met 1 - dit aandeel (niets als elk "
        "team antwoordde)",
        "weighting": "members (weging naar het aantal leden in het register) of gelijke "
        "gewichten: 'equal: members missing' (een bereikt team heeft geen leden in het "
        "register), 'equal: no listed unit' of 'equal: no unit codes'",
        "weight_min": "kleinste gewicht van een respondent (1 bij gelijke gewichten)",
        "weight_max": "grootste gewicht van een respondent",
        "n_kish": "effectieve n van Kish bij deze gewichten, (som w)^2 / som w^2 (n bij "
        "gelijke gewichten)",
        "weighting_shift": "gewogen min ongewogen index van de kant, in indexpunten",
        "mean_unit_size": "naar respondenten gewogen gemiddelde teamgrootte sum(n_i^2) / "
        "sum(n_i) (Kish)",
        "icc": "ICC per team van de score van de kant in deze meting en kant (zie unit_icc.csv)",
        "design_effect": "1 + (mean_unit_size - 1) * icc: de variantie ten opzichte van losse "
        "trekkingen",
        "n_effective": "n / design_effect",
        "interval": "units (teams), one unit (één team), individuals (alleen losse) of "
        "respondents (losse trekkingen); zie de pagina Methode",
        "status": "gepubliceerd, indicatief of onderdrukt voor deze kant",
    },
    "unit_icc": {
        "wave": "meting (alleen metingen met teamcodes)",
        "side": "professional (professionals) of informal (informele partijen)",
        "measure": "component_<code>, of side_score (de gewogen pijlerscore van een respondent)",
        "icc": "deel van de variantie dat tussen de teams van één wijk ligt (teams binnen wijken)",
        "design_effect": "1 + (m - 1) * icc, met m de naar respondenten gewogen gemiddelde "
        "teamgrootte van de kant",
        "units": "teams in de meting en kant, teams van één meegeteld",
        "areas": "wijken in de meting en kant",
        "df": "teams min wijken: de vrijheidsgraden van de variantie tussen teams",
        "source": "data, of data samen met de standaard-ICC van het methodebestand "
        "(uncertainty.unit_icc, zo zwaar als uncertainty.unit_icc_units teams)",
    },
    "component_distribution": {
        "wave": "meting",
        "side": "professional (professionals) of informal (informele partijen)",
        "component": "code van het onderdeel",
        "n": "respondenten van deze kant in de meting met een waarde voor het onderdeel",
        "mean": "gemiddelde over die respondenten, 0–100",
        "share_at_0": "aandeel respondenten op 0 (de doelpaal aan het andere eind)",
        "share_at_100": "aandeel respondenten op 100 (helemaal hybride op dit onderdeel)",
        "p10": "10e percentiel",
        "median": "mediaan",
        "p90": "90e percentiel",
        "status": "gepubliceerd, indicatief of onderdrukt (regel voor kleine aantallen op n)",
    },
    "comparisons": {
        "wave": "meting",
        "construct": "vergeleken onderdeel van de index (0–100, 100 = hybride)",
        "test": "welch_t, mann_whitney, welch_anova, area_vs_municipality, area_vs_all, "
        "gap_heterogeneity of latent_means",
        "side": "de kant waarbinnen de wijktoets valt (leeg bij toetsen tussen de kanten)",
        "group_a": "eerste groep (een kant of een wijkcode)",
        "group_b": "tweede groep (leeg bij toetsen over alle wijken)",
        "estimate": "gewogen gemiddelde van group_a min dat van group_b (t-toetsen, "
        "games_howell); naar precisie gewogen gemiddeld verschil (Q)",
        "statistic": "t, U, F of Q",
        "df": "vrijheidsgraden (Welch: niet geheel; ANOVA: tussen groepen; Q: wijken - 1)",
        "p": "p-waarde vóór correctie",
        "p_adjusted": "p na de correctie over de familie van de toets",
        "correction": "de toegepaste correctie (holm of fdr_bh)",
        "effect_size_name": "hedges_g, rank_biserial, partial_eta_squared of i_squared",
        "effect_size": "de effectgrootte",
        "ci_low": "ondergrens van het 95%-interval van de effectgrootte (Hedges' g tussen de "
        "kanten)",
        "ci_high": "bovengrens van het 95%-interval van de effectgrootte (Hedges' g tussen de "
        "kanten)",
        "n_a": "respondenten in group_a (wijken bij de ANOVA en Q)",
        "n_b": "respondenten in group_b (of in alle wijken)",
        "status": "gepubliceerd, indicatief of onderdrukt (regel voor kleine aantallen op de "
        "kleinste groep)",
        "note": "wat is weggelaten en waarom, en waarom een toets niet te berekenen is (in het "
        "Engels)",
    },
    "sensitivity": {
        "area": "wijkcode uit het wijkenregister",
        "wave": "meting",
        "index": "wijkindex met de standaardkeuzes van het methodebestand",
        "rank": "rang onder de gerangschikte wijken van de meting met de standaardkeuzes "
        "(1 = meest hybride)",
        "median_rank": "mediaan van de rang over de Monte-Carlotrekkingen",
        "rank_p05": "5e percentiel van de rang over de trekkingen",
        "rank_p95": "95e percentiel van de rang over de trekkingen",
        "index_p05": "5e percentiel van de wijkindex over de trekkingen",
        "index_p95": "95e percentiel van de wijkindex over de trekkingen",
        "areas_ranked": "aantal gerangschikte wijken in deze meting",
        "draws": "Monte-Carlotrekkingen",
        "status": "gepubliceerd, indicatief of onderdrukt (onderdrukte wijken krijgen geen rang)",
    },
    "goals": {
        "area": "wijkcode uit het wijkenregister",
        "wave": "meting",
        "measure": "agreement_own_views, professionals_read_informal, "
        "informal_read_professionals, unclear_professional of unclear_informal",
        "value": "0–100 (eensgezindheid: 100 = gelijke verdelingen; onduidelijk: % van de kant)",
        "ci_low": "ondergrens van het 95%-bootstrapinterval (eensgezindheid: basic, "
        "onduidelijk: percentielen)",
        "ci_high": "bovengrens van het 95%-bootstrapinterval",
        "n_professional": "professionals in de wijk in deze meting",
        "n_informal": "informele partijen in de wijk in deze meting",
        "status": "gepubliceerd, indicatief of onderdrukt (kleinste kant bij de maten van "
        "eensgezindheid)",
    },
    "psychometrics_steps": {
        "wave": "meting ('all': de vergelijking tussen de metingen)",
        "step": "reliability (itemstatistieken, alfa, omega), efa (KMO, Bartlett, parallelle "
        "analyse, EFA), cfa, invariance_sides, invariance_waves, latent_means, "
        "estimator_comparison of aggregation (ICC per wijk)",
        "model": "full (alle reflectieve constructen), pillar <naam> of construct <code>: het "
        "model dat de stap probeerde; leeg bij een stap zonder factormodel",
        "factors": "de constructen in dat model, gescheiden door komma's",
        "estimator": "WLSMV, MLR of ML (leeg bij een stap zonder CFA)",
        "missing": "hoe ontbrekende antwoorden meetelden: fiml (elk antwoord; paarsgewijs bij "
        "WLSMV) of listwise (alleen wie elk item beantwoordde)",
        "n": "respondenten in de stap (na de steekproef van psychometrics.sample per kant)",
        "parameters": "vrije parameters van het model (leeg bij een stap zonder model)",
        "minimum": "minimaal aantal respondenten dat de stap met dit model nodig heeft (per "
        "groep bij invariantie)",
        "fitted": "waar (true): de uitkomsten staan in de tabellen psychometrics_* (rijen met "
        "dit model); onwaar (false): niet geschat",
        "reason_code": "leeg als geschat zoals bedoeld, anders too_few_respondents, "
        "too_few_per_side, not_estimable, smaller_model, continuous_instead, every_answer, "
        "not_invariant, no_invariance of full_model_only",
        "reason": "waarom, in het Engels (leeg als geschat zoals bedoeld)",
    },
    "small_area": {
        "area": "wijkcode",
        "wave": "meting",
        "measure": "index (de wijkindex), index_professional of index_informal (de indexen van "
        "de kanten)",
        "n": "respondenten (bij de wijkindex: van de kleinste kant)",
        "status": "gepubliceerd, indicatief of onderdrukt: de regel voor kleine aantallen voor "
        "de directe schatting",
        "direct": "de directe schatting (gemiddelde over de respondenten van de cel; leeg bij "
        "onderdrukking)",
        "direct_se": "standaardfout van de directe schatting die het model gebruikt (zie "
        "variance_source; leeg bij onderdrukking)",
        "variance_source": "bootstrap (de bootstrapvariantie van de directe schatting) of "
        "smoothed (n onder small_cells.publish: de variantie per respondent van de meting en "
        "maat, gedeeld door n)",
        "model": "modelschatting (Fay-Herriot), 0–100; leeg bij minder dan "
        "small_area.min_respondents respondenten",
        "model_rmse": "wortel van de gemiddelde kwadratische fout van de modelschatting "
        "(Prasad-Rao)",
        "model_ci_low": "ondergrens van model ± z × model_rmse, binnen 0–100",
        "model_ci_high": "bovengrens van dat interval",
        "direct_weight": "het gewicht dat het model aan de eigen directe schatting van de cel "
        "geeft (0–1; de rest komt uit de eerdere metingen van de wijk, de gemeente en de "
        "monitor)",
        "estimate_type": "direct (de directe schatting wordt gepubliceerd), modelschatting "
        "(het cijfer van het model wordt gepubliceerd: het directe is indicatief of "
        "onderdrukt) of onderdrukt (geen van beide)",
        "published": "het gepubliceerde cijfer: direct of model, zoals estimate_type zegt",
        "published_ci_low": "ondergrens van het 95%-interval van het gepubliceerde cijfer",
        "published_ci_high": "bovengrens van dat interval",
    },
}
