"""Synthetic case-log data for demos and benchmarks (product §7; issue 5, point 6).

No real people: names are built from syllables, addresses and narratives from templates, and
every narrative starts with "[DATA SINTETIS]". The distributions follow the shape of reported
cases in Indonesian districts (mostly women and girls, many children, home as the commonest
place, psychological and physical violence most frequent, sexual violence mostly against
children) so that reports and charts look like real ones. Deterministic for a given seed and
starting point: the same command on the same database makes the same cases.
"""
import random
from datetime import timedelta

from sqlalchemy import func, select

from ...extensions import db
from ...models.caselog import Case, Kecamatan, Kelurahan
from .. import clock
from .crypto import CachedEncryptor
from .lookups import ensure_seeded
from .payload import LookupIndex, person_age
from .writer import write_cases

PREFIX = "SINT"
SYLLABLES = ["ma", "li", "na", "ro", "se", "ka", "tu", "bi", "lo", "ne", "ri", "da", "fe", "yo",
             "ha", "mi", "wa", "su", "te", "no", "be", "la", "ku", "pa", "ti", "go", "ra", "mo"]
KECAMATAN_WEIGHTS = {"Oebobo": 20, "Maulafa": 20, "Kelapa Lima": 17, "Alak": 17, "Kota Raja": 13,
                     "Kota Lama": 9}
TYPES = [("psikis", 34), ("fisik", 30), ("seksual", 24), ("penelantaran", 6), ("eksploitasi", 2),
         ("tppo", 1), ("lainnya", 3)]
CAUSES = [("cemburu_konflik", 18), ("ekonomi", 17), ("miras", 14), ("pil_wil", 9), ("pola_asuh", 9),
          ("lingkungan", 8), ("medsos", 9), ("budaya_adat", 7), ("narkoba", 2), ("kejiwaan", 2),
          ("judi", 4), ("utang_pinjol", 3), ("lainnya", 5)]
IMPACTS = {"fisik": [("luka_ringan", 50), ("luka_berat", 12), ("trauma", 20), ("takut_cemas", 15),
                     ("cacat", 1), ("meninggal", 1)],
           "psikis": [("trauma", 35), ("takut_cemas", 35), ("depresi", 12), ("ide_bunuh_diri", 3),
                      ("perceraian_pisah", 10), ("kehilangan_nafkah", 5)],
           "seksual": [("trauma", 45), ("takut_cemas", 20), ("ktd", 10), ("ims_hiv", 2),
                       ("putus_sekolah", 8), ("stigma", 15)]}
PLACES = [("rumah_tangga", 56), ("fasilitas_umum", 12), ("daring", 7), ("sekolah", 6),
          ("tempat_kerja", 5), ("lembaga_pendidikan_kilat", 1), ("lainnya", 13)]
SOURCES = [("polres", 55), ("p3a", 24), ("sapa129", 8), ("faskes", 5), ("dinsos", 3), ("sekolah", 2),
           ("lsm", 3)]
SERVICES = [("pengaduan", 25), ("konseling_psikologis", 18), ("pendampingan_keluarga", 12),
            ("kesehatan", 12), ("bantuan_hukum", 10), ("penegakan_hukum", 8), ("penjangkauan", 7),
            ("rujukan", 4), ("rumah_aman", 2), ("rehabilitasi_sosial", 2)]
SERVICE_STATUSES = [("dilayani", 60), ("dirujuk", 20), ("lembaga_lain", 12), ("ditolak", 4),
                    ("tidak_tersedia", 4)]
