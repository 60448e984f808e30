"""Reading messy spreadsheet values: dates, categories, sexes, yes/no, ages, wilayah.

Police registers are typed by hand: dates come as 12/08/2025, 12-08-25, 2025-08-12, Excel
serial numbers or "12 Agustus 2025"; categories as labels with any case, accents or spacing,
or as codes. Each parser returns a value or raises `ValueProblem` with a reason the user can act on.
"""
import functools
import re
import unicodedata
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l


class ValueProblem(ValueError):
    def __init__(self, reason):
        super().__init__(str(reason))
        self.reason = reason


def fold(text):
    """Case-, accent- and punctuation-insensitive form: 'Psíkis ' → 'psikis'."""
    text = str(text)
    # A register repeats the same few labels thousands of times; short ones are remembered.
    return _fold_short(text) if len(text) <= 64 else _fold(text)


@functools.lru_cache(maxsize=4096)
def _fold_short(text):
    return _fold(text)


def _fold(text):
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def cell_text(value):
    """A cell as trimmed text ('' for empty); whole numbers lose Excel's '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split())


#: C0 and C1 control characters but tab, line feed and carriage return (line breaks inside a
#: quoted cell are ordinary text). PostgreSQL refuses NUL in text, and none belongs in a register.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def cell_problem(value, limit):
    """Why a cell can't be taken as text — a control character, or longer than `limit`
    characters once its spaces are collapsed — or None."""
    if not isinstance(value, str):
        return None
    found = CONTROL_CHARACTER.search(value)
    if found:
        code = format(ord(found.group()), "04X")
        return _l("Berisi karakter kendali (U+%(code)s) yang tidak boleh ada dalam teks; hapus karakter itu "
                  "lalu simpan ulang.", code=code)
    if len(value) > limit and len(cell_text(value)) > limit:
        return _l("Terlalu panjang (paling banyak %(n)d karakter).", n=limit)
    return None


MONTHS = {}
for _number, _names in enumerate([
        ("januari", "jan", "january"), ("februari", "feb", "pebruari", "peb", "february"),
        ("maret", "mar", "march"), ("april", "apr"), ("mei", "may"), ("juni", "jun", "june"),
        ("juli", "jul", "july"), ("agustus", "agu", "agt", "ags", "agus", "aug", "august"),
        ("september", "sep", "sept"), ("oktober", "okt", "oct", "october"),
        ("november", "nov", "nopember", "nop"), ("desember", "des", "dec", "december")], start=1):
    for _name in _names:
        MONTHS[_name] = _number

ISO_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t].*)?$")
NUMERIC_RE = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{2}|\d{4})$")
NAMED_RE = re.compile(r"^(\d{1,2})[\s\-/.]*([a-z]+)[\s\-/.,]*(\d{2}|\d{4})$")
EXCEL_EPOCH = date(1899, 12, 30)
DATE_HINT = _l("Tulis seperti 12/08/2025, 2025-08-12 atau 12 Agustus 2025.")


def _year(text, today):
    year = int(text)
    if len(text) == 2:  # 25 → 2025, 98 → 1998: never a date in the future
        year += 2000 if year <= today.year % 100 else 1900
    return year


def parse_date(value, today):
    """A date from a cell; None for an empty cell. Day comes before month (Indonesian usage)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _excel_serial(value)
    raw = str(value).strip()
    text = fold(raw)
    if re.fullmatch(r"\d{5}(\.0+)?", raw):
        return _excel_serial(float(raw))
    match = ISO_RE.match(raw.lower())
    try:
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
        match = NUMERIC_RE.match(raw)
        if match:
            return date(_year(match[3], today), int(match[2]), int(match[1]))
        # "Selasa, 12 Agustus 2025" → drop the weekday; "12-Agt-25", "12 agustus 2025"
        text = re.sub(r"^[a-z]+ (?=\d)", "", text)
        match = NAMED_RE.match(text.replace(" ", "-"))
        if match and match[2] in MONTHS:
            return date(_year(match[3], today), MONTHS[match[2]], int(match[1]))
    except ValueError:
        raise ValueProblem(_l("Tanggal '%(value)s' tidak ada di kalender.", value=raw[:40])) from None
    raise ValueProblem(_l("Tanggal '%(value)s' tidak dapat dibaca. %(hint)s", value=raw[:40], hint=DATE_HINT))


def _excel_serial(number):
    if not 1 <= number < 80000:
        raise ValueProblem(_l("Angka '%(value)s' bukan tanggal. %(hint)s", value=number, hint=DATE_HINT))
    return EXCEL_EPOCH + timedelta(days=int(number))


