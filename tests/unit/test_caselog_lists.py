"""Case-log lists (issue 11, point 9; content review C28–C30): the causes `judi` and
`utang_pinjol`, `tidak_diketahui` for education and occupation, and the SIMFONI mapping of
every value of the lists SIMFONI records — in the data and in the documentation."""
import io
import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from course_app.extensions import db
from course_app.models.caselog import Lookup
from course_app.services.caselog import imports, lookups
from course_app.services.caselog.parsing import CategoryMatcher
from course_app.services.caselog.reference import LOOKUP_KINDS, SEED, SIMFONI

from .. import factories
from ..caselog_import_builders import import_csv, import_row

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _lists():
    factories.seed_caselog()


def english(message):
    with (ROOT / "course_app/translations/en/LC_MESSAGES/messages.po").open("rb") as po:
        entry = read_po(io.BytesIO(po.read())).get(message)
    return entry.string if entry else None


def test_causes_include_gambling_and_debts_from_illegal_online_loans():
    causes = {x.code: x for x in lookups.lookups("cause")}
    assert causes["judi"].label == "Judi/judi online"
    assert causes["utang_pinjol"].label == "Utang/pinjaman online (pinjol)"
    order = [x.code for x in lookups.lookups("cause")]
    assert order.index("judi") < order.index("utang_pinjol") < order.index("lainnya") == len(order) - 1
    assert english("Judi/judi online") == "Gambling/online gambling"
    assert english("Utang/pinjaman online (pinjol)") == "Debts/online loans (pinjol)"


def test_a_mental_disorder_cause_is_the_perpetrators_diagnosed_one():
    kejiwaan = db.session.scalar(select(Lookup).where(Lookup.kind == "cause", Lookup.code == "kejiwaan"))
    assert kejiwaan.label == "Gangguan kejiwaan (pelaku, terdiagnosis)"
    matcher = CategoryMatcher(lookups.lookups("cause"))
    assert matcher.match("Gangguan kejiwaan") == "kejiwaan"  # what registers wrote before still reads


@pytest.mark.parametrize("written,code", [
    ("judi", "judi"), ("Judi online", "judi"), ("JUDI/JUDI ONLINE", "judi"),
    ("pinjol", "utang_pinjol"), ("Pinjaman online", "utang_pinjol"), ("utang", "utang_pinjol"),
    ("utang_pinjol", "utang_pinjol"),
])
def test_gambling_and_online_loan_causes_are_read_on_import(written, code):
    assert CategoryMatcher(lookups.lookups("cause")).match(written) == code


def test_an_imported_row_records_both_new_causes():
    result = imports.parse_file("polres.csv", import_csv([import_row(penyebab="judi online; pinjol")]),
                                "polres", today=TODAY)
    assert result.problems == []
    assert result.rows[0]["causes"] == ["judi", "utang_pinjol"]


def test_education_and_occupation_have_an_unknown_value_as_simfoni_has_na():
    for kind in ("education", "occupation"):
        assert "tidak_diketahui" in {x.code for x in lookups.lookups(kind)}
        assert SIMFONI[kind]["tidak_diketahui"] == "NA"


def test_every_value_of_a_list_simfoni_records_has_a_simfoni_mapping():
    assert set(SIMFONI) == {"violence_type", "place", "relationship", "service", "education",
                            "occupation", "marital_status"}
    for kind, mapping in SIMFONI.items():
        assert set(mapping) == {code for code, *_ in SEED[kind]}, kind
        for code, value in mapping.items():
            assert value is None or isinstance(value, (str, tuple)), (kind, code)
    services = {code for code, _label, grouping in SEED["service"] if grouping == "simfoni"}
    assert {code for code, value in SIMFONI["service"].items() if value} == services


def test_local_values_map_to_the_nearest_simfoni_value_review_c30():
    assert SIMFONI["place"]["daring"] == "Lainnya"
    assert SIMFONI["marital_status"]["cerai_hidup"] == SIMFONI["marital_status"]["cerai_mati"] == "Duda/Janda"
    assert SIMFONI["marital_status"]["kawin_belum_tercatat"] == "Sirri"
    assert SIMFONI["relationship"]["tidak_dikenal"] == "Lainnya"
    assert SIMFONI["relationship"]["mantan_pasangan"] == ("Suami/Istri", "Pacar/Teman")
    assert SIMFONI["violence_type"]["tppo"] == "Trafficking"


def _documented_rows(doc, kind):
    """{code: SIMFONI column} of the table under the heading that names `kind`."""
    section = next(part for part in doc.split("\n### ") if part.splitlines()[0].endswith(f"(`{kind}`)"))
    rows = re.finditer(r"^\| `([a-z0-9_]+)` \| [^|]+ \| ([^|]+) \|$", section, re.M)
    return {row.group(1): row.group(2).strip() for row in rows}


def test_the_simfoni_mappings_are_documented_as_the_data_says():
    doc = (ROOT / "docs" / "caselog-lists.md").read_text(encoding="utf-8")
    for kind, mapping in SIMFONI.items():
        documented = _documented_rows(doc, kind)
        expected = {code: ("— (not in SIMFONI's list; not exported)" if value is None
                           else " or ".join(value) if isinstance(value, tuple) else value)
                    for code, value in mapping.items()}
        assert documented == expected, LOOKUP_KINDS[kind]


def test_the_seeded_cause_and_supporting_lists_are_documented():
    reference = (ROOT / "course_app/caselog/reference/caselog-categories.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z0-9_]+)`", reference))
    for kind in ("cause", "education", "occupation", "marital_status"):
        assert {code for code, *_ in SEED[kind]} <= documented, kind
    doc = (ROOT / "docs" / "caselog-lists.md").read_text(encoding="utf-8")
    assert "`judi`" in doc and "`utang_pinjol`" in doc
