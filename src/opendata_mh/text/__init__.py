"""Narrative check: a draft report's prose against the tables of the package.

The pipeline, one module per stage (each a pure function of its input, no I/O outside
:mod:`~opendata_mh.text.reading` and the writers of :mod:`~opendata_mh.text.output`):

* :mod:`~opendata_mh.text.reading`: a draft (plain text/Markdown, DOCX, PDF) as lines of text;
  the only home of python-docx and pdfplumber. PDF glyphs lost by the extraction (U+FFFD, as in
  "slachto\ufffders") are repaired from the document's own vocabulary.
* :mod:`~opendata_mh.text.extraction`: every figure of the prose as an interval (Dutch digits,
  percentages, signed changes, ranges, ``<5``, number words and proportion idioms with their
  hedges, from a small lexicon); dates, footnote markers, list numbers, table grids and chart
  axis labels set aside; years kept as context.
* :mod:`~opendata_mh.text.linking`: each figure to the cell, latent total or derived quantity
  (difference, change in percent, share, sum, average) it states, ranked with a confidence.
* :mod:`~opendata_mh.text.verification`: the figure against the linked quantity with the
  package's interval rules; disclosure (direct, and by arithmetic through the disclosure audit
  of :mod:`opendata_mh.audit` run with the draft's figures as extra relations).
* :mod:`~opendata_mh.text.output`: the result as data (``--json``), HTML, and
  ``text_figures.toml`` entries.

Conventions: line numbers are 1-based lines of the text as read (for a PDF: the extracted
text), offsets 0-based characters within the line. Intervals are closed ``[lower, upper]`` in
the figure's unit; a printed percentage ``p`` is read as rounded half up, ``[p - 0.5, p + 0.5)``,
stored with ``upper_open = True``.
"""

from __future__ import annotations

from opendata_mh.text.extraction import Extraction, Figure, SetAside, extract
from opendata_mh.text.reading import Draft, read_draft, read_text

__all__ = ["Draft", "Extraction", "Figure", "SetAside", "extract", "read_draft", "read_text"]
