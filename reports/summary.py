"""The management summary: a few plain sentences written from the result tables.

    sentences = management_summary(areas, three_os, t, names, wave=..., previous=..., ...)

Every sentence states figures that stand elsewhere in the report, so a reader can trace it:
the bands, changes and gaps are in the overview table and on the area pages, the three o's
on the area pages, the medians in the leads. What is said, in order:

1. how many areas were measured and how many are in each band (and how many are indicative,
   suppressed or not measured);
2. which areas changed clearly since the previous wave (significant after FDR *and* beyond
   the methodology's meaningful change), or that none did; where a method break means that
   change cannot be judged; on the first wave, that change cannot be shown yet;
3. which way the gap between the sides (professionals minus informal actors) goes across
   the areas: in how many areas each side scores higher, and clearly so (the interval
   excludes zero); then where the two sides differ most (the largest clear gap), or that
   they nowhere differ clearly;
4. which of the three o's holds most areas back, counted over the areas with figures by the
   rule of the area pages (reports/levers.py ``holding_back``): in an area the lowest of the
   three, averaged over the two sides, holds it back, and so does any o less than the
   meaningful change above it; and in which areas collaboration in practice is lower still
   than all three o's (the area pages name it there as the lowest component);
5. for one municipality of a larger monitor: its median against that of all areas, and how
   many of its areas differ clearly from the rest of the municipality and from all areas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from samenspel.reports import notation
from samenspel.reports.i18n import Translator
from samenspel.reports.levers import holding_back

THREE_OS = ("UNF", "DIS", "IND")
PRACTICE = "COL"  # collaboration in practice: named where it is lower than the three o's
MAX_NAMED = 5  # areas named in one sentence; beyond that "and N more"
WITH_FIGURES = ("published", "indicative")


@dataclass(frozen=True)
class Monitor:
    """The larger monitor a municipality's report belongs to (for sentence 5)."""

    municipality: str
    median: float
    median_all: float
    areas_all: int
    differs_from_municipality: Sequence[str]  # labels of areas that differ clearly
    differs_from_all: Sequence[str]


def management_summary(
    areas: pd.DataFrame,
    three_os: pd.DataFrame,
    t: Translator,
    names: Mapping[str, str],
    *,
    wave: str,
    previous: str | None,
    meaningful: float,
    monitor: Monitor | None = None,
) -> list[str]:
    """The summary's sentences for the areas of one report, latest wave ``wave``.

    ``areas``: a row per area in the report with ``label``, ``status`` (published,
    indicative, suppressed; empty when not measured), ``band``, ``index_professional``,
    ``index_informal``, ``gap``, ``gap_ci_low``, ``gap_ci_high``, ``change`` and
    ``change_verdict``. ``three_os``: per area ``label`` and the mean over the two sides of
    the components UNF, DIS and IND, and of COL where known. ``names``: component code ->
    name. ``previous``: the wave before (None on the first). ``meaningful``: the
    methodology's meaningful change, also the distance within which o's are tied.
    """
    with_figures = areas[areas["status"].isin(WITH_FIGURES)]
    return [
        *_bands(areas, with_figures, t, wave),
        *_change(with_figures, areas, t, previous, meaningful),
        *_sides(with_figures, t),
        *_three_os(three_os[three_os["label"].isin(with_figures["label"])], t, names, meaningful),
        *_monitor(monitor, t),
    ]


def named(labels: Sequence[str], t) -> str:
    """'A, B and C', at most :data:`MAX_NAMED` names and then 'and N more'."""
    shown = list(labels[:MAX_NAMED])
    rest = len(labels) - len(shown)
    if rest:
        return ", ".join(shown) + " " + t("summary_and_more", n=rest)
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + " " + t("summary_and") + " " + shown[-1]


