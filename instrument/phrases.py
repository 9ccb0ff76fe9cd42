"""Fixed wording of the fieldwork materials that is not in the questionnaire YAML.

Forms need a few texts of their own (respondent number, page, 'GO TO END', the hint that
says how 'don't know' is entered as a number). They live here, once, in every language the
forms support; :func:`phrase` fails with a clear message when a language lacks one, so a new
instrument language cannot produce a form with a silent blank.
"""

from __future__ import annotations

from samenspel.common.problems import Level, Problem, ProblemsFound

# Display names of languages in XLSForm columns: `label::Nederlands (nl)`.
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}

PHRASES: dict[str, dict[str, str]] = {
    "respondent": {"nl": "Respondentnummer", "en": "Respondent number"},
    "respondent_hint": {
        "nl": "Het nummer van de respondent op de lijst of het papieren formulier.",
        "en": "The respondent's number from the list or the paper form.",
    },
    "no_respondent": {"nl": "geen respondentnummer", "en": "no respondent number"},
    "area_code": {"nl": "Code van het gebied", "en": "Area code"},
    # The last choice of the unit question (answer code UNIT_NOT_LISTED).
    "unit_not_listed": {
        "nl": "Staat er niet bij / op eigen titel",
        "en": "Not in the list / on my own",
    },
    "unit_code": {"nl": "Code van het team of de organisatie", "en": "Team or organisation code"},
    "version": {"nl": "versie", "en": "version"},
    "page": {"nl": "pagina", "en": "page"},
    "go_to": {"nl": "GA NAAR", "en": "GO TO"},
    "end": {"nl": "EINDE", "en": "END"},
    "continue": {"nl": "ga door", "en": "continue"},
    "form_for": {"nl": "de vragenlijst voor", "en": "the questionnaire for"},
    "no_consent_end": {
        "nl": "Bedank de persoon. Het interview stopt hier.",
        "en": "Thank the person. The interview ends here.",
    },
    "end_title": {"nl": "Einde van de vragenlijst", "en": "End of the questionnaire"},
    "thanks": {"nl": "Hartelijk dank voor uw medewerking.", "en": "Thank you very much."},
    "number_hint": {
        "nl": "Vul {low} tot {high} in. Weet niet: {code}.",
        "en": "Enter {low} to {high}. Don't know: {code}.",
    },
    "number_error": {
        "nl": "Vul een getal van {low} tot {high} in, of {code} voor weet niet.",
        "en": "Enter a number from {low} to {high}, or {code} for don't know.",
    },
    "interviewer": {"nl": "Interviewer", "en": "Interviewer"},
    "interviewer_version": {"nl": "interviewerversie", "en": "interviewer version"},
    "self_version": {"nl": "zelf invullen", "en": "self-completion"},
    "self_intro": {
        "nl": "Zet een kruisje in het vakje van uw antwoord. Getallen schrijft u in de vakjes.",
        "en": "Put a cross in the box of your answer. Write numbers in the boxes.",
    },
    "interviewer_intro": {
        "nl": "Lees de vragen en antwoorden voor. Tekst in een grijs kader is voor u, "
        "niet voorlezen. Omcirkel of kruis de code aan.",
        "en": "Read the questions and answers aloud. Text in a grey box is for you; "
        "do not read it out. Circle or tick the code.",
    },
    "show_card": {"nl": "TOON KAART", "en": "SHOW CARD"},
    "card": {"nl": "Kaart", "en": "Card"},
    "show_cards": {"nl": "Toonkaarten", "en": "Show cards"},
    "number": {"nl": "getal", "en": "number"},
    "question": {"nl": "Vraag", "en": "Question"},
    "code": {"nl": "code", "en": "code"},
    "codebook": {"nl": "Codeboek", "en": "Codebook"},
}


def phrase(key: str, language: str, **values: object) -> str:
    """A fixed text in ``language``, with ``{name}`` fields filled from ``values``."""
    texts = PHRASES[key]
    if language not in texts:
        raise ProblemsFound(
            [
                Problem(
                    Level.ERROR,
                    "missing-translation",
                    f"samenspel/instrument/phrases.py: PHRASES[{key!r}]",
                    f"the fieldwork forms have no {language!r} text for {key!r}",
                    f"add `{language!r}: ...` to PHRASES[{key!r}] (and the other form texts)",
                )
            ]
        )
    return texts[language].format(**values) if values else texts[language]


def language_name(language: str) -> str:
    """`Nederlands (nl)`: how a language is named in XLSForm column headers."""
    return f"{LANGUAGE_NAMES.get(language, language)} ({language})"
