"""Admin pages over HTTP: users, workspace settings and custom attributes."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cstier.extensions import db
from cstier.models import Account, CustomAttribute, User, Workspace
from cstier.services import users
from cstier.services.login_limits import LoginLimits
from tests.factories import PASSWORD, AccountFactory, UserFactory


def stored_user(user_id: int) -> User:
    with Session(db.engine, expire_on_commit=False) as fresh:
        return fresh.get(User, user_id)


def user_count() -> int:
    with Session(db.engine) as fresh:
        return fresh.scalar(select(func.count(User.id)))


def new_user_form(**changes) -> dict:
    data = {
        "email": "newbie@example.com",
        "name": "Nia Newbie",
        "role": "csm",
        "password": "a-long-secret",
    }
    return data | changes


def test_admin_creates_a_user_who_can_sign_in(client, auth, admin):
    auth.login(admin.email)

    response = client.post("/admin/users", data=new_user_form())

    assert response.status_code == 302
    listing = client.get("/admin/users").get_data(as_text=True)
    assert "User newbie@example.com created." in listing
    assert "<td>newbie@example.com</td>" in listing
    auth.logout()
    assert auth.login("newbie@example.com", "a-long-secret").status_code == 302
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert b"Nia Newbie" in dashboard.data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "admin@example.com"}, "A user with email admin@example.com already exists."),
        ({"password": "short"}, "Field must be at least 8 characters long."),
        ({"email": "nobody"}, "Invalid email address."),
        ({"role": "overlord"}, "Not a valid choice."),
        ({"name": ""}, "This field is required."),
    ],
    ids=["duplicate email", "short password", "bad email", "unknown role", "no name"],
)
def test_invalid_new_user_is_refused_with_a_message(client, auth, admin, changes, message):
    auth.login(admin.email)
    before = user_count()

    response = client.post("/admin/users", data=new_user_form(**changes))

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert user_count() == before


def test_admin_changes_role_and_deactivates_a_user(client, auth, admin, csm):
    auth.login(admin.email)

    response = client.post(
        f"/admin/users/{csm.id}",
        data={"name": "Cleo Lead", "role": "cs_manager", "active": "", "version": "1"},
    )

    assert response.status_code == 302
    saved = stored_user(csm.id)
    assert (saved.name, saved.role, saved.active) == ("Cleo Lead", "cs_manager", False)
    auth.logout()
    assert auth.login(csm.email).status_code == 401


def test_admin_reactivates_a_user(client, auth, admin, db_session):
    dormant = UserFactory(role="viewer", active=False)
    auth.login(admin.email)

    client.post(
        f"/admin/users/{dormant.id}",
        data={"name": dormant.name, "role": "viewer", "active": "y", "version": "1"},
    )

    assert stored_user(dormant.id).active is True


def test_admin_resets_a_password(client, auth, admin, csm):
    auth.login(admin.email)
    client.post(
        f"/admin/users/{csm.id}",
        data={
            "name": csm.name,
            "role": "csm",
            "active": "y",
            "password": "brand-new-pass",
            "version": "1",
        },
    )
    auth.logout()
    assert auth.login(csm.email, "brand-new-pass").status_code == 302


@pytest.mark.parametrize(
    "data",
    [
        {"name": "Ada Admin", "role": "admin", "active": ""},
        {"name": "Ada Admin", "role": "viewer", "active": "y"},
    ],
    ids=["deactivate", "demote"],
)
def test_admin_cannot_deactivate_or_demote_themselves(client, auth, admin, data):
    auth.login(admin.email)

    response = client.post(f"/admin/users/{admin.id}", data=data)

    assert response.status_code == 400
    assert "You cannot remove your own admin role or deactivate yourself." in response.get_data(
        as_text=True
    )
    saved = stored_user(admin.id)
    assert (saved.role, saved.active) == ("admin", True)
    assert client.get("/admin/users").status_code == 200


def test_a_stale_user_save_is_a_conflict_that_keeps_the_edits(client, auth, admin, csm):
    auth.login(admin.email)
    opened = client.get(f"/admin/users/{csm.id}").get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in opened
    client.post(
        f"/admin/users/{csm.id}",
        data={"name": "Theirs", "role": "csm", "active": "y", "version": "1"},
    )

    response = client.post(
        f"/admin/users/{csm.id}",
        data={"name": "My Edit", "role": "viewer", "active": "y", "version": "1"},
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved this user after you opened it." in html
    assert 'value="My Edit"' in html
    saved = stored_user(csm.id)
    assert (saved.name, saved.role, saved.version) == ("Theirs", "csm", 2)


def test_signing_in_does_not_make_an_open_user_form_stale(client, auth, admin, csm):
    auth.login(admin.email)
    client.get(f"/admin/users/{csm.id}")
    signed_in = users.authenticate(db.session, csm.email, PASSWORD, None, limits=LoginLimits())
    assert signed_in is not None

    response = client.post(
        f"/admin/users/{csm.id}",
        data={"name": "Cleo", "role": "csm", "active": "y", "version": "1"},
    )

    assert response.status_code == 302
    saved = stored_user(csm.id)
    assert saved.name == "Cleo" and saved.last_login_at is not None


def test_unknown_user_is_404(client, auth, admin):
    auth.login(admin.email)
    assert client.get("/admin/users/999999").status_code == 404


def stored_workspace() -> Workspace | None:
    with Session(db.engine, expire_on_commit=False) as fresh:
        return fresh.get(Workspace, 1)


def settings_form(**changes) -> dict:
    data = {
        "name": "Acme CS",
        "account_unit": "department",
        "timezone": "Europe/Berlin",
        "currency": "eur",
        "version": "1",
        "submit": "Save settings",
    }
    return data | changes


def test_admin_changes_workspace_settings(client, auth, admin):
    auth.login(admin.email)

    response = client.post("/admin/settings", data=settings_form())

    assert response.status_code == 302
    ws = stored_workspace()
    assert (ws.name, ws.account_unit, ws.timezone, ws.currency) == (
        "Acme CS",
        "department",
        "Europe/Berlin",
        "EUR",
    )
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "Settings saved." in page
    assert 'value="Europe/Berlin"' in page


def test_a_stale_settings_save_is_a_conflict_that_keeps_the_edits(client, auth, admin):
    auth.login(admin.email)
    opened = client.get("/admin/settings").get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in opened
    client.post("/admin/settings", data=settings_form(name="Theirs"))

    response = client.post(
        "/admin/settings", data=settings_form(name="Mine", timezone="Asia/Tokyo")
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved this settings page after you opened it." in html
    assert 'value="Mine"' in html and 'value="Asia/Tokyo"' in html
    ws = stored_workspace()
    assert (ws.name, ws.timezone, ws.version) == ("Theirs", "Europe/Berlin", 2)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "Unknown timezone"),
        ({"account_unit": "galaxy"}, "Not a valid choice."),
        ({"currency": "EURO"}, "Field must be exactly 3 characters long."),
    ],
    ids=["bad timezone", "bad unit", "bad currency"],
)
def test_bad_settings_show_a_field_error_and_save_nothing(client, auth, admin, changes, message):
    auth.login(admin.email)
    client.get("/admin/settings")  # a read: the workspace row is still never saved
    assert stored_workspace() is None

    response = client.post("/admin/settings", data=settings_form(**changes))

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert "invalid-feedback" in html
    assert stored_workspace() is None


def attribute_form(**changes) -> dict:
    data = {
        "attr-key": "nps_score",
        "attr-label": "NPS score",
        "attr-data_type": "number",
        "attr-category": "behavioural",
        "attr-choices": "",
        "attr-submit": "Add attribute",
    }
    return data | {f"attr-{k}": v for k, v in changes.items()}


def test_admin_adds_a_custom_attribute(client, auth, admin):
    auth.login(admin.email)

    response = client.post("/admin/settings", data=attribute_form(choices=""))

    assert response.status_code == 302
    with Session(db.engine) as fresh:
        attribute = fresh.scalars(select(CustomAttribute)).one()
        assert (attribute.key, attribute.label, attribute.data_type) == (
            "nps_score",
            "NPS score",
            "number",
        )
    assert "<code>nps_score</code>" in client.get("/admin/settings").get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"key": "Bad Key"}, "Use lower-case letters, digits and underscores"),
        ({"key": "9lives"}, "Use lower-case letters, digits and underscores"),
        ({"key": "taken"}, "An attribute with key taken already exists."),
        (
            {"data_type": "choice", "choices": " , "},
            "A choice attribute needs at least one choice.",
        ),
    ],
    ids=["spaces", "leading digit", "duplicate", "choice without choices"],
)
def test_bad_custom_attribute_is_refused(client, auth, admin, changes, message):
    auth.login(admin.email)
    client.post("/admin/settings", data=attribute_form(key="taken"))

    response = client.post("/admin/settings", data=attribute_form(**changes))

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with Session(db.engine) as fresh:
        assert fresh.scalars(select(CustomAttribute.key)).all() == ["taken"]


def account_form(account: Account, **extra) -> dict:
    data = {
        "name": account.name,
        "external_id": account.external_id,
        "unit_type": account.unit_type,
        "company_id": str(account.company_id),
        "department_id": "",
        "contact_id": "",
        "csm_id": "",
        "arr": str(Decimal(account.arr_cents) / 100),
        "plan": account.plan or "",
        "lifecycle_stage": account.lifecycle_stage,
        "contract_start_date": account.contract_start_date.isoformat(),
        "renewal_date": account.renewal_date.isoformat(),
        "version": str(account.version),
    }
    return data | extra


@pytest.mark.parametrize(
    ("data_type", "choices", "posted", "expected"),
    [
        ("number", "", "42.5", 42.5),
        ("text", "", "Salesforce", "Salesforce"),
        ("date", "", "2026-03-01", "2026-03-01"),
        ("choice", "gold, silver", "silver", "silver"),
        ("boolean", "", "y", True),
    ],
)
def test_custom_attribute_appears_on_the_account_form_and_is_saved(
    client, auth, admin, data_type, choices, posted, expected
):
    account = AccountFactory(attributes={"legacy": "kept"})
    auth.login(admin.email)
    client.post(
        "/admin/settings",
        data=attribute_form(key="signal", label="Key signal", data_type=data_type, choices=choices),
    )

    form = client.get(f"/accounts/{account.id}/edit").get_data(as_text=True)
    assert 'name="attr_signal"' in form
    assert "Key signal" in form

    response = client.post(
        f"/accounts/{account.id}/edit", data=account_form(account, attr_signal=posted)
    )

    assert response.status_code == 302
    with Session(db.engine) as fresh:
        attributes = fresh.get(Account, account.id).attributes
    assert attributes == {"legacy": "kept", "signal": expected}
    show = client.get(f"/accounts/{account.id}").get_data(as_text=True)
    assert "Key signal" in show


def test_clearing_a_custom_attribute_removes_it(client, auth, admin, db_session):
    account = AccountFactory(attributes={"signal": "old value"})
    auth.login(admin.email)
    client.post(
        "/admin/settings", data=attribute_form(key="signal", label="Signal", data_type="text")
    )

    client.post(f"/accounts/{account.id}/edit", data=account_form(account, attr_signal=""))

    with Session(db.engine) as fresh:
        assert fresh.get(Account, account.id).attributes == {}


def stored_attribute(key: str) -> CustomAttribute:
    with Session(db.engine, expire_on_commit=False) as fresh:
        return fresh.scalars(select(CustomAttribute).where(CustomAttribute.key == key)).one()


def test_admin_edits_a_custom_attribute_and_a_stale_edit_is_refused(client, auth, admin):
    auth.login(admin.email)
    client.post(
        "/admin/settings", data=attribute_form(key="plan_fit", data_type="choice", choices="a, b")
    )
    attribute_id = stored_attribute("plan_fit").id
    url = f"/admin/attributes/{attribute_id}"
    assert url in client.get("/admin/settings").get_data(as_text=True)
    opened = client.get(url).get_data(as_text=True)
    assert "a\nb\n</textarea>" in opened and 'name="version" type="hidden" value="1"' in opened
    edit = {"label": "Plan fit", "category": "behavioural", "choices": "a, b, c", "version": "1"}

    saved = client.post(url, data=edit)
    late = client.post(url, data=edit | {"label": "Mine"})

    assert saved.status_code == 302
    assert late.status_code == 409 and 'value="Mine"' in late.get_data(as_text=True)
    attribute = stored_attribute("plan_fit")
    assert (attribute.label, attribute.choices, attribute.version) == (
        "Plan fit",
        ["a", "b", "c"],
        2,
    )


def test_a_choice_attribute_keeps_at_least_one_choice(client, auth, admin):
    auth.login(admin.email)
    client.post(
        "/admin/settings", data=attribute_form(key="plan_fit", data_type="choice", choices="a")
    )
    url = f"/admin/attributes/{stored_attribute('plan_fit').id}"

    response = client.post(
        url, data={"label": "X", "category": "behavioural", "choices": " , ", "version": "1"}
    )

    assert response.status_code == 400
    assert "A choice attribute needs at least one choice." in response.get_data(as_text=True)
    assert stored_attribute("plan_fit").choices == ["a"]


def test_choices_holding_commas_survive_an_edit(client, auth, admin):
    auth.login(admin.email)
    client.post(
        "/admin/settings",
        data=attribute_form(key="fit", data_type="choice", choices="Good, strong\nWeak\n"),
    )
    attribute = stored_attribute("fit")
    assert attribute.choices == ["Good, strong", "Weak"]
    url = f"/admin/attributes/{attribute.id}"
    opened = client.get(url).get_data(as_text=True)
    assert "Good, strong\nWeak\n</textarea>" in opened
    edit = {"label": "Fit", "category": "behavioural", "version": "1"}
    client.post(url, data=edit | {"choices": "Good, strong\nWeak\n"})
    assert stored_attribute("fit").choices == ["Good, strong", "Weak"]