NARRATIVES = {
    "fisik": "[DATA SINTETIS] Korban mengalami pemukulan oleh pelaku setelah pertengkaran.",
    "psikis": "[DATA SINTETIS] Korban mengalami ancaman dan hinaan berulang dari pelaku.",
    "seksual": "[DATA SINTETIS] Korban mengalami kekerasan seksual; keluarga melapor ke petugas.",
    "penelantaran": "[DATA SINTETIS] Korban tidak diberi nafkah dan perawatan selama berbulan-bulan.",
    "eksploitasi": "[DATA SINTETIS] Korban dipaksa bekerja tanpa upah oleh pelaku.",
    "tppo": "[DATA SINTETIS] Korban dijanjikan pekerjaan di luar daerah lalu ditahan pelaku.",
    "lainnya": "[DATA SINTETIS] Kejadian lain yang dilaporkan ke petugas.",
}


def _pick(rng, weighted):
    codes, weights = zip(*weighted, strict=True)
    return rng.choices(codes, weights)[0]


class _Pools:
    def __init__(self, rng):
        def word(n):
            return "".join(rng.choice(SYLLABLES) for _ in range(n)).capitalize()
        self.names = [f"{word(rng.choice((2, 3)))} {word(3)}" for _ in range(3000)]
        self.addresses = [f"Jl. {word(3)} No. {rng.randint(1, 120)}, RT {rng.randint(1, 20):03d}"
                          for _ in range(600)]


def _wilayah():
    kecamatan = {k.name: k.id for k in db.session.scalars(select(Kecamatan))}
    kelurahan = {}
    for kel in db.session.scalars(select(Kelurahan)):
        kelurahan.setdefault(kel.kecamatan_id, []).append(kel.id)
    weights = [(kecamatan[name], w) for name, w in KECAMATAN_WEIGHTS.items() if name in kecamatan]
    return weights, kelurahan


def _victim_age(rng, kind):
    child_share = {"seksual": 0.7, "penelantaran": 0.8, "eksploitasi": 0.5}.get(kind, 0.3)
    if rng.random() < child_share:
        return rng.choices(range(0, 18), weights=[1] * 6 + [2] * 7 + [5] * 5)[0]
    return min(80, int(rng.triangular(18, 65, 28)))


