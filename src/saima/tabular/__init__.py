"""Reading and writing the CSV and XLSX files an office keeps in Excel.

read_table turns a user's file into a typed polars frame or raises InputError listing every
problem with its file, sheet, row and column; write_table writes frames that open cleanly in
Excel in China (UTF-8 BOM CSV, or XLSX) and cannot smuggle formulas.
"""

from __future__ import annotations

from saima.tabular._parse import parse_bool, parse_number
from saima.tabular._problems import InputError, Problem, more_problems
from saima.tabular._read import read_table
from saima.tabular._schema import Column, Table
from saima.tabular._write import write_table

__all__ = [
    "Column",
    "InputError",
    "Problem",
    "Table",
    "more_problems",
    "parse_bool",
    "parse_number",
    "read_table",
    "write_table",
]
