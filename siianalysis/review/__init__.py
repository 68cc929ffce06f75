"""Moved: the experts' review is ``siianalysis.workshop.review``.

Only ``siianalysis.normalise`` still imports the review reader from here (it is
being changed by another piece of work); once its import line names
``siianalysis.workshop.review``, this module goes. Nothing else may import it.
"""

from __future__ import annotations

from siianalysis.workshop.review import feedback_frame, read_review

__all__ = ["feedback_frame", "read_review"]
