"""Attachments of a case (issue 13 point 2): a visum report, photos, letters. The same content
checks as SKCK letters (services/uploads: type from the bytes, images re-encoded without their
metadata, PDFs without active content, the size limit), then stored encrypted in the database
with the case-log key ring. Each download is audited by the view."""
from flask_babel import lazy_gettext as _l

from ....extensions import db
from ....models.caselog import CaseAttachment
from ... import DomainError, NotFound
from ...uploads import check_upload
from .merge import refuse_if_merged

KINDS = {"visum": _l("Visum et repertum"), "foto": _l("Foto"), "surat": _l("Surat"),
         "lainnya": _l("Lainnya")}


def get_attachment(case, attachment_id):
    found = db.session.get(CaseAttachment, attachment_id)
    if found is None or found.case_id != case.id:
        raise NotFound()
    return found


def _base_name(filename):
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in name if ch.isprintable()).strip()[:120]


def add_attachment(case, *, kind, filename, data, user, max_bytes=None):
    """Check the file and store it encrypted; UploadRefused (a DomainError) says what to do."""
    refuse_if_merged(case)
    if kind not in KINDS:
        raise DomainError(_l("Pilih jenis lampiran."), field="kind")
    checked = check_upload(data, max_bytes=max_bytes)
    stem = _base_name(filename).rsplit(".", 1)[0] or "lampiran"
    attachment = CaseAttachment(case_id=case.id, kind=kind, filename=stem + checked.extension,
                                content_type=checked.content_type, size=checked.size,
                                sha256=checked.sha256, content=checked.data, uploaded_by_id=user.id)
    db.session.add(attachment)
    db.session.flush()
    return attachment
