"""Cases (issue 5, point 1): the model's rules, status history, services log, lookup lists,
the append-only audit log and synthetic data."""
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from course_app.extensions import db
from course_app.models.caselog import AuditEntry, Case, CaseCategory, Lookup, StatusChange, Victim
from course_app.services import DomainError
from course_app.services.caselog import cases, lookups, synthetic
from course_app.services.caselog.cases import CaseRuleError
from course_app.services.caselog.reference import SEED

from .. import factories

TODAY = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _lists():
    factories.seed_caselog()


def test_seeding_loads_every_reference_code_and_is_idempotent():
    reference = (Path(__file__).resolve().parents[2] / "course_app/caselog/reference/caselog-categories.md").read_text()
    for kind in ("violence_type", "cause", "impact", "service", "service_status", "relationship", "place",
                 "source", "legal_stage"):
        codes = {x.code for x in lookups.lookups(kind)}
        assert codes == {code for code, *_ in SEED[kind]}
    documented = set(re.findall(r"`([a-z0-9_]+)`", reference))
    seeded = {code for kind in ("violence_type", "cause", "impact", "service", "service_status",
                                "relationship", "place", "source", "legal_stage") for code, *_ in SEED[kind]}
    assert seeded <= documented
    assert len(lookups.kecamatan_list()) == 6 and len(lookups.kelurahan_list()) == 51
    assert lookups.seed_reference_data() == 0


def test_a_case_gets_a_yearly_number_and_an_opening_in_its_history():
    first = factories.make_case(report_date=date(2026, 3, 4))
    second = factories.make_case(report_date=date(2026, 5, 1))
    older = factories.make_case(report_date=date(2025, 5, 1), incident_date=date(2025, 4, 1))
    assert (first.number, second.number, older.number) == ("P3A-2026-00001", "P3A-2026-00002", "P3A-2025-00001")
    assert [(s.from_status, s.to_status) for s in first.status_changes] == [(None, "open")]


def test_every_broken_rule_is_reported_at_once_with_its_field():
    payload = factories.case_payload(incident_date=date(2026, 5, 2), report_date=date(2026, 5, 1), types=[],
                                     kecamatan_id=None, place="nowhere",
                                     victims=[{"name": "", "sex": None, "birth_date": date(2026, 6, 1)}])
    with pytest.raises(CaseRuleError) as refused:
        cases.create_case(payload, None, today=TODAY)
    fields = {field for field, _message in refused.value.problems}
    assert fields == {"incident_date", "types", "kecamatan_id", "place", "victims-0-name", "victims-0-sex",
                      "victims-0-birth_date"}
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0


def test_kelurahan_must_lie_in_the_kecamatan_and_outside_the_city_needs_a_place():
    with pytest.raises(CaseRuleError, match="tidak berada di kecamatan"):
        factories.make_case(kecamatan_id=factories.kecamatan_id("Alak"),
                            kelurahan_id=factories.kelurahan_id("Oebobo"))
    with pytest.raises(CaseRuleError, match="luar Kota Kupang"):
        factories.make_case(kecamatan_id=None, outside_city=True, location_detail="")


def test_the_same_external_reference_from_the_same_source_is_refused():
    first = factories.make_case(source="polres", external_ref="LP/1")
    with pytest.raises(CaseRuleError, match=first.number):
        factories.make_case(source="polres", external_ref="LP/1")
    factories.make_case(source="sapa129", external_ref="LP/1")  # another source, another report


def test_a_report_recorded_meanwhile_is_refused_and_undoes_only_its_own_write(monkeypatch):
    """The check before the write passes (the other request had not committed yet); the
    database's unique constraint refuses the write; only that write is undone."""
    first = factories.make_case(source="polres", external_ref="LP/2")
    check = cases._check_unique_reference
    calls = []

    def too_early(data, case=None):
        calls.append(data)
        if len(calls) > 1:
            check(data, case)

    monkeypatch.setattr(cases, "_check_unique_reference", too_early)
    with pytest.raises(CaseRuleError, match=first.number):
        factories.make_case(source="polres", external_ref="LP/2")
    assert db.session.scalars(select(Case.external_ref)).all() == ["LP/2"]  # the caller's case stays


