"""Work out a text file's encoding and delimiter from its first bytes."""

import codecs

DELIMITERS = (",", ";", "\t")
SAMPLE_BYTES = 64 * 1024


class EncodingRefused(ValueError):
    """The file is not UTF-8 and no other encoding was chosen."""


def detect_encoding(sample: bytes, chosen: str | None = None) -> str:
    """Return the codec to read the file with: the chosen one, or UTF-8 (BOM stripped)."""
    if chosen:
        codecs.lookup(chosen)  # raise LookupError on a name Python does not know
        if chosen.lower().replace("-", "").replace("_", "") in ("utf8", "utf8sig"):
            return "utf-8-sig"
        return chosen
    try:
        # A multi-byte character may be cut at the end of the sample: decode incrementally.
        final = len(sample) < SAMPLE_BYTES  # the sample is the whole file
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=final)
    except UnicodeDecodeError as exc:
        raise EncodingRefused(
            f"The file is not UTF-8 (byte 0x{sample[exc.start]:02x} at position {exc.start}). "
            "Save it as UTF-8, or choose its encoding (for Excel on Windows usually cp1252)."
        ) from exc
    return "utf-8-sig"  # reads plain UTF-8 too, and drops a byte order mark


def detect_delimiter(first_line: str) -> str:
    """Return the delimiter among , ; and tab that splits the header line into most columns."""
    counts = {d: _count_outside_quotes(first_line, d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count
