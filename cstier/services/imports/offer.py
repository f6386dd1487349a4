"""What the mapping page offers for an uploaded file: the saved mapping, synonyms, attribute guesses."""

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.imports import KINDS, clean_text
from cstier.domain.imports.attributes import attribute_key, guess_type
from cstier.domain.imports.headers import ATTRIBUTE_PREFIX, suggest
from cstier.domain.imports.mapping import ImportMapping
from cstier.models import CustomAttribute
from cstier.services.imports.mappings import saved_mapping
from cstier.services.imports.reader import ReadLimits, Source, open_source

SAMPLE_ROWS = 200


@dataclass
class AttributeGuess:
    """A custom attribute the page offers to create for one header."""

    key: str
    data_type: str
    choices: list[str] = field(default_factory=list)


@dataclass
class MappingOffer:
    """The file's headers, the mapping to start from, and what attributes could be made."""

    headers: list[str]
    mapping: ImportMapping  # every header has an entry ('' when ignored)
    attributes: list[str]  # existing attribute keys, for attr.<key> targets
    guesses: dict[str, AttributeGuess]  # header -> attribute to create (accounts only)
    saved: bool  # whether a saved mapping was used


def offer_mapping(
    session: Session,
    kind: str,
    path: Path,
    encoding: str | None,
    limits: ReadLimits,
    chosen: ImportMapping | None = None,
) -> MappingOffer:
    """Return the page's starting point: the user's choices, else the saved mapping, else synonyms."""
    spec = KINDS[kind]
    source = open_source(path, encoding, limits)
    saved = saved_mapping(session, kind)
    start = chosen or saved or ImportMapping()
    columns = suggest(spec, source.headers, start.columns)
    mapping = ImportMapping(
        columns=columns,
        constants=dict(start.constants),
        defaults=dict(start.defaults),
        date_order=start.date_order,
        decimal=start.decimal,
        companies_from_accounts=start.companies_from_accounts,
    )
    keys = list(session.scalars(select(CustomAttribute.key).order_by(CustomAttribute.key)))
    guesses = {}
    if spec.allows_attributes:
        guesses = _guesses(source, columns, mapping)
    return MappingOffer(
        source.headers, mapping, keys, guesses, chosen is None and saved is not None
    )


def _guesses(
    source: Source, columns: dict[str, str], mapping: ImportMapping
) -> dict[str, AttributeGuess]:
    """Guess a key and type for every header that feeds no column of the kind."""
    loose = [
        h for h, target in columns.items() if not target or target.startswith(ATTRIBUTE_PREFIX)
    ]
    if not loose:
        return {}
    chunks = source.chunks({h: h for h in loose}, SAMPLE_ROWS)
    try:
        first = next(chunks, pd.DataFrame(columns=loose))
    finally:
        chunks.close()  # only the first rows are sampled: let the reader close the file
    sample = clean_text(first)
    guesses = {}
    for header in loose:
        data_type, choices = guess_type(sample[header], mapping.formats)
        guesses[header] = AttributeGuess(attribute_key(header), data_type, choices)
    return guesses
