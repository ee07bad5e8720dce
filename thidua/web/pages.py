"""The upload page, an upload's progress and result (issues cell by cell, or the PDF), and the downloads."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, abort, g, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue

from thidua.base.hashing import sha256_of
from thidua.base.ledger import FileRecord
from thidua.base.model import OUTCOME_OK
from thidua.web import uploads
from thidua.web.access import Viewer
from thidua.web.context import store, web
from thidua.web.store import pdf_of

log = logging.getLogger(__name__)
bp = Blueprint("pages", __name__)

LONG_POLL_SECONDS = 8.0  # a progress request waits this long for the result before answering "not yet"
REFRESH_SECONDS = 1  # the progress page reloads itself this often (meta refresh, no script needed)

OUTPUT_KINDS = (  # (name ending, kind, Vietnamese label), most specific first
    (".loi.xlsx", "error-copy", "bản sao tô đỏ ô lỗi (.loi.xlsx)"),
    (".loi.txt", "note", "ghi chú lỗi (.loi.txt)"),
    (".ket-qua.xlsx", "results", "bảng kết quả (.ket-qua.xlsx)"),
    (".pdf", "pdf", "báo cáo PDF"),
    (".json", "json", "kết quả dạng JSON"),
)


@dataclass(frozen=True)
class Output:
    """One file the ledger records for a processing, as a download link."""

    index: int
    name: str
    kind: str
    label: str


def outputs_of(record: FileRecord) -> list[Output]:
    found = []
    for i, path in enumerate(record.outputs):
        name = Path(path).name
        kind, label = next(((k, lbl) for end, k, lbl in OUTPUT_KINDS if name.lower().endswith(end)), ("other", name))
        found.append(Output(i, name, kind, label))
    return found


def viewer() -> Viewer:
    assert isinstance(g.viewer, Viewer)
    return g.viewer


def visible_file(file_id: int) -> FileRecord:
    """The ledger's record of a processing, if this viewer may see it (404 unknown, 403 someone else's)."""
    record = store().file(file_id)
    if record is None or record.outcome in ("claimed", "abandoned"):
        abort(404)
    if not store().may_see(viewer(), record):
        abort(403)
    return record


@bp.route("/")
def index() -> ResponseReturnValue:
    return render_template("upload.html.j2", recent=store().recent(viewer()), error="")


@bp.route("/tai-len", methods=["POST"])
def upload() -> ResponseReturnValue:
    ctx = web()
    sent = request.files.get("workbook")
    if sent is None or not sent.filename:
        return render_template("upload.html.j2", recent=store().recent(viewer()),
                               error="Hãy chọn một tệp Excel (.xlsx) để gửi."), 400
    if not ctx.service.running:
        abort(503)
    who = viewer()
    name = uploads.safe_name(sent.filename)
    staged = uploads.stage(sent.stream, name, ctx.config.input_dir)
    try:
        if not who.is_admin:
            refusal = _other_province(who, staged)
            if refusal:
                staged.discard()
                return render_template("upload.html.j2", recent=store().recent(who), error=refusal), 403
            staged = _own_name(who, staged)
        claimed = uploads.claim(staged, ctx.config.input_dir)
    except BaseException:
        staged.discard()
        raise
    token = secrets.token_urlsafe(16)
    store().add_upload(token, who.name, who.province, sent.filename[-200:], staged.sha256, claimed.path)
    ctx.service.submit(token, claimed)
    log.info("upload %s by %s queued as %s", claimed.name, who.name or "this machine", token)
    return redirect(url_for("pages.progress", token=token), 303)


def _other_province(who: Viewer, staged: uploads.Staged) -> str:
    """A province account sends only its own province's workbooks: read the province first (as `check` does)."""
    province = uploads.workbook_province(staged.path)
    if province is None or who.may_see_province(province):
        return ""
    return (f"Tệp này là báo cáo của {province}; tài khoản {who.name} chỉ được gửi báo cáo của {who.province}. "
            "Tệp chưa được xử lý.")


def _own_name(who: Viewer, staged: uploads.Staged) -> uploads.Staged:
    """Outputs are named after the file: never let one province's upload overwrite another's report."""
    n, name = 1, staged.name
    while store().stem_taken_by_others(who, uploads.folder.result_stem(name)):
        n += 1
        name = uploads.numbered(staged.name, n)
    return uploads.rename_staged(staged, name) if name != staged.name else staged


@bp.route("/tai-len/<token>")
def progress(token: str) -> ResponseReturnValue:
    found = store().upload(token)
    if found is None:
        abort(404)
    if not (viewer().is_admin or viewer().may_see_province(found.province)):
        abort(403)
    if found.file_id is None and web().poll_slots.acquire(blocking=False):
        try:  # at most half the server's threads wait like this: other pages are always served at once
            if web().service.wait(token, LONG_POLL_SECONDS):
                found = store().upload(token) or found
        finally:
            web().poll_slots.release()
    if found.file_id is not None:
        return redirect(url_for("pages.result", file_id=found.file_id), 303)
    return render_template("progress.html.j2", upload=found, refresh=REFRESH_SECONDS)


@bp.route("/ket-qua/<int:file_id>")
def result(file_id: int) -> ResponseReturnValue:
    record = visible_file(file_id)
    outputs = outputs_of(record)
    found = pdf_of(record)
    brief = store().brief(found[1]) if found else None
    mails = store().deliveries(found[1]) if found else []
    sent = store().uploads_of(file_id)
    return render_template("result.html.j2", record=record, outputs=outputs, brief=brief or {}, mails=mails,
                           pdf=next((o for o in outputs if o.kind == "pdf"), None), uploads=sent,
                           ok=record.outcome == OUTCOME_OK)


def _recorded_output(file_id: int, index: int) -> tuple[Path, Output]:
    """An output the ledger records for a file this viewer may see, still the bytes made then."""
    record = visible_file(file_id)
    if not 0 <= index < len(record.outputs):
        abort(404)
    path = Path(record.outputs[index])
    output_dir = web().config.output_dir.resolve()
    try:
        resolved = path.resolve(strict=True)
    except OSError:
        abort(410)
    if not resolved.is_relative_to(output_dir) or not resolved.is_file():
        abort(404)
    recorded = record.output_hashes.get(record.outputs[index])
    if recorded and sha256_of(resolved) != recorded:  # a later file of the same name replaced it
        abort(410)
    return resolved, outputs_of(record)[index]


@bp.route("/tai-ve/<int:file_id>/<int:index>")
def download(file_id: int, index: int) -> ResponseReturnValue:
    path, output = _recorded_output(file_id, index)
    return send_file(path, as_attachment=True, download_name=output.name, max_age=0)


@bp.route("/xem/<int:file_id>/<int:index>")
def preview(file_id: int, index: int) -> ResponseReturnValue:
    """The PDF shown inside the result page (the only response our own pages may frame)."""
    path, output = _recorded_output(file_id, index)
    if output.kind != "pdf":
        abort(404)
    response = send_file(path, mimetype="application/pdf", as_attachment=False, download_name=output.name,
                         max_age=0)
    response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