def make_payload(rng, pools, wilayah, n, seed, start, end):
    weights, kelurahan = wilayah
    span = (end - start).days
    report = start + timedelta(days=min(span, int(span * rng.random() ** 0.8)))
    delay = rng.choices([rng.randint(0, 7), rng.randint(8, 30), rng.randint(31, 90),
                         rng.randint(91, 365), rng.randint(366, 900)], [40, 30, 15, 10, 5])[0]
    incident = report - timedelta(days=delay)
    main_type = _pick(rng, TYPES)
    types = [main_type]
    if rng.random() < 0.3:
        types.append("psikis" if main_type != "psikis" else "fisik")
    kdrt = main_type in ("fisik", "psikis", "penelantaran") and rng.random() < 0.7
    place = "rumah_tangga" if kdrt else _pick(rng, PLACES)
    victims = []
    for _ in range(rng.choices((1, 2, 3), (88, 10, 2))[0]):
        age = _victim_age(rng, main_type)
        person = {"name": rng.choice(pools.names), "sex": "P" if rng.random() < 0.86 else "L",
                  "address": rng.choice(pools.addresses)}
        if rng.random() < 0.6:
            person["birth_date"] = incident - timedelta(days=age * 365 + rng.randint(0, 360))
        else:
            person["age"] = age
        if age >= 18 and kdrt:
            person["sex"] = "P"
        victims.append(person)
    perpetrators = []
    for _ in range(rng.choices((1, 2), (90, 10))[0]):
        perpetrators.append({"name": rng.choice(pools.names) if rng.random() < 0.9 else None,
                             "sex": "L" if rng.random() < 0.9 else "P",
                             "age": max(12, min(80, int(rng.gauss(35, 11))))})
    relationships = {}
    for vi, victim in enumerate(victims):
        adult = person_age(victim, incident) >= 18
        for pi in range(len(perpetrators)):
            if kdrt:
                code = "suami_istri" if adult else rng.choice(["orang_tua", "keluarga"])
            elif main_type == "seksual":
                code = _pick(rng, [("pacar_teman", 30), ("keluarga", 20), ("tetangga", 20),
                                   ("orang_tua", 8), ("guru", 5), ("tidak_dikenal", 12), ("lainnya", 5)])
            else:
                code = _pick(rng, [("tetangga", 25), ("pacar_teman", 20), ("rekan_kerja", 10),
                                   ("majikan", 5), ("mantan_pasangan", 15), ("tidak_dikenal", 15),
                                   ("lainnya", 10)])
            relationships[(vi, pi)] = code
    impacts = list(dict.fromkeys(_pick(rng, IMPACTS.get(main_type, IMPACTS["psikis"]))
                                 for _ in range(rng.choice((1, 1, 2, 3)))))
    causes = list(dict.fromkeys(_pick(rng, CAUSES) for _ in range(rng.choice((1, 1, 2)))))
    outside = rng.random() < 0.04
    kecamatan_id = None if outside else rng.choices(*zip(*weights, strict=True))[0]
    kelurahan_id = rng.choice(kelurahan[kecamatan_id]) if kecamatan_id and rng.random() < 0.8 else None
    age_days = (end - report).days
    status = rng.choices(["open", "in_handling", "referred", "closed"],
                         [5, 20, 10, 65] if age_days > 180 else [35, 40, 15, 10])[0]
    services = []
    for vi in range(len(victims)):
        for _ in range(rng.choices((0, 1, 2, 3), (30, 35, 25, 10))[0]):
            service = _pick(rng, SERVICES)
            services.append({"victim": vi, "service": service, "status": _pick(rng, SERVICE_STATUSES),
                             "service_date": min(end, report + timedelta(days=rng.randint(0, 60)))})
    return {
        "incident_date": incident, "report_date": report, "place": place,
        "source": _pick(rng, SOURCES), "external_ref": f"{PREFIX}-{seed}-{n:07d}",
        "narrative": NARRATIVES[main_type], "kdrt": kdrt, "legal_stage": None,
        "types": types, "causes": causes, "impacts": impacts, "outside_city": outside,
        "location_detail": "Kabupaten Kupang (sintetis)" if outside else None,
        "kecamatan_id": kecamatan_id, "kelurahan_id": kelurahan_id, "status": status,
        "consent_services": rng.random() < 0.9, "consent_sharing": rng.random() < 0.6,
        "consent_nonidentifiable": rng.random() < 0.95, "guardian_consent": rng.random() < 0.8,
        "victims": victims, "perpetrators": perpetrators, "relationships": relationships,
        "services": services,
    }


def generate(count, seed, *, user=None, start=None, end=None, chunk=5000, progress=None):
    """Create `count` synthetic cases reported between `start` and `end` (default: the last three
    years). A second run with the same seed continues the series instead of repeating it.
    Returns the number of cases made. Flushes in chunks; the caller commits."""
    ensure_seeded()
    end = end or clock.today()
    start = start or end - timedelta(days=3 * 365)
    prefix = f"{PREFIX}-{seed}-%"
    first = db.session.scalar(select(func.count()).select_from(Case).where(Case.external_ref.like(prefix)))
    rng = random.Random(f"{seed}:{first}")
    pools = _Pools(random.Random(seed))
    wilayah = _wilayah()
    index = LookupIndex()
    encrypt = CachedEncryptor()
    made = 0
    while made < count:
        size = min(chunk, count - made)
        payloads = [make_payload(rng, pools, wilayah, first + made + i, seed, start, end)
                    for i in range(size)]
        write_cases(payloads, index, user=user, encrypt=encrypt)
        made += size
        if progress:
            progress(made)
    return made


def add_demo_cases(count=300, seed=2026):
    """A few hundred synthetic cases for `flask demo`. Idempotent: nothing is added when this
    seed's demo cases exist already. Returns the number added."""
    ensure_seeded()
    exists_already = db.session.scalar(select(func.count()).select_from(Case).where(
        Case.external_ref.like(f"{PREFIX}-{seed}-%")))
    if exists_already:
        return 0
    return generate(count, seed)
