"""Streamlit glue shared by pages (no business rules)."""
