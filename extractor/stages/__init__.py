"""stages: one notice from bytes to rows, one module per stage.

``load`` (bytes → text, with ``webpage`` for HTML) → ``clean`` (the article body, simplified) →
``locate`` (where, when and who) → ``segment`` (directive spans) → ``tag`` (themes with evidence)
→ ``measures`` (modality, scope, tracker codes). Each stage takes and returns plain values or the
models of ``extractor.models``; ``extractor.pipeline`` runs them in order. No stage imports an
output writer, an analysis or an engine.
"""
