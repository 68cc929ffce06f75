"""Research exports: the processed data in the forms researchers take elsewhere.

``siianalysis export --to datapackage|spss|stata`` (``cli``) over these modules, one job each:

- ``source``: the processed set as exported: loaded, checked whole, personal data masked
  (unless asked not to), cut into rounds (a ``round`` column, when the tables have one).
- ``fields``: the words of ``data/fields.yaml``: what every processed column means, in Thai
  and English, and the analysis file's variable and value labels.
- ``datapackage``: every processed table as CSV with a Frictionless ``datapackage.json``
  (table schemas, bilingual descriptions, the codebook's codes as categories, keys).
- ``analysis_file``: one line per tambon × round: place names and DOPA codes, the scores
  of ``analysis.scores``, a 0/1 variable per row × outcome; with its labels.
- ``statfile``: that frame written as SPSS ``.sav`` or Stata ``.dta`` through pyreadstat.
"""
