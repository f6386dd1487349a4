"""health scores indexed by (day, account), so a range of a day's accounts reads one index range

Revision ID: 0045
Revises: 0044
Create Date: 2026-12-07

The daily health pass reads yesterday's bands range by range of account ids, on the reader
connection, alongside that range's inputs. (scored_on, account_id) finds a range of one day
without visiting the day's other rows; it replaces the index on scored_on, its prefix, which
still serves every whole-day read.
"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0045"
down_revision = "0044"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_health_score_scored_on_account", "health_score", ["scored_on", "account_id"]
    )
    op.drop_index("ix_health_score_scored_on", table_name="health_score")


def downgrade():
    op.create_index("ix_health_score_scored_on", "health_score", ["scored_on"])
    op.drop_index("ix_health_score_scored_on_account", table_name="health_score")
