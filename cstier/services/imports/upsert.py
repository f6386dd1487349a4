"""Second pass over an import file: sort each chunk's rows into created, updated and unchanged, and write them."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from cstier.domain.imports import KindSpec
from cstier.domain.imports.diff import changed_cells
from cstier.domain.imports.headers import ATTRIBUTE_PREFIX
from cstier.models import Company
from cstier.services.imports.refs import LOOKUP_BATCH, References
from cstier.services.imports.targets import Target
from cstier.store import import_writes as write
from cstier.store.bulk_reads import key_in, read_frame_on
from cstier.store.set_aside import BULK_ROWS, SetAside, worth_setting_aside
from cstier.store.threads import InFlight

SAMPLES = 20


@dataclass
class Tally:
    """Counts of the second pass, a few sample changes for the preview, and parents to link last."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    samples: list[dict] = field(default_factory=list)
    late_parents: list[pd.DataFrame] = field(default_factory=list)


@dataclass
class Upsert:
    """Everything the second pass needs besides the chunk itself."""

    session: Session
    kind: KindSpec
    target: Target
    present: list[str]  # file columns the file actually carries (attr.* included)
    refs: References
    actor_id: int | None
    now: datetime
    write: bool
    tally: Tally = field(default_factory=Tally)
    writer: InFlight = field(default_factory=lambda: InFlight(background=False))
    rows: int = 0  # rows in the whole file, to judge from the first new rows how many will come
    bulk_rows: int = BULK_ROWS  # from this many new rows the indexes are rebuilt after the load
    _ahead: pd.DataFrame | None = None  # the stored rows of the next chunk, read early
    _seen: int = 0
    _set_aside: SetAside | None = None
    _judged: bool = False

    def __post_init__(self) -> None:
        # Taken once, before any write is in flight: the writer's thread uses it, not the session.
        self.connection = self.session.connection()
        self.refs.before_query = self.writer.wait
        # Into an empty table every row is new (the file's keys are unique while it is written):
        # a first import looks nothing up.
        table = self.target.table
        self._empty = self.connection.execute(select(table.c.id).limit(1)).first() is None

    def chunk(self, typed: pd.DataFrame, following: pd.DataFrame | None = None) -> None:
        """Compare one validated chunk with the stored rows and write the differences.

        The stored rows of the following chunk are read before this chunk's writes start, so
        the database writes this chunk while Python compares the next one. The file's keys
        are unique, so those writes cannot change the rows read early.
        """
        typed = typed.copy()
        for name, default in self.target.defaults.items():
            typed[name] = typed[name].fillna(default)
        attrs = [n for n in self.present if n.startswith(ATTRIBUTE_PREFIX)]
        for name in attrs:
            typed[name] = _attribute_storage(typed[name])
        if self._ahead is not None:
            self.writer.wait()
            current, self._ahead = self._ahead["rows"], None
        else:
            current = self._current(typed)
        compared = [n for n in self.present if n not in self.kind.key]
        incoming = typed[compared]
        is_new = current["id"].isna()
        diff = _changes(incoming, current, is_new)
        changed = diff.any(axis=1) & ~is_new
        tally = self.tally
        tally.created += int(is_new.sum())
        tally.updated += int(changed.sum())
        tally.unchanged += int((~is_new & ~changed).sum())
        self._sample(typed, current, diff, is_new, changed)
        works = []
        self._seen += len(typed)
        if self.write:
            if is_new.any() and not self._judged:
                works.extend(self._set_indexes_aside(int(is_new.sum()), len(typed)))
            works.extend(self._insert(typed[is_new], attrs))
            works.extend(
                self._update(typed[changed], current[changed], diff[changed], compared, attrs)
            )
        if following is not None:
            # Read on the writer's thread, before this chunk's writes: PostgreSQL looks the
            # rows up while Python checks the next chunk.
            read, ahead = self._stored(following), {}
            works.insert(0, lambda: ahead.setdefault("rows", read()))
            self._ahead = ahead
        if works:
            self.writer.submit(lambda: [work() for work in works])

    def finish(self) -> None:
        """Wait for the last write, raise what it raised; rebuild indexes set aside."""
        self.writer.wait()
        self.refs.before_query = None
        if self._set_aside is not None:
            self._set_aside.restore()
            self._set_aside = None

    def abandon(self) -> None:
        """Wait for the write in flight; the caller's rollback undoes the rest, indexes included."""
        self.writer.wait()
        self.refs.before_query = None
        self._set_aside = None

    def _set_indexes_aside(self, new: int, rows: int) -> list[Callable[[], None]]:
        """Judge from the first chunk with new rows whether the load is large; drop indexes if so."""
        self._judged = True
        expected = new * max(self.rows - self._seen + rows, rows) // rows
        self.writer.wait()  # the count below shares the connection with the write in flight
        if not worth_setting_aside(self.connection, self.target.table, expected, self.bulk_rows):
            return []
        self._set_aside = SetAside(self.connection, self.target.table)
        return [self._set_aside.drop]

    def _current(self, typed: pd.DataFrame) -> pd.DataFrame:
        """Return the stored row for each incoming row (NaN id when new), in the file's vocabulary."""
        self.writer.wait()  # one statement at a time on the connection
        return self._stored(typed)()

    def _stored(self, typed: pd.DataFrame) -> Callable[[], pd.DataFrame]:
        """Prepare the queries of _current here; return the call, safe to run on another thread."""
        key = list(self.kind.key)
        attrs = [n for n in self.present if n.startswith(ATTRIBUTE_PREFIX)]
        wanted = [] if self._empty else pd.unique(typed[key[0]].dropna())
        query = self.target.current()
        if not attrs:  # decoding every account's JSON would cost more than the rest of the diff
            query = query.with_only_columns(
                *[c for c in query.selected_columns if c.name != "attributes"]
            )
        columns = [c.name for c in query.selected_columns]
        queries = [
            query.where(
                key_in(self.session, self.target.key_filter, wanted[start : start + LOOKUP_BATCH])
            )
            for start in range(0, len(wanted), LOOKUP_BATCH)
        ]
        keys = typed[key]
        return lambda: self._merged(
            keys, [read_frame_on(self.connection, q, columns) for q in queries], columns, attrs
        )

    def _merged(
        self, keys: pd.DataFrame, frames: list[pd.DataFrame], columns: list[str], attrs: list[str]
    ) -> pd.DataFrame:
        """Line the stored rows up with the incoming keys, in the file's vocabulary."""
        key = list(keys.columns)
        stored = pd.concat(frames) if frames else pd.DataFrame(columns=columns)
        if "attributes" in stored:
            stored["attributes"] = _as_dicts(stored["attributes"])
            for name in attrs:
                attr = name[len(ATTRIBUTE_PREFIX) :]
                stored[name] = stored["attributes"].map(lambda d, k=attr: d.get(k))
        if "csm_email" in stored:
            stored["csm_email"] = stored["csm_email"].str.lower()
        for name in key:
            if pd.api.types.is_datetime64_any_dtype(keys[name].dtype):
                stored[name] = pd.to_datetime(stored[name]).astype(keys[name].dtype)
            else:
                stored[name] = stored[name].astype(object)
        left = keys.reset_index(names="_row")
        merged = left.merge(stored, on=key, how="left").set_index("_row")
        merged.index.name = None
        return merged.reindex(keys.index)

    def _table_frame(self, rows: pd.DataFrame, names: list[str]) -> pd.DataFrame:
        """Return rows in table columns, references resolved to ids."""
        out = {}
        for file_name in names:
            column = self.target.columns[file_name]
            spec = self.kind.column(file_name)
            values = rows[file_name]
            if spec.ref:
                found = self.refs.lookup(spec.ref, values)["id"]
                values = values.map(found).astype("Int64")
            out[column] = values
        return pd.DataFrame(out, index=rows.index)

    def _insert(self, rows: pd.DataFrame, attrs: list[str]) -> list[Callable[[], None]]:
        if rows.empty:
            return []
        names = [n for n in self.target.columns if n in self.present or n in self.target.defaults]
        frame = self._table_frame(rows, names)
        constants: dict = {}
        if self.target.timestamps:
            constants |= {"created_at": self.now, "updated_at": self.now}
        if self.target.versioned:
            constants["version"] = 1
        if "attributes" in self.target.table.c:
            if attrs:
                frame["attributes"] = _attributes_json(rows[attrs])
            else:
                constants["attributes"] = {}
        work = write.insert_work(self.connection, self.target.table, frame, constants)
        self._remember_late_parents(rows, frame)
        return [work]

    def _remember_late_parents(self, rows: pd.DataFrame, frame: pd.DataFrame) -> None:
        """Parents defined further down the file get linked once every row is in."""
        if "parent_external_id" not in rows or "parent_id" not in frame:
            return
        late = rows["parent_external_id"].notna() & frame["parent_id"].isna()
        if late.any():
            self.tally.late_parents.append(rows.loc[late, ["external_id", "parent_external_id"]])
        self.refs.forget("companies")

    def _update(
        self,
        rows: pd.DataFrame,
        current: pd.DataFrame,
        diff: pd.DataFrame,
        compared: list[str],
        attrs: list[str],
    ) -> list[Callable[[], None]]:
        if rows.empty:
            return []
        names = [n for n in compared if n in self.target.columns]
        frame = self._table_frame(rows, names)
        frame["id"] = current["id"].astype("Int64")
        if attrs:
            merged = [
                _merge_attributes(stored, new)
                for stored, new in zip(
                    current["attributes"], rows[attrs].to_dict("records"), strict=True
                )
            ]
            frame["attributes"] = pd.Series(merged, index=rows.index, dtype=object)
        constants = {"updated_at": self.now} if self.target.timestamps else {}
        table, versioned = self.target.table, self.target.versioned
        self._remember_late_parents(rows, frame)
        return [
            write.update_work(self.connection, table, frame, constants, versioned),
            write.audit_work(self.connection, self._audit(rows, current, diff)),
        ]

    def _audit(self, rows: pd.DataFrame, current: pd.DataFrame, diff: pd.DataFrame) -> list[dict]:
        """Return one audit entry per changed row, naming only the changed columns."""
        entries = []
        table = self.target.table.name
        for row, flags in diff.iterrows():
            names = flags.index[flags.to_numpy()]
            entries.append(
                {
                    "at": self.now,
                    "user_id": self.actor_id,
                    "entity_type": table,
                    "entity_id": int(current.at[row, "id"]),
                    "action": "import",
                    "before": {n: _json(current.at[row, n]) for n in names},
                    "after": {n: _json(rows.at[row, n]) for n in names},
                }
            )
        return entries

    def _sample(self, typed, current, diff, is_new, changed) -> None:
        """Keep the first few changes for the preview page."""
        room = SAMPLES - len(self.tally.samples)
        if room <= 0:
            return
        key = list(self.kind.key)
        for row in typed.index[is_new | changed][:room]:
            names = list(diff.columns[diff.loc[row].to_numpy()]) if not is_new[row] else []
            self.tally.samples.append(
                {
                    "row": int(row),
                    "key": " / ".join(str(_json(typed.at[row, k])) for k in key),
                    "action": "create" if is_new[row] else "update",
                    "changes": {
                        n: [_json(current.at[row, n]), _json(typed.at[row, n])] for n in names
                    },
                }
            )


