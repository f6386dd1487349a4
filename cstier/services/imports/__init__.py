"""Import files of companies, accounts and their signals: validate whole, upsert all or nothing."""

from cstier.services.imports.run import ImportOutcome, ImportRequest, import_file

__all__ = ["ImportOutcome", "ImportRequest", "import_file"]
