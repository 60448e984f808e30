"""Seed data for the case-log lookups, from `course_app/caselog/reference/caselog-categories.md`.

Codes are stable identifiers (stored, imported, exported) and never reused for another meaning.
Labels are stored in Indonesian; the English UI catalogue translates them (the `_` below only
marks them for extraction — the database keeps the Indonesian text).
"""
from pathlib import Path
from typing import NamedTuple


def _(message):
    """Marks a label for the message catalogue without translating it here."""
    return message


REFERENCE_DIR = Path(__file__).resolve().parents[2] / "caselog" / "reference"
WILAYAH_CSV = REFERENCE_DIR / "kota-kupang-wilayah.csv"

#: kind → (list label, [(code, label, grouping)])
LOOKUP_KINDS = {
    "violence_type": _("Jenis kekerasan"),
    "cause": _("Faktor penyebab"),
    "impact": _("Dampak"),
    "service": _("Layanan / penanganan"),
    "service_status": _("Status layanan"),
    "institution": _("Lembaga rujukan"),
    "relationship": _("Hubungan pelaku dengan korban"),
    "place": _("Tempat kejadian"),
    "source": _("Sumber data"),
    "legal_stage": _("Proses hukum"),
    "education": _("Pendidikan"),
    "occupation": _("Pekerjaan"),
    "marital_status": _("Status perkawinan"),
    "disability": _("Jenis disabilitas"),
    # Case management (issue 13 point 2, services/caselog/management.py).
    "referral_service": _("Layanan rujukan"),
    "closure_reason": _("Alasan penutupan kasus"),
}

