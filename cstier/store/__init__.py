"""The store: the only layer that knows the database engine; services call it, models lie below.

Every dialect branch, database thread, codec and bulk write lives in one of these modules:

- bulk_reads: `read_frame` (a select into a DataFrame), `read_frames` (the same, streamed
  a frame at a time), `among` / `id_table` / `key_in`
  (id or key sets of any size as one parameter), `id_list` / `read_id_lists`,
  `distinct_values` (an indexed column's values without reading the table).
- column_reads: `read_columns`, a book-sized select read in key chunks as typed columns
  (`JsonFields` adds custom attributes); column_text is how a chunk travels as text.
- integer_reads: `read_integers` (integer columns in key ranges) and `read_integers_at_once`
  (one query, a grouped one included), as NumPy arrays in each engine's fastest form.
- bulk_writes: `BulkWriter` (COPY or executemany inserts, updates and deletes in the session's
  transaction) and the tuning a book-wide job wraps itself in: `large_page_cache`,
  `large_work_mem`, `checkpoint_after`.
- import_writes: an import's inserts, updates and audit rows as calls ready to run.
- set_aside: `SetAside`, a table's indexes and foreign keys dropped for a large load.
- tier_blocks: the current tiers, packed per scheme, and their plain `current_tier` rows
  written with them: `read_current_tiers`, `account_tiers`, `store_tiers`, `store_tier_changes`, `store_pending`,
  `serialize_writers`.
- week_moves: `read_week_moves`, a week's net tier moves grouped in SQL for the tier review;
  `settled_change_point`, the last tier change id below which every change has committed.
- upserts: `upsert_returning`, one atomic insert-or-update.
- usage_latest: `read_latest_usage`, each account's latest usage figure and the mean before it,
  in the form each engine answers fastest.
- metric_pages: stored retention figures a page of segments at a time, and per-period totals.
- sequences: `advance_id_sequences` after rows inserted with explicit ids.
- connections: `tune_connections`, what each new connection is set to (SQLite's WAL);
  `limit_statements`, the web's statement timeout (PostgreSQL's, or a SQLite progress handler).
- replica: `Replica` and the session routing that sends a request's reads to it.
- threads: `InFlight` (one piece of database work on a background thread),
  `shareable_across_threads`.
"""
