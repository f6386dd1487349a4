"""Reading a pg_dump archive's table of contents and what its restore drops."""

from cstier.store.pg_archives import drop_before_restore, read_contents, why_not_cstier

LISTING = """;
; Archive created at 2026-12-07 10:52:59 UTC
;     Format: CUSTOM
;
216; 1259 98455 VIEW public current_tiers postgres
215; 1259 98447 TABLE public account postgres
214; 1259 98446 SEQUENCE public account_id_seq postgres
3355; 0 0 SEQUENCE OWNED BY public account_id_seq postgres
3356; 0 0 SEQUENCE SET public account_id_seq postgres
3348; 0 98447 TABLE DATA public account postgres
217; 1259 98460 TABLE public company postgres
3349; 0 98460 TABLE DATA public company postgres
218; 1259 98470 TABLE public tier_scheme postgres
3350; 0 98470 TABLE DATA public tier_scheme postgres
219; 1259 98480 TABLE public alembic_version postgres
3351; 0 98480 TABLE DATA public alembic_version postgres
3203; 2606 98454 CONSTRAINT public account account_pkey postgres
389; 1255 65097 FUNCTION public cstier_mark_book_change() postgres
3988; 2620 65098 TRIGGER public account account_marks_tiers postgres
"""


def test_the_listing_gives_tables_their_rows_views_and_sequences():
    contents = read_contents(LISTING)

    assert ("public", "account") in contents.tables and len(contents.tables) == 4
    assert contents.table_data == contents.tables
    assert contents.views == {("public", "current_tiers")}
    assert contents.sequences == {("public", "account_id_seq")}
    assert contents.functions == {("public", "cstier_mark_book_change()")}
    assert why_not_cstier(contents) is None


def test_an_archive_without_rows_or_core_tables_says_what_it_lacks():
    schema_only = "\n".join(line for line in LISTING.splitlines() if "TABLE DATA" not in line)
    other_app = "215; 1259 98447 TABLE public orders postgres\n"

    assert why_not_cstier(read_contents(schema_only)).startswith(
        "no rows for alembic_version, account, company, tier_scheme"
    )
    assert why_not_cstier(read_contents(other_app)) == (
        "no table alembic_version, account, company, tier_scheme"
    )


def test_the_drop_names_cstier_tables_and_the_archive_objects_quoted():
    contents = read_contents('215; 1259 98447 TABLE public we"ird postgres\n')

    sql = drop_before_restore(["account", "o'brien"], contents)

    assert "ARRAY['account', 'alembic_version', 'o''brien']" in sql
    assert 'DROP TABLE IF EXISTS "public"."we""ird" CASCADE;' in sql
    assert "orders" not in sql


def test_the_drop_names_cstier_functions_archive_or_not():
    archived = drop_before_restore(["account"], read_contents(LISTING))
    older = drop_before_restore(["account"], read_contents("215; 1259 9 TABLE public account x\n"))

    assert 'DROP FUNCTION IF EXISTS "public"."cstier_mark_book_change"() CASCADE;' in archived
    assert 'DROP FUNCTION IF EXISTS "cstier_mark_book_change"() CASCADE;' in older
