"""Campaign reports: the same tables as a PDF of charts (pdf.py) and as one CSV (csv_file.py),
assembled once (tables.py) from the dashboard's SQL."""
