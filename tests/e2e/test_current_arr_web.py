"""The account page and the segment view show current ARR once subscriptions are running."""

from datetime import timedelta

from cstier.domain.permissions import SYSTEM_ACTOR
from cstier.extensions import db
from cstier.models import Subscription
from cstier.models.base import utcnow
from cstier.services.tiering.run import run_tiering
from cstier.services.tiering.schemes import ensure_default_schemes
from tests.factories import AccountFactory, CompanyFactory


def test_account_page_shows_current_arr_from_active_subscriptions(client, auth, viewer):
    today = utcnow().date()
    account = AccountFactory(company=CompanyFactory(), arr_cents=10_000_00)
    plain = AccountFactory(company=CompanyFactory(), arr_cents=150_000_00)
    for number, start in enumerate((today - timedelta(days=60), today - timedelta(days=1))):
        db.session.add(
            Subscription(
                external_id=f"SUB-{number}",
                account_id=account.id,
                product="Platform",
                start_date=start,
                mrr_cents=13_000_00,
            )
        )
    ensure_default_schemes(db.session)  # as setting the workspace up does
    db.session.commit()
    run_tiering(db.session, SYSTEM_ACTOR, trigger="cli")
    auth.login(viewer.email)

    page = client.get(f"/accounts/{account.id}").get_data(as_text=True)
    assert 'id="account-arr">$312,000<' in page
    source = page.split('id="account-arr-source">', 1)[1].split("</span>", 1)[0]
    assert source == "current, from 2 active subscriptions (ARR field $10,000)"
    assert "ARR 312,000 ≥ 250,000 → Strategic" in page

    other = client.get(f"/accounts/{plain.id}").get_data(as_text=True)
    assert 'id="account-arr">$150,000<' in other
    assert "account-arr-source" not in other
