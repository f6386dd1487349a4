"""Email through Flask-Mailman: one SMTP connection per batch of messages."""

from dataclasses import dataclass

from flask import current_app
from flask_mailman import EmailMultiAlternatives

from cstier.extensions import mail


@dataclass(frozen=True)
class Email:
    """One message: plain text always, HTML when the sender has a rendered body."""

    to: tuple[str, ...]
    subject: str
    text: str
    html: str | None = None


def send_emails(emails: list[Email]) -> int:
    """Send the messages over one SMTP connection and return how many were sent.

    Raises the SMTP error of the first message that fails; the caller records which
    deliveries were sent before it, so nothing is sent twice on a retry.
    """
    if not emails:
        return 0
    config = current_app.config
    sent = 0
    with _smtp_connection(config) as connection:
        for email in emails:
            sent += _message(email, config, connection).send()
    return sent


def _message(email: Email, config, connection) -> EmailMultiAlternatives:
    """Return one email as the mail library sends it: text, and HTML where it has one."""
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.text,
        from_email=config["MAIL_DEFAULT_SENDER"],
        to=list(email.to),
        connection=connection,
    )
    if email.html is not None:
        message.attach_alternative(email.html, "text/html")
    return message


def _smtp_connection(config):
    # Settings are read per batch, not at init_app, so an operator's change and a test
    # server on a free port both take effect without rebuilding the app.
    return mail.get_connection(
        backend="smtp",
        fail_silently=False,
        host=config["MAIL_SERVER"],
        port=config["MAIL_PORT"],
        username=config.get("MAIL_USERNAME"),
        password=config.get("MAIL_PASSWORD"),
        use_tls=config.get("MAIL_USE_TLS", False),
        use_ssl=config.get("MAIL_USE_SSL", False),
        timeout=config.get("MAIL_TIMEOUT"),
    )


def send_each(emails: list[Email]) -> list[tuple[Exception | None, bool]]:
    """Send the messages over one connection; return (error, permanent) for each, in order.

    A recipient the server refuses (5xx) fails for good; a server that cannot be reached or
    answers 4xx leaves that message and the rest to retry.
    """
    import smtplib

    config = current_app.config
    results: list[tuple[Exception | None, bool]] = []
    try:
        with _smtp_connection(config) as connection:
            for email in emails:
                try:
                    _message(email, config, connection).send()
                    results.append((None, False))
                except smtplib.SMTPRecipientsRefused as exc:
                    codes = [code for code, _ in exc.recipients.values()]
                    results.append((exc, all(code >= 500 for code in codes)))
    except (OSError, smtplib.SMTPException) as exc:
        results += [(exc, False)] * (len(emails) - len(results))
    return results
