"""Data in, numbers out, in the order the data flows.

- :mod:`.ingest` — survey exports into the DuckDB store: readers, pseudonyms, rejects,
  data-quality flags;
- :mod:`.score` — clean answers and scale scores per respondent;
- :mod:`.psychometrics` — reliability, EFA, CFA and measurement invariance of the instrument;
- :mod:`.index` — the hybridisation index with its uncertainty, change, comparisons,
  sensitivity and the sample-size planner;
- :mod:`.methodology` — the settings of the psychometrics and the index (``methodology.yaml``);
- :mod:`.simulation` — beside the flow: simulated fieldwork with a known truth, for the demo
  and the tests.

A stage imports only from earlier stages and from the settings, never from a later one.
"""
