"""Read queries that need SQL (aggregates). No business rules."""