def test_a_case_written_alone_or_in_a_batch_gets_the_same_derived_columns():
    from course_app.services.caselog.payload import LookupIndex
    from course_app.services.caselog.writer import write_cases

    def payload(ref):
        return factories.case_payload(
            external_ref=ref, narrative="Kronologi sintetis", incident_date=date(2026, 1, 10),
            report_date=date(2026, 3, 4),
            causes=[], impacts=["trauma", "trauma"],
            victims=[{"name": "Anak", "sex": "P", "birth_date": date(2014, 5, 1)},
                     {"name": "Dewasa", "sex": "P", "age": 40}],
            perpetrators=[{"name": "P", "sex": "L", "age": 17}],
            relationships={(0, 0): "keluarga"},  # the second victim's pair: not recorded
            services=[{"victim": 1, "service": "pengaduan", "status": "dilayani",
                       "service_date": date(2026, 3, 5)}])

    index = LookupIndex()
    alone = write_cases([payload("ALONE")], index)
    batch = write_cases([payload("BATCH-1"), payload("BATCH-2")], index)
    db.session.commit()
    db.session.expire_all()

    def derived(case_id):
        case = db.session.get(Case, case_id)
        return (case.delay_days, case.victim_count, case.cause_recorded, case.impact_recorded,
                [(v.age_at_incident, v.age_group, v.report_date) for v in case.victims],
                [(p.age_at_incident, p.age_group) for p in case.perpetrators],
                sorted((c.kind, c.lookup.code, c.report_date, c.victim_count)
                       for c in case.categories), case.victim_mask,
                sorted(r.report_date for r in case.relationships), case.narrative,
                [v.name for v in case.victims],
                (case.cause_mask, case.impact_mask, case.type_mask, case.relationship_mask, case.service_mask),
                sorted((r.victim.name, r.service_mask, r.victim_mask) for r in case.relationships))

    assert derived(alone[0]) == derived(batch[0]) == derived(batch[1])
    assert derived(alone[0])[:4] == (53, 2, False, True)
    bit = {(lookup.kind, lookup.code): lookup.bit for lookup in db.session.scalars(select(Lookup))}
    masks, pairs = derived(alone[0])[-2:]
    assert masks == (0, 1 << bit["impact", "trauma"], 1 << bit["violence_type", "fisik"],
                     1 << bit["relationship", "keluarga"] | 1 << 0, 1 << bit["service", "pengaduan"])
    assert [(name, service_mask) for name, service_mask, _v in pairs] == [
        ("Anak", 0), ("Dewasa", 1 << bit["service", "pengaduan"])]


def test_editing_keeps_people_by_identity_and_relationships_per_pair():
    case = factories.make_case(victims=[{"name": "A", "sex": "P", "age": 9}, {"name": "B", "sex": "P", "age": 11}],
                               relationships={(0, 0): "orang_tua", (1, 0): "orang_tua"})
    first_id = case.victims[0].id
    payload = cases.payload_from_case(case)
    payload["victims"] = [payload["victims"][0]]
    payload["perpetrators"].append({"name": "Pelaku Dua", "sex": "L", "age": 20})
    payload["relationships"] = {(0, 0): "orang_tua", (0, 1): "tetangga"}
    cases.update_case(case, payload, None, today=TODAY)
    db.session.commit()
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert [v.id for v in case.victims] == [first_id] and case.victim_count == 1
    by_perpetrator = {r.perpetrator.name: r.relationship_kind.code for r in case.relationships}
    assert by_perpetrator[case.perpetrators[0].name] == "orang_tua" and by_perpetrator["Pelaku Dua"] == "tetangga"
    assert db.session.scalar(select(func.count()).select_from(Victim)) == 1


def test_a_victim_with_services_cannot_be_removed():
    user = factories.make_user(roles=("caseworker",))
    case = factories.make_case(victims=[{"name": "A", "sex": "P", "age": 9}, {"name": "B", "sex": "P", "age": 11}],
                               relationships={})
    cases.add_service(case, victim_id=case.victims[1].id, service="pengaduan", status="dilayani",
                      service_date=date(2026, 3, 5), user=user, today=TODAY)
    payload = cases.payload_from_case(case)
    payload["victims"] = payload["victims"][:1]
    with pytest.raises(CaseRuleError, match="catatan layanan"):
        cases.update_case(case, payload, user, today=TODAY)


