"""The couple's checklist: what each partner has done and what is still missing, and the one
next step that every page of the couple's path points to."""
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from . import certificates, couples, learning, letters


@dataclass
class PersonProgress:
    """One person's way to the certificate: their modules (learning.ModuleProgress) and their
    good-conduct letter (letters.LetterSummary). The couple's checklist and the reviewers' desk
    both show it."""
    user: object
    modules: list = field(default_factory=list)
    letter: object = None

    @property
    def required_modules(self):
        """The modules the certificate requires (`required:` in module.yaml)."""
        return [m for m in self.modules if m.module.required]

    @property
    def modules_done(self):
        """Required modules completed: "done of `modules_required`" is the way to the certificate;
        an optional module, finished or not, is not counted."""
        return sum(1 for m in self.required_modules if m.is_complete)

    @property
    def modules_required(self):
        return len(self.required_modules)


@dataclass
class CoupleChecklist:
    couple: object
    people: list
    partner_missing: bool


def person_progress(user, today=None):
    return PersonProgress(user=user, modules=learning.module_progress(user),
                          letter=letters.letter_summary(user, today))


def checklist_for(user):
    """Each partner's module status and best score, and their letter's status."""
    couple = couples.current_couple(user)
    people = [person_progress(user)]
    partner = couples.partner_of(user, couple) if couple else None
    if partner is not None:
        people.append(person_progress(partner))
    return CoupleChecklist(couple=couple, people=people, partner_missing=partner is None)


@dataclass(frozen=True)
class NextStep:
    """The one thing a participant should do next, as a primary button: `endpoint` and
    `values` for url_for (services build no URLs), `anchor` a place on that page. A step that
    is someone else's to take (a reviewer, the partner, the office) is `waiting`: pages say
    `hint` and offer the dashboard instead of a button that leads nowhere new."""
    code: str
    label: object
    endpoint: str
    values: dict = field(default_factory=dict)
    anchor: str | None = None
    hint: object = None
    waiting: bool = False


def next_step(user, today=None):
    """The one "next step" rule (issue 12 point 4), used by the dashboard, the couple page,
    the quiz result and the letter page, so every page points to the same next step.

    In the order of the way to the certificate (product §2): form or join a couple; once the
    certificate is issued, the certificate; the first required module not yet complete (its
    quiz once every lesson is read, else its lessons), in reading order; then the good-conduct
    letter (upload, or wait for the review); then the partner (invite them, or wait for them);
    last the certificate being prepared. Optional modules never stand in the way."""
    couple = couples.current_couple(user)
    if couple is None:
        return NextStep("couple", _l("Bentuk atau gabung pasangan"), "couples.index",
                        hint=_l("Buat pasangan dan berikan kode undangan kepada calon suami/istri "
                                "Anda, atau gabung dengan kode dari pasangan Anda."))
    if certificates.latest_certificate(couple) is not None:
        return NextStep("certificate", _l("Lihat sertifikat"), "dashboard.index",
                        anchor="certificate", hint=_l("Sertifikat pasangan Anda sudah terbit."))
    for progress in learning.module_progress(user):
        if not progress.module.required or progress.is_complete:
            continue
        title = progress.module.title
        values = {"code": progress.module.code}
        if progress.quiz_unlocked:
            return NextStep("quiz", _l("Kerjakan kuis: %(title)s", title=title), "learning.quiz",
                            values, hint=_l("Semua pelajaran sudah dibaca. Kerjakan kuisnya."))
        if progress.status == "belum_mulai":
            return NextStep("module", _l("Mulai belajar: %(title)s", title=title),
                            "learning.module", values,
                            hint=_l("Baca setiap pelajaran, lalu kerjakan kuis di akhir materi."))
        return NextStep("module", _l("Lanjutkan belajar: %(title)s", title=title),
                        "learning.module", values,
                        hint=_l("Baca setiap pelajaran, lalu kerjakan kuis di akhir materi."))
    letter = letters.letter_summary(user, today)
    if letter.status in ("none", "rejected", "expired"):
        return NextStep("letter", _l("Unggah SKCK") if letter.status == "none"
                        else _l("Unggah SKCK baru"), "letters.upload",
                        hint=_l("Semua materi wajib sudah selesai. Unggah SKCK (surat kelakuan baik) "
                                "dari kantor polisi."))
    if letter.status == "pending":
        return NextStep("letter_pending", _l("Ke beranda"), "dashboard.index", waiting=True,
                        hint=_l("SKCK Anda sedang diperiksa petugas P3A. Hasilnya tampil di beranda "
                                "dan dikirim ke email Anda."))
    partner = couples.partner_of(user, couple)
    if partner is None:
        return NextStep("partner", _l("Lihat kode undangan"), "couples.index",
                        hint=_l("Bagian Anda sudah selesai. Sertifikat terbit setelah pasangan Anda "
                                "bergabung dan menyelesaikan bagiannya."))
    partner_done = (all(p.is_complete for p in learning.module_progress(partner) if p.module.required)
                    and letters.letter_summary(partner, today).done)
    if not partner_done:
        return NextStep("partner_progress", _l("Ke beranda"), "dashboard.index", waiting=True,
                        hint=_l("Bagian Anda sudah selesai. Sertifikat terbit setelah %(name)s "
                                "menyelesaikan materi wajib dan SKCK-nya disetujui.",
                                name=partner.full_name))
    return NextStep("certificate_pending", _l("Ke beranda"), "dashboard.index", anchor="certificate",
                    waiting=True, hint=_l("Bagian Anda berdua sudah selesai. Lihat bagian "
                                          "Sertifikat di beranda untuk yang masih kurang."))
