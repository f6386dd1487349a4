"""Template files and column documentation for each kind of import."""

import csv
import io

from cstier.domain.imports.columns import KindSpec

EXAMPLES = {
    "text": "Example",
    "int": "12",
    "float": "3.5",
    "money": "1234.50",
    "date": "2026-01-31",
    "bool": "true",
    "email": "name@example.com",
}


def describe_type(column) -> str:
    """Return a short, readable description of what a column accepts."""
    if column.type == "enum":
        return "one of " + ", ".join(column.choices)
    if column.ref:
        return f"external id of a row of {column.ref}" if column.ref != "csms" else "a CSM's email"
    words = {
        "text": "text",
        "int": "whole number",
        "float": "number",
        "money": "amount in currency units (two decimals; $1,234.50 and 1.234,50 accepted)",
        "date": "date YYYY-MM-DD (Excel dates, month names, and D/M/Y or M/D/Y once chosen)",
        "bool": "true or false",
        "email": "email address",
    }
    described = words[column.type]
    if column.max_length and column.type == "text":
        described += f", at most {column.max_length} characters"
    return described


def template_csv(kind: KindSpec) -> str:
    """Return a CSV with the kind's header and one example row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(kind.names)
    example = []
    for column in kind.columns:
        if column.type == "enum":
            example.append(column.choices[0])
        elif column.ref:
            example.append("" if not column.required else f"{column.ref[:3].upper()}-001")
        else:
            example.append(EXAMPLES[column.type])
    writer.writerow(example)
    return buffer.getvalue()
