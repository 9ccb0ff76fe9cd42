"""Submissions straight from the server: KoboToolbox (API v2) and ODK Central (OData).

    client = HttpClient(headers={"Authorization": "Token ..."})
    records = fetch_kobo(client, server, asset, known)          # JSON records
    table = kobo_table(records)                                 # as the CSV export has them
    merged = merge_pulled(previous, table, KOBO.key)            # the wave's cumulative table
    content = table_bytes(merged, KOBO)                         # -> a file for ingest_file

A pull turns the server's JSON into the table the tool's own CSV export gives (group paths
flattened to item codes, system fields under the export's names, attachments, geolocation,
tags, notes and who submitted left out) and hands it to
:func:`~samenspel.pipeline.ingest.exports.ingest_file` as a CSV file. So every guarantee of
ingest holds for pulled data: the file is kept byte for byte under its SHA-256, every row is
accepted or rejected with a reason, one transaction, and the same file twice changes nothing.

**Later pulls.** The store holds one active pulled file per server form and wave: the whole
wave as pulled so far. The next pull fetches only what is new or edited since, merges it into
that file's rows (an edited submission replaces its earlier version, by the submission's
stable id) and ingests the merged file with ``replaces=`` the previous one, in one
transaction. What is new or edited:

* KoboToolbox keeps ``_id`` through edits and gives an edited submission a new
  ``meta/instanceID`` (and ``_uuid``). A pull first lists ``_id``, ``_uuid`` and
  ``meta/instanceID`` of every submission (``fields=``, small), then fetches the full
  records of the ids that are new or whose instance id changed (``query={"_id": {"$in":
  [...]}}``). Kobo's ``_submission_time`` stays the first submission's time on an edit, so a
  filter on it alone would miss edits.
* ODK Central keeps ``__id`` through edits and sets ``__system/updatedAt``; a pull asks for
  ``$filter=__system/submissionDate ge T or __system/updatedAt ge T`` with ``T`` the latest
  of both in the previous file (``ge``, not ``gt``: a submission in the same millisecond is
  fetched again and merges as unchanged).

Submissions deleted on the server stay in the store (retract the file and pull into a new
store, or ingest a corrected export with ``--replaces``, to drop them).

Nothing of the credentials reaches a file, the store or a message: the token travels only in
the ``Authorization`` header, to the server given and never to another host a ``next`` link
names. Everything is fetched before anything is written, so a pull that fails half-way
(connection lost, rate limit, timeout, server down) leaves the store as it was.
"""

from __future__ import annotations

import contextlib
import csv
import http.client
import io
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from samenspel.common.problems import InputError
from samenspel.pipeline.ingest.store import kept_path, raw_folder

KOBO_TOKEN_ENV, ODK_TOKEN_ENV, ODK_PASSWORD_ENV = "KOBO_TOKEN", "ODK_TOKEN", "ODK_PASSWORD"
PAGE_SIZE = 1000
MAX_RETRIES = 4  # answers 429 (too many requests) before giving up
MAX_WAIT = 120.0  # seconds; a longer Retry-After is not waited for
ID_CHUNK = 200  # ids per Kobo `$in` query: keeps URLs short


@dataclass(frozen=True)
class Source:
    """How one tool's CSV export looks: separator, group separator, the stable submission
    id (kept through edits) and the column that holds the current version's id."""

    tool: str
    delimiter: str
    group_separator: str
    key: str  # stable through edits
    instance: str  # changes with every edit


KOBO = Source("kobo", ";", "/", "_id", "_uuid")
ODK = Source("odk", ",", "-", "KEY", "meta-instanceID")

# Kobo's JSON fields that its CSV export leaves out or that we never keep: lists and objects
# (attachments, geolocation, tags, notes, validation status), who submitted, internal ids.
KOBO_DROPPED = {
    "_attachments", "_geolocation", "_tags", "_notes", "_validation_status", "_submitted_by",
    "formhub/uuid", "_xform_id_string", "meta/deprecatedID", "meta/rootUuid",
}  # fmt: skip
# ODK Central's __system fields as its CSV export names them; who submitted is left out.
ODK_SYSTEM = {
    "submissionDate": "SubmissionDate",
    "attachmentsPresent": "AttachmentsPresent",
    "attachmentsExpected": "AttachmentsExpected",
    "status": "Status",
    "reviewState": "ReviewState",
    "deviceId": "DeviceID",
    "edits": "Edits",
    "formVersion": "FormVersion",
    # not in the CSV export: when the submission was last edited (for the next pull)
    "updatedAt": "_updatedAt",
}


