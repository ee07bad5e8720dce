"""From the officer's workbook to a validated submission: contract, issue catalog, byte guard, reader, template."""
