"""Stand-ins for the real KoboToolbox and ODK Central servers, for the tests of
`samenspel pull`: an http.server on 127.0.0.1 in a thread, answering as the documented APIs do.

* KoboToolbox API v2, the data endpoint (support.kobotoolbox.org "Using the API data
  endpoint"): ``GET /api/v2/assets/{uid}/data/?format=json&limit=&start=`` with
  ``Authorization: Token ...``; answers ``{"count", "next", "previous", "results"}`` with
  ``next`` an absolute URL; ``fields=[...]`` (JSON list) and ``query={...}`` (Mongo JSON: here
  ``{"_id": {"$in": [...]}}``). Records have group paths as keys (``tru/tru1``), text values,
  an unanswered question left out, and the system fields ``_id``, ``_uuid``,
  ``meta/instanceID``, ``_submission_time``, ``_attachments``, ``_geolocation``, ``_tags``,
  ``_notes``, ``_validation_status``, ``_submitted_by``, ``__version__``, ``formhub/uuid``.
  An edit keeps ``_id`` and ``_submission_time`` and gives a new ``meta/instanceID`` and
  ``_uuid`` (``meta/deprecatedID`` the old one).
* ODK Central's REST API (docs.getodk.org/central-api): ``POST /v1/sessions`` (e-mail and
  password -> ``{"token"}``), ``DELETE /v1/sessions/{token}``, and the OData submissions
  feed ``GET /v1/projects/{id}/forms/{xmlFormId}.svc/Submissions`` with ``$top``, ``$skip``,
  ``$count=true`` and ``$filter`` on ``__system/submissionDate`` / ``__system/updatedAt``,
  ``Authorization: Bearer ...``; answers ``{"@odata.context", "@odata.count", "value"}``.
  Records nest groups as objects (``{"tru": {"tru1": 4}}``), carry ``__id`` (the first
  instance id, kept through edits), ``meta.instanceID`` and ``__system`` (submissionDate,
  updatedAt, submitterId, submitterName, attachmentsPresent, attachmentsExpected, status,
  reviewState, deviceId, edits, formVersion).

Faults on request: a 429 with Retry-After before answering, a dropped connection from a given
page on, an answer slower than the client waits.
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KOBO_TOKEN = "kobo-secret-token-7f3a"
ODK_TOKEN = "odk-api-token-91bc"
ODK_EMAIL, ODK_PASSWORD = "coordinator@example.nl", "odk-password-55d1"
ODK_SESSION = "odk-session-token-2e8d"
ASSET = "aX7pQ2kobo"
ODK_PROJECT, ODK_FORM = 3, "samenspel"


@dataclass
class Faults:
    too_many: int = 0  # answer 429 this many times first
    retry_after: str = "0"
    drop_from_page: int | None = None  # cut the connection from this page (0-based) on
    slow: float = 0.0  # seconds before answering
    no_next: bool = False  # Kobo pages without `next` links (count and start only)


@dataclass
class State:
    kobo: list[dict] = field(default_factory=list)
    odk: list[dict] = field(default_factory=list)
    faults: Faults = field(default_factory=Faults)
    requests: list[str] = field(default_factory=list)
    headers_seen: list[dict] = field(default_factory=list)


def kobo_records(export: bytes) -> list[dict]:
    """The Kobo JSON records behind a Kobo CSV export (`;`, group paths in the headers)."""
    rows = csv.DictReader(io.StringIO(export.decode("utf-8")), delimiter=";")
    records, ids = [], set()
    for row in rows:
        record = {k: v for k, v in row.items() if v != "" and k not in ("_index", "_id")}
        # A server numbers every submission anew, also one sent twice (same _uuid)
        number = int(row["_id"])
        while number in ids:
            number += 1_000_000
        ids.add(number)
        record = {
            "_id": number,
            "formhub/uuid": "f0a1b2c3",
            **record,
            "meta/instanceID": f"uuid:{row['_uuid']}",
            "_xform_id_string": ASSET,
            "_attachments": [
                {
                    "download_url": f"https://kobo.example/{row['_uuid']}.jpg",
                    "mimetype": "image/jpeg",
                }
            ],
            "_geolocation": [None, None],
            "_tags": [],
            "_notes": [],
            "_validation_status": {},
            "_submitted_by": "enumerator-anna",
        }
        records.append(record)
    return records


def kobo_edit(record: dict, item_path: str, value: str, new_uuid: str) -> dict:
    """A Kobo submission edited in the web form: new instance, same _id and time."""
    edited = dict(record)
    edited[item_path] = value
    edited["meta/deprecatedID"] = record["meta/instanceID"]
    edited["meta/instanceID"] = f"uuid:{new_uuid}"
    edited["_uuid"] = new_uuid
    return edited


def odk_records(export: bytes) -> list[dict]:
    """The OData records behind an ODK Central CSV export (`,`, `-` group separator)."""
    rows = csv.DictReader(io.StringIO(export.decode("utf-8")))
    system_names = {
        "SubmitterID": "submitterId", "SubmitterName": "submitterName",
        "AttachmentsPresent": "attachmentsPresent", "AttachmentsExpected": "attachmentsExpected",
        "Status": "status", "ReviewState": "reviewState", "DeviceID": "deviceId",
        "Edits": "edits", "FormVersion": "formVersion",
    }  # fmt: skip
    records, ids = [], set()
    for row in rows:
        # a submission sent twice is two submissions to the server (the stand-in keeps both)
        key = row["KEY"]
        while key in ids:
            key += "-again"
        ids.add(key)
        record: dict = {"__id": key}
        system = {"submissionDate": row["SubmissionDate"], "updatedAt": None}
        for name, text in row.items():
            value = None if text == "" else (int(text) if re.fullmatch(r"-?\d+", text) else text)
            if name in system_names:
                system[system_names[name]] = value
                if name == "FormVersion":
                    system[system_names[name]] = text  # a version stays text
            elif name in ("KEY", "SubmissionDate"):
                continue
            elif name == "meta-instanceID":
                record["meta"] = {"instanceID": text}
            elif "-" in name:
                group, item = name.split("-", 1)
                record.setdefault(group, {})[item] = value
            else:
                record[name] = text if name in ("respondent", "start", "end") else value
        record["__system"] = system
        records.append(record)
    return records


def odk_edit(record: dict, group: str, item: str, value, new_uuid: str, when: str) -> dict:
    """An ODK submission edited: new instanceID, same __id, updatedAt set, edits + 1."""
    edited = json.loads(json.dumps(record))
    edited[group][item] = value
    edited["meta"]["instanceID"] = f"uuid:{new_uuid}"
    edited["__system"]["updatedAt"] = when
    edited["__system"]["edits"] = int(edited["__system"].get("edits") or 0) + 1
    return edited


class Handler(BaseHTTPRequestHandler):
    state: State
    page_counter = 0

    def log_message(self, *args):  # keep the test output quiet
        pass

    def _answer(self, status: int, body, headers: dict | None = None) -> None:
        data = json.dumps(body).encode()
        faults = self.state.faults
        if status == 200 and faults.drop_from_page is not None:
            if Handler.page_counter >= faults.drop_from_page:
                # half an answer, then the connection is gone
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            Handler.page_counter += 1
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _common(self) -> bool:
        self.state.requests.append(f"{self.command} {self.path}")
        self.state.headers_seen.append(dict(self.headers))
        faults = self.state.faults
        if faults.slow:
            time.sleep(faults.slow)
        if faults.too_many > 0:
            faults.too_many -= 1
            self._answer(429, {"detail": "Request was throttled."},
                         {"Retry-After": faults.retry_after})  # fmt: skip
            return False
        return True

    def do_POST(self):
        if not self._common():
            return
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        if self.path == "/v1/sessions":
            if body == {"email": ODK_EMAIL, "password": ODK_PASSWORD}:
                self._answer(200, {"token": ODK_SESSION, "expiresAt": "2099-01-01T00:00:00Z"})
            else:
                self._answer(401, {"code": 401.2, "message": "Could not authenticate"})
            return
        self._answer(404, {"message": "not found"})

    def do_DELETE(self):
        self.state.requests.append(f"DELETE {self.path}")
        self._answer(200, {"success": True})

    def do_GET(self):
        if not self._common():
            return
        url = urllib.parse.urlsplit(self.path)
        params = dict(urllib.parse.parse_qsl(url.query))
        if url.path == f"/api/v2/assets/{ASSET}/data/":
            return self._kobo(params)
        if url.path == f"/v1/projects/{ODK_PROJECT}/forms/{ODK_FORM}.svc/Submissions":
            return self._odk(params)
        self._answer(404, {"detail": "Not found."})

    def _kobo(self, params):
        if self.headers.get("Authorization") != f"Token {KOBO_TOKEN}":
            return self._answer(401, {"detail": "Invalid token."})
        records = self.state.kobo
        if "query" in params:
            wanted = set(json.loads(params["query"])["_id"]["$in"])
            records = [r for r in records if r["_id"] in wanted]
        if "fields" in params:
            keep = json.loads(params["fields"])
            records = [{k: r[k] for k in keep if k in r} for r in records]
        start, limit = int(params.get("start", 0)), int(params.get("limit", 30000))
        page = records[start : start + limit]
        following = None
        if start + limit < len(records) and not self.state.faults.no_next:
            query = urllib.parse.urlencode({**params, "start": str(start + limit)})
            host = self.headers.get("Host")
            following = f"http://{host}/api/v2/assets/{ASSET}/data/?{query}"
        self._answer(
            200, {"count": len(records), "next": following, "previous": None, "results": page}
        )

    def _odk(self, params):
        if self.headers.get("Authorization") not in (
            f"Bearer {ODK_TOKEN}",
            f"Bearer {ODK_SESSION}",
        ):
            return self._answer(401, {"code": 401.2, "message": "Could not authenticate"})
        records = self.state.odk
        condition = params.get("$filter")
        if condition:
            found = re.fullmatch(
                r"__system/submissionDate ge (\S+) or __system/updatedAt ge (\S+)", condition
            )
            assert found, condition
            since = found.group(1)
            records = [
                r for r in records
                if r["__system"]["submissionDate"] >= since
                or (r["__system"]["updatedAt"] or "") >= since
            ]  # fmt: skip
        skip, top = int(params.get("$skip", 0)), int(params.get("$top", 10**9))
        body = {
            "@odata.context": f"http://localhost/v1/projects/{ODK_PROJECT}/forms/"
            f"{ODK_FORM}.svc/$metadata#Submissions",
            "value": records[skip : skip + top],
        }
        if params.get("$count") == "true":
            body["@odata.count"] = len(records)
        self._answer(200, body)


class StandIn:
    """Both stand-in servers on one local port; ``url`` is their address."""

    def __init__(self) -> None:
        self.state = State()
        handler = type("BoundHandler", (Handler,), {"state": self.state})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> StandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def faults(self, **settings) -> None:
        self.state.faults = Faults(**settings)
        Handler.page_counter = 0
