"""analysis: reading a table that ``extract`` wrote: theme or indicator shares by group
(``compare``), distinctive words (``vocab``), accuracy against gold (``evaluate``) and the join with
OxCGRT's provincial values (``trackers``)."""