SEXES = {"l": "L", "lk": "L", "laki laki": "L", "laki": "L", "pria": "L", "m": "L", "male": "L",
         "p": "P", "pr": "P", "perempuan": "P", "wanita": "P", "w": "P", "f": "P", "female": "P"}


def parse_sex(value):
    text = fold(cell_text(value))
    if not text:
        return None
    if text in SEXES:
        return SEXES[text]
    raise ValueProblem(_l("Jenis kelamin '%(value)s' tidak dikenal; tulis L atau P.", value=cell_text(value)[:20]))


YES = {"ya", "y", "yes", "1", "true", "benar", "iya", "x", "v"}
NO = {"tidak", "t", "no", "n", "0", "false", "bukan", "tdk", "-"}


def parse_bool(value):
    text = fold(cell_text(value)) or cell_text(value)
    if text in ("", "-"):
        return False
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueProblem(_l("Isi 'ya' atau 'tidak', bukan '%(value)s'.", value=cell_text(value)[:20]))


MAX_AGE = 120
AGE_RE = re.compile(r"^(\d{1,3})(?:\s*(tahun|thn|th|bulan|bln|hari)\.?)?$")
NEGATIVE_RE = re.compile(r"^[-\u2212\u2013\u2014]\s*\d")


def parse_age(value):
    """Whole years, 0–120, from a number or text such as '15', '15 tahun' or '8 bulan' (0).
    A sign, a fraction or another unit is refused, never dropped: '-5' is not 5."""
    if isinstance(value, bool):
        raise ValueProblem(_l("Umur '%(value)s' tidak dapat dibaca; tulis angka tahun.", value=value))
    if isinstance(value, (int, float)):
        if float(value).is_integer() and 0 <= value <= MAX_AGE:
            return int(value)
        raise ValueProblem(_l("Umur '%(value)s' tidak sesuai (0–120 tahun).", value=value))
    raw = cell_text(value)
    if not raw:
        return None
    match = AGE_RE.match(raw.casefold())
    if not match:
        if NEGATIVE_RE.match(raw):
            raise ValueProblem(_l("Umur '%(value)s' tidak sesuai (0–120 tahun).", value=raw[:20]))
        raise ValueProblem(_l("Umur '%(value)s' tidak dapat dibaca; tulis angka tahun.", value=raw[:20]))
    number = int(match[1])
    if match[2] in ("bulan", "bln"):
        number //= 12
    elif match[2] == "hari":
        number = 0
    if number > MAX_AGE:
        raise ValueProblem(_l("Umur '%(value)s' tidak sesuai (0–120 tahun).", value=number))
    return number


class CategoryMatcher:
    """Finds a lookup code from a code or label, case- and accent-insensitively.

    Each entry answers to its code, its label, the label without a bracketed part, the bracketed
    part itself and each part of a label split at '/'. A label that starts with a qualifier such
    as "Mantan" (former) qualifies each of its parts: "Mantan suami/istri/pacar" answers to
    "mantan istri" and "mantan pacar", never to "istri" or "pacar", which are "Suami/istri" and
    "Pacar/teman". A key that two entries still share is never guessed: `match` finds nothing
    and `candidates` names the entries it could mean, so the import reports it as ambiguous.
    """

    NOISE = ("kekerasan", "faktor", "dampak", "layanan", "hubungan")
    QUALIFIERS = ("mantan",)

    def __init__(self, lookups):
        keys = {}
        for lookup in lookups:
            for key in self._keys(lookup):
                keys.setdefault(key, []).append(lookup)
        self.lookups = {x.code: x for x in lookups}
        self.keys = {k: found[0].code for k, found in keys.items() if len(found) == 1}
        self.ambiguous = {k: [x.code for x in sorted(found, key=lambda x: (x.position, x.code))]
                          for k, found in keys.items() if len(found) > 1}

    @classmethod
    def _keys(cls, lookup):
        label = lookup.label
        found = {fold(lookup.code), fold(lookup.code.replace("_", " ")), fold(label)}
        bare = re.sub(r"\([^)]*\)", " ", label)
        found.add(fold(bare))
        found.update(fold(inner) for inner in re.findall(r"\(([^)]*)\)", label))
        parts = [fold(part) for part in re.split(r"[/]", bare)]
        qualifier = parts[0].split()[0] if len(parts) > 1 and parts[0] else None
        for position, part in enumerate(parts):
            if qualifier in cls.QUALIFIERS and position and part.split()[:1] != [qualifier]:
                part = f"{qualifier} {part}"
            if len(part) >= 3:
                found.add(part)
        return {k for k in found if k}

    def _words(self, text):
        key = fold(text)
        words = [w for w in key.split() if w not in self.NOISE]
        return key, " ".join(words)

    def candidates(self, text):
        """The codes of every entry `text` could mean when it names more than one (in list
        order); [] when it names one or none."""
        key, bare = self._words(text)
        if key in self.keys:
            return []
        return self.ambiguous.get(key) or ([] if bare in self.keys else self.ambiguous.get(bare, []))

    def match(self, text):
        """The code for `text`, or None."""
        key = fold(text)
        if key in self.keys:
            return self.keys[key]
        words = [w for w in key.split() if w not in self.NOISE]
        return self.keys.get(" ".join(words)) if words else None

    def match_many(self, text):
        """Codes for a multi-valued cell ('fisik; psikis', 'Fisik, Psikis', 'fisik dan psikis').
        Returns (codes, unknown parts)."""
        text = cell_text(text)
        if not text:
            return [], []
        whole = self.match(text)
        if whole:
            return [whole], []
        codes, unknown = [], []
        for part in re.split(r"[;,\n|]+", text):
            part = part.strip()
            if not part:
                continue
            code = self.match(part)
            if code is None:
                pieces = [p for p in re.split(r"\s+dan\s+|\s*&\s*|\s*/\s*|\s+\+\s+", part) if p.strip()]
                matched = [self.match(p) for p in pieces]
                if len(pieces) > 1 and all(matched):
                    codes.extend(matched)
                    continue
                unknown.append(part)
            else:
                codes.append(code)
        return list(dict.fromkeys(codes)), unknown


