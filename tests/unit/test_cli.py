"""Flask CLI commands: creating staff accounts and demo data (product §2)."""
import json

from sqlalchemy import func, select

from course_app.extensions import db
from course_app.models import ROLES, Couple, CoupleMember, User
from course_app.services import accounts, couples
from tests import factories

STAFF_PASSWORD = "Kantor-P3A-Oebobo-2026"


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def create_user(runner, *args):
    return runner.invoke(args=["users", "create", *args])


def test_users_create_makes_a_user_with_several_roles(runner):
    result = create_user(runner, "--email", "Peninjau@Contoh.test", "--role", "reviewer",
                         "--role", "admin", "--password", STAFF_PASSWORD, "--name", "Peninjau Kantor")

    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "peninjau@contoh.test"))
    assert user.role_codes == {"reviewer", "admin"}
    assert user.full_name == "Peninjau Kantor"
    assert f"created user {user.id} with roles admin, reviewer" in result.output
    assert accounts.authenticate("peninjau@contoh.test", STAFF_PASSWORD) == user


def test_users_create_names_the_user_after_the_email_by_default(runner):
    result = create_user(runner, "--email", "petugas.kua@contoh.test", "--role", "officiant",
                         "--password", STAFF_PASSWORD)
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User.full_name)) == "petugas.kua"


def test_users_create_refuses_an_unknown_role(runner):
    result = create_user(runner, "--email", "bos@contoh.test", "--role", "superuser",
                         "--password", STAFF_PASSWORD)

    assert result.exit_code == 2
    assert "Invalid value for '--role'" in result.output and "superuser" in result.output
    assert count(User) == 0


def test_users_create_refuses_a_duplicate_without_a_traceback(runner):
    factories.make_user(email="peninjau@contoh.test", roles=("reviewer",))
    db.session.commit()

    result = create_user(runner, "--email", "PENINJAU@contoh.test", "--role", "admin",
                         "--password", STAFF_PASSWORD)

    assert result.exit_code == 1
    assert "Email ini sudah terdaftar" in result.output
    assert "Traceback" not in result.output
    assert count(User) == 1
    assert db.session.scalar(select(User)).role_codes == {"reviewer"}


def test_users_create_refuses_a_weak_password(runner):
    result = create_user(runner, "--email", "peninjau@contoh.test", "--role", "reviewer",
                         "--password", "password123")

    assert result.exit_code == 1
    assert "terlalu mudah ditebak" in result.output and "Traceback" not in result.output
    assert count(User) == 0


def test_users_list_shows_ids_emails_and_roles(runner):
    user = factories.make_user(email="peninjau@contoh.test", roles=("reviewer", "admin"))
    db.session.commit()

    result = runner.invoke(args=["users", "list"])

    assert result.exit_code == 0
    assert f"{user.id}\tpeninjau@contoh.test\tadmin,reviewer" in result.output


def run_demo(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_demo_prints_one_account_per_role_whose_credentials_log_in(app, runner):
    printed = run_demo(runner)

    assert {account["role"] for account in printed["accounts"]} == set(ROLES)
    for account in printed["accounts"]:
        user = accounts.authenticate(account["email"], account["password"])
        assert account["role"] in user.role_codes
        factories.log_in(app.test_client(), user, password=account["password"])


def test_demo_forms_a_couple_of_the_two_participants(runner):
    printed = run_demo(runner)

    couple = db.session.get(Couple, printed["couple"]["id"])
    emails = sorted(m.user.email for m in couple.active_members)
    assert emails == sorted(printed["couple"]["members"])
    assert all("participant" in m.user.role_codes for m in couple.active_members)


def test_demo_twice_creates_no_duplicates_and_restores_the_passwords(runner):
    first = run_demo(runner)
    users, memberships = count(User), count(CoupleMember)
    admin_account = next(a for a in first["accounts"] if a["role"] == "admin")
    demo_admin = accounts.find_user_by_email(admin_account["email"])
    accounts.set_password(demo_admin, "Sandi-Diganti-Orang-Lain")
    db.session.commit()

    second = run_demo(runner)

    assert second == first
    assert (count(User), count(CoupleMember), count(Couple)) == (users, memberships, 2)
    assert users == len(ROLES) + 4  # two couples of participants, a case supervisor
    assert accounts.authenticate(demo_admin.email, admin_account["password"]) == demo_admin


def test_demo_is_refused_when_demo_data_is_not_allowed(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "DEMO_ALLOWED", False)

    result = runner.invoke(args=["demo"])

    assert result.exit_code == 1
    assert "demo data is disabled" in result.output and "DEMO_ALLOWED" in result.output
    assert count(User) == 0


def test_demo_joins_the_partner_even_if_they_left(runner):
    first = run_demo(runner)
    partner = accounts.find_user_by_email(first["couple"]["members"][1])
    couples.leave_couple(partner)
    db.session.commit()

    second = run_demo(runner)

    assert couples.current_couple(partner).id == second["couple"]["id"]


def test_demo_caseworker_owns_cases_with_a_referral_an_overdue_task_and_a_closure_to_decide(runner):
    """"Kasus saya", "Tugas saya" and a supervisor's decision can be tried on the demo at once;
    a second run adds nothing."""
    from course_app.models.caselog import Case, CaseTask, ClosureRequest, Referral
    from course_app.services import clock
    from course_app.services.caselog import management
    from course_app.services.caselog.management import tasks

    printed = run_demo(runner)
    caseworker = accounts.find_user_by_email("kasus@demo.pranikah.example")
    supervisor = accounts.find_user_by_email("supervisor.kasus@demo.pranikah.example")
    owned = db.session.scalars(select(Case).where(Case.owner_id == caseworker.id)).all()

    assert management.is_supervisor(supervisor) and not management.is_supervisor(caseworker)
    assert management.list_scope(caseworker) == "saya" and len(owned) == 8
    assert {case.supervisor_id for case in owned} == {supervisor.id}
    assert count(Referral) == 1
    groups = tasks.my_tasks(caseworker, today=clock.today())
    assert len(groups["overdue"]) == 1 and len(groups["soon"]) == 1
    waiting = db.session.scalars(select(ClosureRequest)).all()
    assert [request.state for request in waiting] == ["pending"]
    assert waiting[0].case.owner_id == caseworker.id

    run_demo(runner)

    assert (count(Referral), count(CaseTask), count(ClosureRequest)) == (1, 2, 1)
    assert printed["cases"] == count(Case)