def _bands(areas, with_figures, t, wave) -> list[str]:
    bands = with_figures["band"]
    said = [
        t("summary_bands", wave=wave, n=len(with_figures),
          hyb=int(bands.eq("hybridisation").sum()), rap=int(bands.eq("rapprochement").sum()),
          coex=int(bands.eq("co-existence").sum()))
    ]  # fmt: skip
    status = areas["status"].fillna("")
    for key, which in (("indicative", "indicative"), ("suppressed", "suppressed"),
                       ("not_measured", "")):  # fmt: skip
        labels = areas.loc[status.eq(which), "label"].tolist()
        if labels:
            said.append(t(f"summary_{key}", names=named(labels, t), wave=wave))
    return said


def _change(with_figures, areas, t, previous, meaningful) -> list[str]:
    if previous is None:
        return [t("summary_first_wave")]
    verdict = with_figures["change_verdict"]
    said = []
    for kind in ("increase", "decrease"):
        moved = with_figures[verdict.eq(kind)].sort_values("change", key=abs, ascending=False)
        if len(moved):
            changes = [
                f"{r.label} ({notation.signed(r.change, t.language)})" for r in moved.itertuples()
            ]
            said.append(t(f"summary_{kind}", previous=previous, names=named(changes, t)))
    if not said and verdict.isin(["no clear change", "small change"]).any():
        said.append(t("summary_no_clear_change", previous=previous))
    if said:
        said.append(t("summary_clear_means", threshold=notation.plain(meaningful, t.language)))
    broken = areas.loc[areas["change_verdict"].eq("method break"), "label"].tolist()
    if broken:
        said.append(t("summary_method_break", names=named(broken, t)))
    return said


def _sides(with_figures, t) -> list[str]:
    gap = with_figures["gap"]
    higher, lower = with_figures["gap_ci_low"] > 0, with_figures["gap_ci_high"] < 0
    said = []
    if gap.notna().any():
        said.append(t("summary_sides_direction", higher=int((gap > 0).sum()),
                      lower=int((gap < 0).sum()), total=int(gap.notna().sum()),
                      clear_higher=int(higher.sum()), clear_lower=int(lower.sum())))  # fmt: skip
    clear = with_figures[higher | lower]
    if clear.empty:
        return [*said, t("summary_sides_none")]
    most = clear.loc[clear["gap"].abs().idxmax()]
    return [*said, t("summary_sides", area=most["label"],
                     prof=notation.number(most["index_professional"], t.language),
                     inf=notation.number(most["index_informal"], t.language))]  # fmt: skip


def _three_os(three_os: pd.DataFrame, t, names, close: float) -> list[str]:
    scores = three_os.set_index("label").reindex(columns=[*THREE_OS, PRACTICE])
    scores = scores[scores[list(THREE_OS)].notna().any(axis=1)]
    if scores.empty:
        return []
    back = {label: holding_back(row[list(THREE_OS)].to_dict(), close)
            for label, row in scores.iterrows()}  # fmt: skip
    counts = {o: sum(o in held for held in back.values()) for o in THREE_OS}
    most = max(counts.values())
    top = [o for o in THREE_OS if counts[o] == most]
    which = named([names[o].lower() for o in top], t)
    key = "summary_three_os" if len(top) == 1 else "summary_three_os_tied"
    said = [t(key, o=which, n=most, total=len(scores), close=notation.plain(close, t.language))]
    lower = scores[scores[PRACTICE] < scores[list(THREE_OS)].min(axis=1)].index.tolist()
    if lower and PRACTICE in names:
        said.append(t("summary_practice_lowest", component=names[PRACTICE].lower(),
                      names=named(lower, t), n=len(lower), total=len(scores)))  # fmt: skip
    return said


def _monitor(monitor: Monitor | None, t) -> list[str]:
    if monitor is None:
        return []
    said = [
        t("summary_medians", name=monitor.municipality,
          median=notation.number(monitor.median, t.language),
          all=notation.number(monitor.median_all, t.language), n=monitor.areas_all)
    ]  # fmt: skip
    for key, labels in (("municipality", monitor.differs_from_municipality),
                        ("all", monitor.differs_from_all)):  # fmt: skip
        if labels:
            said.append(t(f"summary_differs_{key}", names=named(list(labels), t),
                          name=monitor.municipality))  # fmt: skip
        else:
            said.append(t(f"summary_differs_{key}_none", name=monitor.municipality))
    return said
