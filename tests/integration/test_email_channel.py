"""The email channel sends through a real SMTP server."""

from cstier.notify.email import Email, send_emails
from tests.smtp import smtp_inbox  # noqa: F401 - fixture


def test_send_emails_delivers_text_and_html(app, smtp_inbox):  # noqa: F811
    with app.app_context():
        sent = send_emails(
            [
                Email(to=("ana@example.com",), subject="Hi", text="plain", html="<p>rich</p>"),
                Email(to=("bo@example.com",), subject="Yo", text="only text"),
            ]
        )
    assert sent == 2
    (first,) = smtp_inbox.to("ana@example.com")
    assert first["Subject"] == "Hi"
    kinds = {part.get_content_type() for part in first.walk()}
    assert {"text/plain", "text/html"} <= kinds
    (second,) = smtp_inbox.to("bo@example.com")
    assert second.get_payload().strip() == "only text"
