"""What several apps share and none owns: the engine's text in the reader's language, request
parsing, periods and numbers as pages write them, the page decorator, the base templates and
static files. A plain package, not an app: it imports the engine, `tabular` and Django, never an
app of Saima (an import-linter contract in pyproject.toml holds it to that)."""
