"""The served pages: upload a workbook, see its issues cell by cell or its PDF, the reports of every province."""
