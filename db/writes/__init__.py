"""Tuned writes: statements that store a whole document, or a ledger flush, in as few
round trips as each database allows. One module per capability; each function is named
for what it stores and hides the dialect (PostgreSQL: one statement over unnested
arrays; SQLite: prepared executemany). No business rules: callers pass the rows.
"""