def test_status_follows_the_workflow_and_keeps_its_history():
    from course_app.services.caselog.management import closure

    user = factories.make_user(roles=("caseworker",))
    supervisor = factories.make_user(roles=("caseworker",))
    supervisor.case_supervisor = True
    case = factories.make_case()
    cases.change_status(case, "in_handling", user, note="Pendampingan dimulai")
    cases.change_status(case, "referred", user)
    # Closing goes through a request a supervisor approves (issue 13 point 2).
    closure.decide_closure(closure.request_closure(case, reason="selesai_ditangani", user=user), case,
                           approve=True, user=supervisor)
    with pytest.raises(DomainError):
        cases.change_status(case, "referred", user)  # closed: only reopening
    cases.change_status(case, "in_handling", user)
    history = db.session.scalars(select(StatusChange).where(StatusChange.case_id == case.id)
                                 .order_by(StatusChange.id)).all()
    assert [(h.from_status, h.to_status) for h in history] == [
        (None, "open"), ("open", "in_handling"), ("in_handling", "referred"), ("referred", "closed"),
        ("closed", "in_handling")]
    assert history[1].note == "Pendampingan dimulai"
    with pytest.raises(DomainError):
        cases.change_status(case, "open", user)


def test_mediation_is_refused_for_sexual_violence():
    """UU 12/2022 (TPKS), art. 23: sexual violence is not settled out of court."""
    user = factories.make_user(roles=("caseworker",))
    case = factories.make_case(types=["seksual"])
    with pytest.raises(DomainError, match="Mediasi"):
        cases.add_service(case, victim_id=case.victims[0].id, service="mediasi", status="dilayani",
                          service_date=date(2026, 3, 5), user=user, today=TODAY)
    other = factories.make_case(types=["psikis"])
    cases.add_service(other, victim_id=other.victims[0].id, service="mediasi", status="dilayani",
                      service_date=date(2026, 3, 5), user=user, today=TODAY)


def _mediation(case, user):
    return cases.add_service(case, victim_id=case.victims[0].id, service="mediasi", status="dilayani",
                             service_date=date(2026, 3, 5), user=user, today=TODAY)


def test_mediation_of_sexual_violence_is_allowed_only_for_a_child_offender_in_diversion():
    """UU 12/2022 (TPKS), art. 23: no settlement outside the court process "kecuali terhadap
    pelaku Anak" — the child offender's diversion under UU 11/2012 (SPPA)."""
    user = factories.make_user(roles=("caseworker",))
    teenager = {"name": "Pelaku Remaja Sintetis", "sex": "L", "age": 16}
    victim = [{"name": "Korban Remaja Sintetis", "sex": "P", "age": 15, "address": "Jl. Contoh"}]
    common = dict(types=["seksual"], kdrt=False, victims=victim, relationships={(0, 0): "pacar_teman"},
                  guardian_consent=True, guardian_name="Wali Sintetis")
    in_diversion = factories.make_case(perpetrators=[teenager], legal_stage="diversi", **common)
    assert _mediation(in_diversion, user).service.code == "mediasi"

    not_yet = factories.make_case(perpetrators=[teenager], legal_stage="penyidikan", **common)
    with pytest.raises(DomainError, match="catat dahulu proses hukum 'Diversi \\(anak\\)'"):
        _mediation(not_yet, user)

    by_age_group = factories.make_case(perpetrators=[{"name": None, "sex": "L", "age_group": "0-17"}],
                                       legal_stage="diversi", **common)
    assert _mediation(by_age_group, user).service.code == "mediasi"

    adult = {"name": "Pelaku Dewasa Sintetis", "sex": "L", "age": 19}
    with_an_adult = factories.make_case(perpetrators=[teenager, adult], legal_stage="diversi",
                                        **dict(common, relationships={(0, 0): "pacar_teman",
                                                                      (0, 1): "tidak_dikenal"}))
    age_unknown = factories.make_case(perpetrators=[{"name": None, "sex": "L"}], legal_stage="diversi",
                                      **common)
    for case in (with_an_adult, age_unknown):
        with pytest.raises(DomainError, match="Mediasi tidak boleh untuk kekerasan seksual") as refused:
            _mediation(case, user)
        assert "di bawah 18 tahun" in str(refused.value.message)
    assert [s.service.code for c in (not_yet, with_an_adult, age_unknown) for s in c.services] == []


