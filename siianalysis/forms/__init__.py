"""Worksheets collected online: the worksheet as an XLSForm, and the exports read back.

``names`` derives every question's name and label from the codebook, once;
``xlsform`` writes the form (KoboToolbox, ODK) with those names; ``columns``
reads an export's header (KoboToolbox, ODK Central, a Google Form built on the
worksheet) by the same names; ``exports`` turns each submission into a document
of records, which the one parser reads (``parse.records``) as it reads any
structured source.
"""
