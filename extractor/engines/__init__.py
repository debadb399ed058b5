"""engines: the pipeline over many notices: worker processes (``batch``, with the ``manifest`` of
what a user knows about each file), a pandas function (``frame``), a Dask cluster
(``dask_engine``) and a spaCy pipeline component (``spacy_component``)."""