class HttpClient:
    """GET JSON over HTTPS with a timeout, retrying on 429 (Retry-After).

    ``headers`` carry the credentials; they are sent only to ``origin`` and never appear in a
    message. ``sleep`` is injectable for tests.
    """

    def __init__(
        self,
        origin: str,
        headers: dict[str, str] | None = None,
        timeout: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.origin = _origin(origin)
        self.headers = dict(headers or {})
        self.timeout = timeout
        self.sleep = sleep
        self.requests = 0

    def request(self, url: str, data: dict | None = None, method: str | None = None) -> dict:
        if _origin(url) != self.origin:
            raise InputError(
                f"The server pointed to another address ({_origin(url)}) than {self.origin}; "
                "samenspel sends your credentials to the server you gave only. Nothing was "
                "ingested."
            )
        body = None if data is None else json.dumps(data).encode()
        headers = {"Accept": "application/json", **self.headers}
        if body is not None:
            headers["Content-Type"] = "application/json"
        shown = _shown(url)
        for attempt in range(MAX_RETRIES + 1):
            self.requests += 1
            request = urllib.request.Request(url, data=body, headers=headers, method=method)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    content = response.read()
                    status = response.status
            except urllib.error.HTTPError as exc:
                if exc.code == 429 and attempt < MAX_RETRIES:
                    wait = _retry_after(exc.headers.get("Retry-After"))
                    if wait <= MAX_WAIT:
                        self.sleep(wait)
                        continue
                raise InputError(_http_message(exc.code, shown, self.origin)) from None
            except TimeoutError:
                raise InputError(self._timeout(shown)) from None
            except (ConnectionError, http.client.HTTPException) as exc:
                # the server closed the connection mid-answer (or a proxy cut it)
                raise InputError(
                    f"The connection to {self.origin} was lost while fetching {shown} "
                    f"({type(exc).__name__}). Nothing was ingested and the store is as it was; "
                    "pull again."
                ) from None
            except (urllib.error.URLError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                if isinstance(reason, TimeoutError):
                    raise InputError(self._timeout(shown)) from None
                raise InputError(
                    f"Cannot reach {self.origin} ({reason}): is the address right and the "
                    "server up? Nothing was ingested and the store is as it was."
                ) from None
            if status == 204 or not content:
                return {}
            try:
                return json.loads(content)
            except ValueError:
                raise InputError(
                    f"{shown} did not answer with JSON (is {self.origin} the right server "
                    "address?). Nothing was ingested."
                ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _timeout(self, shown: str) -> str:
        return (
            f"{shown} did not answer within {self.timeout:g} s. Nothing was ingested and the "
            "store is as it was; try again later or with a longer --timeout."
        )


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _shown(url: str) -> str:
    """A URL for a message: without its query (never a secret there, but long)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _retry_after(value: str | None) -> float:
    try:
        return max(float(value), 0.0) if value is not None else 5.0
    except ValueError:
        return 5.0  # an HTTP date: wait a moment and try again


def _http_message(code: int, shown: str, origin: str) -> str:
    nothing = "Nothing was ingested and the store is as it was."
    if code in (401, 403):
        return (
            f"{origin} refused the credentials (HTTP {code}) for {shown}: check the token "
            f"(--token-file or the environment variable) and its rights on the form. {nothing}"
        )
    if code == 404:
        return (
            f"{shown} does not exist on {origin} (HTTP 404): check the server address and the "
            f"form (asset uid, project number, form id). {nothing}"
        )
    if code == 429:
        return f"{origin} keeps asking to slow down (HTTP 429); try again later. {nothing}"
    return f"{origin} answered HTTP {code} for {shown}. {nothing}"


def secret(file: str | None, variable: str, what: str) -> str | None:
    """A token or password from a file or the environment; never from the command line,
    where other users of the machine and the shell's history would see it."""
    if file:
        try:
            value = Path(file).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"Cannot read the {what} file {file}: {exc}.") from None
        if not value:
            raise InputError(f"The {what} file {file} is empty.")
        return value
    return os.environ.get(variable, "").strip() or None


# --- KoboToolbox ---------------------------------------------------------------------------


def _kobo_pages(client: HttpClient, url: str, params: dict[str, str]) -> Iterable[dict]:
    """Every record of a paged Kobo data listing: follows ``next``, else ``start``."""
    start = 0
    query = {**params, "format": "json", "limit": str(PAGE_SIZE)}
    page_url = f"{url}?{urllib.parse.urlencode({**query, 'start': '0'})}"
    while page_url:
        page = client.request(page_url)
        results = page.get("results", [])
        yield from results
        if page.get("next"):
            page_url = page["next"]
        else:
            start += len(results)
            more = results and start < int(page.get("count", 0))
            page_url = (
                f"{url}?{urllib.parse.urlencode({**query, 'start': str(start)})}" if more else ""
            )


def fetch_kobo(
    client: HttpClient, server: str, asset: str, known: dict[str, str] | None = None
) -> tuple[list[dict], int]:
    """The Kobo submissions of ``asset`` that are new or edited since ``known`` (``_id`` ->
    instance id of the previous pull; all when None). Returns the records and how many
    submissions the server holds."""
    url = f"{server.rstrip('/')}/api/v2/assets/{urllib.parse.quote(asset)}/data/"
    if not known:
        records = list(_kobo_pages(client, url, {}))
        return records, len(records)
    fields = json.dumps(["_id", "_uuid", "meta/instanceID"])
    listing = list(_kobo_pages(client, url, {"fields": fields}))
    # new ids, and ids whose instance changed (an edit)
    wanted = [
        record["_id"]
        for record in listing
        if known.get(str(record.get("_id"))) != _kobo_instance(record)
    ]
    records = []
    for first in range(0, len(wanted), ID_CHUNK):
        chunk = wanted[first : first + ID_CHUNK]
        query = json.dumps({"_id": {"$in": chunk}})
        records += list(_kobo_pages(client, url, {"query": query}))
    return records, len(listing)


def _kobo_instance(record: dict) -> str:
    uuid = record.get("_uuid") or str(record.get("meta/instanceID", "")).removeprefix("uuid:")
    return str(uuid)


def kobo_table(records: list[dict]) -> tuple[list[str], list[dict[str, str]]]:
    """Kobo JSON records as the rows of its CSV export: columns in order of appearance,
    group paths kept as ``group/item`` (ingest strips them), values as text."""
    columns: dict[str, None] = {}
    rows = []
    for record in records:
        row = {}
        for name, value in record.items():
            if name in KOBO_DROPPED or isinstance(value, (list, dict)):
                continue
            row[name] = _text(value)
        if "_uuid" not in row and "meta/instanceID" in row:
            row["_uuid"] = row["meta/instanceID"].removeprefix("uuid:")
        row.pop("meta/instanceID", None)
        for name in row:
            columns.setdefault(name, None)
        rows.append(row)
    return list(columns), rows


# --- ODK Central ---------------------------------------------------------------------------


def odk_session(client: HttpClient, server: str, email: str, password: str) -> str:
    """A session token for ``email`` (POST /v1/sessions); the caller logs it out."""
    answer = client.request(
        f"{server.rstrip('/')}/v1/sessions", {"email": email, "password": password}, "POST"
    )
    token = answer.get("token")
    if not token:
        raise InputError(f"{client.origin} gave no session token; check the e-mail and password.")
    return str(token)


def odk_logout(client: HttpClient, server: str, token: str) -> None:
    url = f"{server.rstrip('/')}/v1/sessions/{urllib.parse.quote(token, safe='')}"
    # the session expires by itself; nothing of ours depends on the logout
    with contextlib.suppress(InputError):
        client.request(url, method="DELETE")


def fetch_odk(
    client: HttpClient, server: str, project: int, form: str, since: str | None = None
) -> tuple[list[dict], int]:
    """The OData submissions of ``form`` submitted or edited at or after ``since`` (all when
    None), page by page with ``$top``/``$skip``. Returns the records and the count the server
    gave for the request."""
    url = (
        f"{server.rstrip('/')}/v1/projects/{int(project)}/forms/"
        f"{urllib.parse.quote(form, safe='')}.svc/Submissions"
    )
    params = {"$top": str(PAGE_SIZE), "$count": "true"}
    if since:
        params["$filter"] = f"__system/submissionDate ge {since} or __system/updatedAt ge {since}"
    records: list[dict] = []
    count = None
    while True:
        query = urllib.parse.urlencode({**params, "$skip": str(len(records))})
        page = client.request(f"{url}?{query}")
        values = page.get("value", [])
        records += values
        if count is None:
            count = int(page.get("@odata.count", len(values)))
        if not values or len(records) >= count:
            break
    return records, count or 0


def _flatten(prefix: str, value: dict, separator: str, out: dict[str, str]) -> None:
    for name, inner in value.items():
        if name.startswith("@odata") or name.endswith("@odata.navigationLink"):
            continue  # repeat groups are links to other tables: not read
        path = f"{prefix}{separator}{name}" if prefix else name
        if isinstance(inner, dict):
            _flatten(path, inner, separator, out)
        elif not isinstance(inner, list):
            out[path] = _text(inner)


def odk_table(records: list[dict]) -> tuple[list[str], list[dict[str, str]]]:
    """ODK OData records as the rows of ODK Central's CSV export: nested groups joined with
    ``-`` (``grp-item``), ``meta-instanceID``, ``KEY`` (the stable ``__id``), the
    ``__system`` fields under the export's names; who submitted is left out."""
    columns: dict[str, None] = {}
    rows = []
    for record in records:
        row: dict[str, str] = {}
        system = record.get("__system", {}) or {}
        row["SubmissionDate"] = _text(system.get("submissionDate"))
        body = {k: v for k, v in record.items() if k not in ("__id", "__system")}
        _flatten("", body, "-", row)
        row["KEY"] = _text(record.get("__id"))
        for name, column in ODK_SYSTEM.items():
            if name != "submissionDate":
                row[column] = _text(system.get(name))
        for name in row:
            columns.setdefault(name, None)
        rows.append(row)
    return list(columns), rows


def odk_since(rows: list[dict[str, str]]) -> str | None:
    """The latest submission or edit time of ``rows`` (ISO 8601, as the server wrote it)."""
    times = [t for row in rows for t in (row.get("SubmissionDate"), row.get("_updatedAt")) if t]
    return max(times) if times else None


# --- the pulled file -----------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass
class Merged:
    columns: list[str]
    rows: list[dict[str, str]]
    added: int
    edited: int
    unchanged: int


def merge_pulled(
    previous: tuple[list[str], list[dict[str, str]]] | None,
    fetched: tuple[list[str], list[dict[str, str]]],
    source: Source,
) -> Merged:
    """The wave's rows after a pull: the previous rows in their order, each replaced by its
    fetched version when one came (by ``source.key``), then the new ones in the server's
    order. Counts what was added, edited (content changed) and fetched again unchanged."""
    old_columns, old_rows = previous if previous else ([], [])
    new_columns, new_rows = fetched
    columns = list(dict.fromkeys([*old_columns, *new_columns]))
    position = {row.get(source.key): i for i, row in enumerate(old_rows)}
    rows = list(old_rows)
    added = edited = unchanged = 0
    for row in new_rows:
        key = row.get(source.key)
        if key in position:
            before = rows[position[key]]
            if {c: before.get(c, "") for c in columns} == {c: row.get(c, "") for c in columns}:
                unchanged += 1
            else:
                edited += 1
                rows[position[key]] = row
        else:
            position[key] = len(rows)
            rows.append(row)
            added += 1
    return Merged(columns, rows, added, edited, unchanged)


def table_bytes(columns: list[str], rows: list[dict[str, str]], source: Source) -> bytes:
    """The rows as the tool's CSV export: its separator, every field quoted, UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, delimiter=source.delimiter, quoting=csv.QUOTE_ALL, lineterminator="\r\n"
    )
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return buffer.getvalue().encode("utf-8")


def read_pulled(content: bytes, source: Source) -> tuple[list[str], list[dict[str, str]]]:
    """A pulled file's columns and rows (the inverse of :func:`table_bytes`)."""
    reader = csv.reader(io.StringIO(content.decode("utf-8")), delimiter=source.delimiter)
    header = next(reader, [])
    return header, [dict(zip(header, values, strict=False)) for values in reader]


def pull_name(source: Source, form: str, wave: str) -> str:
    """The name pulled files of one form and wave share (before the time of the pull)."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in form)
    return f"pull-{source.tool}-{safe}-wave-{wave}-"


def previous_pull(
    con: duckdb.DuckDBPyConnection, prefix: str, wave: str
) -> tuple[str, str, bytes] | None:
    """The active pulled file of this form and wave (name, SHA-256 and kept bytes), if any."""
    found = con.execute(
        "SELECT name, sha256 FROM files WHERE wave = ? AND status = 'active' "
        "AND starts_with(name, ?) ORDER BY file_id DESC",
        [wave, prefix],
    ).fetchall()
    if not found:
        return None
    name, sha256 = found[0]
    path = kept_path(raw_folder(con), sha256)
    try:
        return name, sha256, path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"The kept copy of the last pull {name} ({path}) cannot be read ({exc}): restore "
            "the store's .raw folder from a backup before pulling again."
        ) from None
