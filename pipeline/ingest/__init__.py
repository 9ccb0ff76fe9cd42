"""Survey exports into the store: every row accepted or rejected with a reason.

- :mod:`.readers` — CSV, XLSX, SPSS ``.sav`` and ODK Central ZIP exports, read by DuckDB;
- :mod:`.exports` — columns matched to the instrument, rows checked, pseudonymised, stored;
- :mod:`.pseudonym` — the key that turns respondent codes into keyed hashes;
- :mod:`.store` — the DuckDB file, its schema and migrations, the kept raw files;
- :mod:`.quality` — data-quality flags per response (signals, never deletions).
"""

from samenspel.pipeline.ingest.exports import (
    REJECT_REASONS,
    IngestReport,
    ingest_file,
    load_rejects,
    load_responses,
)
from samenspel.pipeline.ingest.quality import quality_summary, rejects_summary
from samenspel.pipeline.ingest.store import migrate, open_store, store_status

__all__ = [
    "REJECT_REASONS",
    "IngestReport",
    "ingest_file",
    "load_rejects",
    "load_responses",
    "migrate",
    "open_store",
    "quality_summary",
    "rejects_summary",
    "store_status",
]