def test_a_service_belongs_to_a_victim_of_the_same_case_and_keeps_its_dates_sane():
    user = factories.make_user(roles=("caseworker",))
    case, other = factories.make_case(), factories.make_case()
    common = dict(service="pengaduan", status="dilayani", user=user, today=TODAY)
    with pytest.raises(DomainError, match="korban dari kasus ini"):
        cases.add_service(case, victim_id=other.victims[0].id, service_date=date(2026, 3, 5), **common)
    with pytest.raises(DomainError, match="masa depan"):
        cases.add_service(case, victim_id=case.victims[0].id, service_date=date(2026, 12, 1), **common)
    with pytest.raises(DomainError, match="tindak lanjut"):
        cases.add_service(case, victim_id=case.victims[0].id, service_date=date(2026, 3, 5),
                          follow_up_date=date(2026, 3, 1), **common)


def test_a_lookup_in_use_is_never_deleted_but_can_be_switched_off():
    case = factories.make_case(causes=["miras"])
    used = db.session.scalar(select(Lookup).where(Lookup.kind == "cause", Lookup.code == "miras"))
    with pytest.raises(DomainError, match="tidak dapat dihapus"):
        lookups.delete_lookup(used)
    lookups.update_lookup(used, label="Minuman keras", active=False, position=5)
    assert "miras" not in {x.code for x in lookups.lookups("cause")}
    assert case.codes("cause") == ["miras"]
    fresh = lookups.add_lookup("cause", code="kecanduan_gim", label="Kecanduan gim")
    lookups.delete_lookup(fresh)
    assert db.session.get(Lookup, fresh.id) is None
    with pytest.raises(DomainError, match="sudah dipakai"):
        lookups.add_lookup("cause", code="miras", label="Lagi")
    with pytest.raises(DomainError, match="huruf kecil"):
        lookups.add_lookup("cause", code="Bad Code", label="x")


def test_synthetic_cases_are_realistic_repeatable_and_clearly_not_real():
    made = synthetic.generate(300, seed=5, start=date(2025, 1, 1), end=date(2026, 6, 30))
    db.session.commit()
    assert made == 300
    all_cases = db.session.scalars(select(Case)).all()
    assert all(c.narrative.startswith("[DATA SINTETIS]") for c in all_cases)
    assert all(c.external_ref.startswith("SINT-5-") for c in all_cases)
    victims = db.session.scalars(select(Victim)).all()
    women = sum(v.sex == "P" for v in victims) / len(victims)
    children = sum(v.age_at_incident is not None and v.age_at_incident < 18 for v in victims) / len(victims)
    assert 0.75 < women < 0.95 and 0.25 < children < 0.65
    assert db.session.scalar(select(func.count()).select_from(CaseCategory)
                             .where(CaseCategory.kind == "violence_type")) >= 300
    first_refs = sorted(c.external_ref for c in all_cases)[:3]
    # A second run continues the series instead of repeating the same references.
    synthetic.generate(10, seed=5, start=date(2025, 1, 1), end=date(2026, 6, 30))
    assert db.session.scalar(select(func.count()).select_from(Case)) == 310
    assert sorted(db.session.scalars(select(Case.external_ref)))[:3] == first_refs


def test_demo_cases_are_added_once():
    assert synthetic.add_demo_cases(count=40, seed=77) == 40
    assert synthetic.add_demo_cases(count=40, seed=77) == 0
    assert db.session.scalar(select(func.count()).select_from(Case)) == 40


def test_generate_command(runner):
    result = runner.invoke(args=["caselog", "generate", "--count", "25", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "generated 25 synthetic cases" in result.output
    assert db.session.scalar(select(func.count()).select_from(Case)) == 25
    assert db.session.scalar(select(AuditEntry.action)) == "generate"


def test_seed_command_is_idempotent(runner):
    result = runner.invoke(args=["caselog", "seed"])
    assert result.exit_code == 0 and "0 entries added" in result.output