SEED = {
    "violence_type": [
        ("fisik", _("Fisik"), None), ("psikis", _("Psikis"), None), ("seksual", _("Seksual"), None),
        ("eksploitasi", _("Eksploitasi"), None), ("tppo", _("Perdagangan orang (TPPO)"), None),
        ("penelantaran", _("Penelantaran"), None), ("lainnya", _("Lainnya"), None),
    ],
    "cause": [
        ("ekonomi", _("Ekonomi"), None),
        ("pil_wil", _("Perselingkuhan (pria/wanita idaman lain)"), None),
        ("miras", _("Minuman keras/alkohol"), None), ("narkoba", _("Narkoba"), None),
        ("cemburu_konflik", _("Cemburu/konflik rumah tangga"), None),
        ("budaya_adat", _("Budaya/adat dan relasi kuasa"), None),
        ("medsos", _("Media sosial/gawai/pornografi"), None),
        ("lingkungan", _("Lingkungan/pergaulan"), None),
        ("pola_asuh", _("Pola asuh/riwayat kekerasan"), None),
        # Review C29: the perpetrator's diagnosed disorder — not a guess, not the victim's.
        ("kejiwaan", _("Gangguan kejiwaan (pelaku, terdiagnosis)"), None),
        ("judi", _("Judi/judi online"), None),
        ("utang_pinjol", _("Utang/pinjaman online (pinjol)"), None),
        ("lainnya", _("Lainnya (sebutkan)"), None),
    ],
    "impact": [
        ("luka_ringan", _("Luka ringan"), "fisik"), ("luka_berat", _("Luka berat"), "fisik"),
        ("cacat", _("Cacat"), "fisik"), ("meninggal", _("Meninggal dunia"), "fisik"),
        ("trauma", _("Trauma"), "psikis"), ("takut_cemas", _("Takut/cemas"), "psikis"),
        ("depresi", _("Depresi"), "psikis"), ("ide_bunuh_diri", _("Ide bunuh diri"), "psikis"),
        ("ktd", _("Kehamilan tidak diinginkan"), "seksual"),
        ("ims_hiv", _("Infeksi menular seksual/HIV"), "seksual"),
        ("kehilangan_nafkah", _("Kehilangan nafkah"), "ekonomi"),
        ("putus_sekolah", _("Putus sekolah"), "sosial"),
        ("perceraian_pisah", _("Perceraian/pisah"), "sosial"),
        ("kehilangan_tempat_tinggal", _("Kehilangan tempat tinggal"), "sosial"),
        ("stigma", _("Stigma/pengucilan"), "sosial"),
        ("tidak_teridentifikasi", _("Belum teridentifikasi"), None),
    ],
    "service": [
        ("pengaduan", _("Pengaduan"), "simfoni"), ("kesehatan", _("Kesehatan"), "simfoni"),
        ("bantuan_hukum", _("Bantuan hukum"), "simfoni"),
        ("penegakan_hukum", _("Penegakan hukum"), "simfoni"),
        ("rehabilitasi_sosial", _("Rehabilitasi sosial"), "simfoni"),
        ("reintegrasi_sosial", _("Reintegrasi sosial"), "simfoni"),
        ("pemulangan", _("Pemulangan"), "simfoni"),
        ("pendampingan_tokoh_agama", _("Pendampingan tokoh agama"), "simfoni"),
        ("pendampingan_keluarga", _("Pendampingan keluarga korban"), "lokal"),
        ("konseling_psikologis", _("Konseling psikologis"), "lokal"),
        ("rumah_aman", _("Rumah aman"), "lokal"), ("mediasi", _("Mediasi"), "lokal"),
        ("penjangkauan", _("Penjangkauan/kunjungan rumah"), "lokal"),
        ("rujukan", _("Rujukan"), "lokal"),
    ],
    "service_status": [
        ("dirujuk", _("Dirujuk"), None), ("dilayani", _("Dilayani langsung P3A/UPTD PPA"), None),
        ("lembaga_lain", _("Sudah dilayani lembaga lain"), None),
        ("tidak_perlu", _("Tidak diperlukan"), None), ("ditolak", _("Ditolak korban/keluarga"), None),
        ("tidak_tersedia", _("Layanan tidak tersedia"), None),
    ],
    "institution": [
        ("rsud_puskesmas", _("RSUD/Puskesmas"), None),
        ("polres_ppa", _("Polres Kupang Kota Unit PPA"), None),
        ("dinsos", _("Dinas Sosial"), None), ("lbh_posbakum", _("LBH/Posbakum"), None),
        ("uptd_ppa_ntt", _("UPTD PPA Provinsi NTT"), None),
        ("lsm_pendamping", _("LSM/pendamping"), None), ("tokoh_agama", _("Tokoh agama"), None),
        ("lainnya", _("Lainnya"), None),
    ],
    "relationship": [
        ("orang_tua", _("Orang tua (kandung/tiri/angkat)"), None),
        ("keluarga", _("Keluarga/saudara"), None), ("suami_istri", _("Suami/istri"), None),
        ("mantan_pasangan", _("Mantan suami/istri/pacar"), None),
        ("pacar_teman", _("Pacar/teman"), None), ("guru", _("Guru/tenaga pendidik"), None),
        ("majikan", _("Majikan/atasan"), None), ("rekan_kerja", _("Rekan kerja"), None),
        ("tetangga", _("Tetangga"), None), ("tidak_dikenal", _("Orang tidak dikenal"), None),
        ("lainnya", _("Lainnya"), None),
    ],
    "place": [
        ("rumah_tangga", _("Rumah tangga"), None), ("tempat_kerja", _("Tempat kerja"), None),
        ("sekolah", _("Sekolah"), None), ("fasilitas_umum", _("Fasilitas umum"), None),
        ("lembaga_pendidikan_kilat", _("Lembaga pendidikan kilat"), None),
        ("daring", _("Ranah daring"), None), ("lainnya", _("Lainnya"), None),
    ],
    "source": [
        ("polres", _("Polres Kupang Kota (Unit PPA)"), None),
        ("p3a", _("Pengaduan langsung P3A/UPTD PPA"), None), ("sapa129", _("SAPA 129"), None),
        ("faskes", _("RS/Puskesmas"), None), ("dinsos", _("Dinas Sosial"), None),
        ("sekolah", _("Sekolah"), None), ("lsm", _("LSM"), None), ("lainnya", _("Lainnya"), None),
    ],
    "legal_stage": [
        ("tidak_ada", _("Tidak ada proses hukum"), None), ("pelaporan", _("Pelaporan"), None),
        ("penyelidikan", _("Penyelidikan"), None), ("penyidikan", _("Penyidikan"), None),
        ("penuntutan", _("Penuntutan"), None), ("persidangan", _("Persidangan"), None),
        ("putusan", _("Putusan"), None), ("diversi", _("Diversi (anak)"), None),
        ("dihentikan", _("Dihentikan"), None),
    ],
    "education": [
        ("tidak_sekolah", _("Belum/tidak sekolah"), None), ("paud_tk", _("PAUD/TK"), None),
        ("sd", _("SD"), None), ("smp", _("SMP"), None), ("sma_smk", _("SMA/SMK"), None),
        ("perguruan_tinggi", _("Perguruan tinggi"), None),
        ("tidak_diketahui", _("Tidak diketahui"), None),
    ],
    "occupation": [
        ("pedagang_tani_nelayan", _("Pedagang/tani/nelayan"), None),
        ("swasta_buruh", _("Swasta/buruh"), None), ("pns_tni_polri", _("PNS/TNI/Polri"), None),
        ("pelajar_mahasiswa", _("Pelajar/mahasiswa"), None),
        ("ibu_rumah_tangga", _("Ibu rumah tangga"), None),
        ("tidak_bekerja", _("Tidak bekerja"), None), ("lainnya", _("Lainnya"), None),
        ("tidak_diketahui", _("Tidak diketahui"), None),
    ],
    "marital_status": [
        ("belum_kawin", _("Belum kawin"), None), ("kawin_tercatat", _("Kawin tercatat"), None),
        ("kawin_belum_tercatat", _("Kawin belum tercatat (siri/adat)"), None),
        ("cerai_hidup", _("Cerai hidup"), None), ("cerai_mati", _("Cerai mati"), None),
    ],
    "disability": [
        ("fisik", _("Disabilitas fisik"), None), ("intelektual", _("Disabilitas intelektual"), None),
        ("mental", _("Disabilitas mental"), None), ("sensorik", _("Disabilitas sensorik"), None),
        ("ganda", _("Disabilitas ganda/multi"), None),
    ],
    "referral_service": [
        ("uptd_ppa", _("UPTD PPA"), None), ("puskesmas_rs", _("Puskesmas/RS"), None),
        ("polres", _("Polres (Unit PPA)"), None), ("bantuan_hukum", _("Bantuan hukum (LBH/Posbakum)"), None),
        ("rumah_aman", _("Rumah aman"), None), ("dinas_sosial", _("Dinas Sosial"), None),
        ("psikolog", _("Psikolog"), None),
    ],
    "closure_reason": [
        ("selesai_ditangani", _("Selesai ditangani"), None),
        ("dirujuk_tuntas", _("Dirujuk dan tuntas di lembaga rujukan"), None),
        ("korban_menolak_layanan", _("Korban menolak layanan"), None),
        ("tidak_dapat_dihubungi", _("Korban tidak dapat dihubungi"), None),
        ("pindah_domisili", _("Korban pindah domisili"), None),
        ("lainnya", _("Lainnya"), None),
    ],
}

