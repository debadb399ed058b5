"""output: the rows as files people open: the tables (.csv, .xlsx, .parquet, .jsonl) in ``table``
with the workbook formatting of ``xlsx``, REFI-QDA projects in ``qda``, one notice shown in
``show``, heatmaps in ``chart`` and the JSON Schema in ``schema``. Writers never import the analysis."""
