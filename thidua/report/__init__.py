"""What an assessment becomes on paper: report context, charts, the PDF, the results workbook and JSON."""