#: A number at the end of a place name, however a register writes it: Bakunase 2 = Bakunase II
#: = Bakunase Dua, Naikoten 1 = Naikoten I = Naikoten Satu.
PLACE_NUMBERS = {"1": "1", "i": "1", "satu": "1", "2": "2", "ii": "2", "dua": "2",
                 "3": "3", "iii": "3", "tiga": "3"}
PLACE_PREFIXES = ("kelurahan", "kel", "kecamatan", "kec", "desa")


def place_key(text):
    """The form a place name is compared in: folded, without a leading 'kelurahan'/'kec.',
    a final number written one way, spaces dropped ('Kel. Batu Plat' = 'batuplat',
    'Naikoten I' = 'naikoten1')."""
    words = fold(text).split()
    if len(words) > 1 and words[0] in PLACE_PREFIXES:
        words = words[1:]
    if len(words) > 1 and words[-1] in PLACE_NUMBERS:
        words[-1] = PLACE_NUMBERS[words[-1]]
    return "".join(words)


def _number_stripped(key):
    """'naikoten1' → 'naikoten'; None when the key ends in no number."""
    stripped = key.rstrip("0123456789")
    return stripped if stripped != key and stripped else None


class KelurahanMatcher:
    """Finds the kelurahan a register names: by its Kemendagri code, its official name or any of
    its aliases (local spelling, police abbreviations such as LLBK or TDM), case-, accent-,
    punctuation- and space-insensitively, with a final number in any form.

    Never a guess: `find` returns every kelurahan that answers, and the caller takes one only
    when it is alone. A name that lacks the number of numbered kelurahan ('Naikoten' for Naikoten
    Satu and Naikoten Dua) answers with all of them, as does an alias two kelurahan share.
    """

    def __init__(self, kelurahan):
        self.exact, self.unnumbered = {}, {}
        for kel in kelurahan:
            for name in (kel.code, kel.name, *split_aliases(kel.aliases)):
                key = place_key(name)
                if key:
                    _add_once(self.exact, key, kel)
                    base = _number_stripped(key)
                    if base:
                        _add_once(self.unnumbered, base, kel)

    def find(self, text, kecamatan_id=None):
        """(kelurahan that `text` names — within the kecamatan when one is given, whether the
        name was complete). An exact name wins over a name missing its number: 'Bakunase' is
        Bakunase, not Bakunase Dua."""
        key = place_key(text)
        for names, complete in ((self.exact, True), (self.unnumbered, False)):
            found = [k for k in names.get(key, ())
                     if kecamatan_id is None or k.kecamatan_id == kecamatan_id]
            if found:
                return found, complete
        return [], True


def split_aliases(aliases):
    return [a.strip() for a in (aliases or "").split(";") if a.strip()]


def _add_once(index, key, item):
    found = index.setdefault(key, [])
    if item not in found:
        found.append(item)
