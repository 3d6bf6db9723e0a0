"""Pure business rules: no database, no Streamlit."""
