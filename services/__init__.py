"""The product's public API: one module per capability (see DESIGN.md)."""
