"""Provinces side by side: a cluster's ranking for a year and a province across years, read from the ledger."""