#: The SIMFONI-PPA value each code is reported as, for the lists SIMFONI records (its register
#: as mirrored by P3A apps; content review C30). A local value maps to the nearest SIMFONI one
#: (`daring` → Lainnya); a tuple names the values a code may be, which the code alone does not
#: decide; None: a local service SIMFONI's list has no place for. Causes, impacts, sources,
#: legal stages, service statuses, institutions and disability kinds are local lists that
#: SIMFONI does not record. Kept beside SEED so a new code gets its mapping in the same change
#: (tests/unit/test_caselog_lists.py).
SIMFONI = {
    "violence_type": {
        "fisik": "Fisik", "psikis": "Psikis", "seksual": "Seksual", "eksploitasi": "Eksploitasi",
        "tppo": "Trafficking", "penelantaran": "Penelantaran", "lainnya": "Lainnya",
    },
    "place": {
        "rumah_tangga": "Rumah Tangga", "tempat_kerja": "Tempat Kerja", "sekolah": "Sekolah",
        "fasilitas_umum": "Fasilitas Umum", "lembaga_pendidikan_kilat": "Lembaga Pendidikan Kilat",
        "daring": "Lainnya", "lainnya": "Lainnya",
    },
    "relationship": {
        "orang_tua": "Orang Tua", "keluarga": "Keluarga/Saudara", "suami_istri": "Suami/Istri",
        # A former spouse is Suami/Istri, a former boyfriend or girlfriend Pacar/Teman.
        "mantan_pasangan": ("Suami/Istri", "Pacar/Teman"),
        "pacar_teman": "Pacar/Teman", "guru": "Guru", "majikan": "Majikan",
        "rekan_kerja": "Rekan Kerja", "tetangga": "Tetangga", "tidak_dikenal": "Lainnya",
        "lainnya": "Lainnya",
    },
    "service": {
        "pengaduan": "Pengaduan", "kesehatan": "Kesehatan", "bantuan_hukum": "Bantuan Hukum",
        "penegakan_hukum": "Penegakan Hukum", "rehabilitasi_sosial": "Rehabilitasi Sosial",
        "reintegrasi_sosial": "Reintegrasi Sosial", "pemulangan": "Pemulangan",
        "pendampingan_tokoh_agama": "Pendampingan Tokoh Agama",
        "pendampingan_keluarga": None, "konseling_psikologis": None, "rumah_aman": None,
        "mediasi": None, "penjangkauan": None, "rujukan": None,
    },
    "education": {
        # SIMFONI's list has no "not (yet) in school": NA until its form says otherwise.
        "tidak_sekolah": "NA", "paud_tk": "TK", "sd": "SD", "smp": "SMP/SLTP",
        "sma_smk": "SMA/SLTA", "perguruan_tinggi": "PT", "tidak_diketahui": "NA",
    },
    "occupation": {
        "pedagang_tani_nelayan": "Pedagang/Tani/Nelayan", "swasta_buruh": "Swasta/Buruh",
        "pns_tni_polri": "PNS/TNI/Polri", "pelajar_mahasiswa": "Pelajar/Mahasiswa",
        "ibu_rumah_tangga": "Ibu Rumah Tangga", "tidak_bekerja": "Tidak Bekerja",
        "lainnya": "Lainnya", "tidak_diketahui": "NA",
    },
    "marital_status": {
        "belum_kawin": "Belum Menikah", "kawin_tercatat": "Menikah",
        "kawin_belum_tercatat": "Sirri", "cerai_hidup": "Duda/Janda", "cerai_mati": "Duda/Janda",
    },
}

