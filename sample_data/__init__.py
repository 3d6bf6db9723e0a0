"""Demo data for the product, loaded through the services."""