def _changes(incoming: pd.DataFrame, current: pd.DataFrame, is_new: pd.Series) -> pd.DataFrame:
    """Return which cells differ from the stored row; new rows have nothing to compare."""
    if not is_new.any():
        return changed_cells(incoming, current)
    stored = ~is_new
    return changed_cells(incoming[stored], current[stored]).reindex(
        incoming.index, fill_value=False
    )


def link_late_parents(session: Session, tally: Tally, refs: References) -> None:
    """Set parent_id on companies whose parent came later in the same file."""
    if not tally.late_parents:
        return
    late = pd.concat(tally.late_parents)
    refs.forget("companies")
    ids = refs.lookup("companies", pd.concat([late["external_id"], late["parent_external_id"]]))
    frame = pd.DataFrame(
        {
            "id": late["external_id"].map(ids["id"]).astype("Int64"),
            "parent_id": late["parent_external_id"].map(ids["id"]).astype("Int64"),
        }
    )
    write.update_rows(session, Company.__table__, frame, {}, versioned=True)


def _attribute_storage(values: pd.Series) -> pd.Series:
    """Return custom attribute values as they are stored in JSON (dates as ISO text)."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        values = values.dt.strftime("%Y-%m-%d")
    out = values.astype(object)
    return out.where(values.notna(), None)


def _as_dicts(values: pd.Series) -> pd.Series:
    """Return stored JSON attributes as dicts, decoding each distinct text once."""
    if values.map(type).eq(str).all():
        codes, texts = pd.factorize(values)
        decoded = [json.loads(t) for t in texts]
        return pd.Series([decoded[c] for c in codes], index=values.index, dtype=object)
    return values.map(_as_dict)


def _as_dict(value) -> dict:
    if isinstance(value, str):
        return json.loads(value)
    return dict(value or {})


def _attributes_json(frame: pd.DataFrame) -> pd.Series:
    keys = [n[len(ATTRIBUTE_PREFIX) :] for n in frame.columns]
    return pd.Series(
        [
            json.dumps({k: v for k, v in zip(keys, row, strict=True) if v is not None})
            for row in frame.itertuples(index=False, name=None)
        ],
        index=frame.index,
        dtype=object,
    )


def _merge_attributes(stored: dict, new: dict) -> dict:
    merged = dict(stored or {})
    for name, value in new.items():
        key = name[len(ATTRIBUTE_PREFIX) :]
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _json(value):
    """Return a JSON-safe scalar for audit entries and previews."""
    if value is None or (not isinstance(value, dict | list) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