#: Victim age groups (SIMFONI), from age at incident: (code, label, lowest age, highest age).
VICTIM_AGE_GROUPS = [
    ("0-5", _("0–5 tahun"), 0, 5), ("6-12", _("6–12 tahun"), 6, 12),
    ("13-17", _("13–17 tahun"), 13, 17), ("18-24", _("18–24 tahun"), 18, 24),
    ("25-44", _("25–44 tahun"), 25, 44), ("45-59", _("45–59 tahun"), 45, 59),
    ("60+", _("60 tahun ke atas"), 60, 200),
]
#: Perpetrator age groups used on dashboards.
PERPETRATOR_AGE_GROUPS = [
    ("0-17", _("0–17 tahun"), 0, 17), ("18-24", _("18–24 tahun"), 18, 24),
    ("25-59", _("25–59 tahun"), 25, 59), ("60+", _("60 tahun ke atas"), 60, 200),
]
#: "Child" is under 18 (UU 35/2014 on child protection, art. 1) — never 20 or 21.
CHILD_AGE_LIMIT = 18

SEX_LABELS = {"L": _("Laki-laki"), "P": _("Perempuan")}
STATUS_LABELS = {
    "open": _("Dibuka"), "in_handling": _("Dalam penanganan"), "referred": _("Dirujuk"),
    "closed": _("Ditutup"),
}


