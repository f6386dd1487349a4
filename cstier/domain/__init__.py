"""Pure domain logic: plain Python and pandas, no Flask, no SQLAlchemy."""
