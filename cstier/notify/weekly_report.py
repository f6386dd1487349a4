"""The weekly report as an email: HTML and plain text from Jinja templates, account data escaped."""

from flask import current_app, render_template

from cstier.notify.email import Email

EMAIL_ROWS = 10  # the email lists the first rows of each section; the page has them all


def weekly_report_email(week: str, content: dict, name: str, address: str) -> Email:
    """Return the email of one weekly report to one recipient."""
    base = current_app.config.get("BASE_URL") or ""
    values = {
        "week": week,
        "content": content,
        "recipient": name,
        "rows": EMAIL_ROWS,
        "link": f"{base}/reports/weekly/{week}" if base else None,
    }
    return Email(
        to=(address,),
        subject=f"Weekly tier review {week}",
        # .html templates are autoescaped; the text part is plain text, so nothing to escape.
        text=render_template("email/weekly_report.txt", **values),
        html=render_template("email/weekly_report.html", **values),
    )