#: The bits of `victim_mask`, the victims a case has, by sex, age group and child/adult (None: not
#: known). The case writer keeps the case's, and each pair's and service entry's own victim's, so
#: a cross-tab by a victim dimension reads one index (issue 13 point 5).
VICTIM_MASK_BITS = {
    "victim_sex": {"P": 0, "L": 1, None: 2},
    "age_group": {code: 3 + i for i, (code, *_r) in enumerate(VICTIM_AGE_GROUPS)}
    | {None: 3 + len(VICTIM_AGE_GROUPS)},
    "child_adult": {"anak": 4 + len(VICTIM_AGE_GROUPS), "dewasa": 5 + len(VICTIM_AGE_GROUPS),
                    None: 6 + len(VICTIM_AGE_GROUPS)},
}


def victim_mask(victims):
    """The OR of each victim's bits; `victims` are (sex, age group code, age at incident). A sex
    other than P or L is in no sex value, as in the reports."""
    mask = 0
    for sex, group, age in victims:
        child = None if age is None else ("anak" if age < CHILD_AGE_LIMIT else "dewasa")
        if sex in VICTIM_MASK_BITS["victim_sex"]:
            mask |= 1 << VICTIM_MASK_BITS["victim_sex"][sex]
        if group in VICTIM_MASK_BITS["age_group"]:
            mask |= 1 << VICTIM_MASK_BITS["age_group"][group]
        mask |= 1 << VICTIM_MASK_BITS["child_adult"][child]
    return mask


#: The lists a case can hold several values of, and the case column that holds its values as
#: bits — bit `Lookup.bit` for an entry, given when the entry is made (issue 13 point 5). A
#: cross-tabulation of two of them, or of one by a case column or a victim dimension, groups
#: the cases by those columns alone.
VALUE_MASKS = {"cause": "cause_mask", "impact": "impact_mask", "violence_type": "type_mask",
               "relationship": "relationship_mask", "service": "service_mask"}
#: Bit 0 is for a row without a value: a victim–perpetrator pair whose relationship is not
#: recorded. Entries take bits 1 to MAX_BIT (a signed 64-bit column holds 63 bits).
NO_VALUE_BIT = 0
MAX_BIT = 62


def value_mask(bits):
    """The OR of the bits given (None: no value, bit 0)."""
    mask = 0
    for bit in bits:
        mask |= 1 << (NO_VALUE_BIT if bit is None else bit)
    return mask


def age_group(age, groups=VICTIM_AGE_GROUPS):
    if age is None:
        return None
    for code, _label, low, high in groups:
        if low <= age <= high:
            return code
    return None


class WilayahRow(NamedTuple):
    kecamatan_code: str
    kecamatan: str
    kelurahan_code: str
    kelurahan: str
    #: The other names the import accepts: the spelling in local use, then the abbreviations
    #: police registers use.
    aliases: tuple


def wilayah_rows():
    """The rows of `kota-kupang-wilayah.csv`: official Kemendagri codes and names
    (Kepmendagri 300.2.2-2138/2025), with the local spelling and police abbreviations."""
    import csv

    with WILAYAH_CSV.open(encoding="utf-8", newline="") as handle:
        return [WilayahRow(r["kecamatan_code"], r["kecamatan"], r["kelurahan_code"], r["kelurahan"],
                           tuple(a.strip() for a in (r["local_spelling"] + ";" + r["aliases"]).split(";")
                                 if a.strip()))
                for r in csv.DictReader(handle)]
