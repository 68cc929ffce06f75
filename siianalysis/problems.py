"""The problems log: what could not be read, and why, with the cell named."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

# info: something set aside on purpose (an office lock file), said so nothing is silent.
Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True, slots=True)
class Problem:
    source_file: str
    location: str
    severity: Severity
    code: str
    message: str
    tambon_id: str = ""
    round: str = ""  # the worksheet's round (``siianalysis.rounds``), set by ``normalise``

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


class ProblemLog(list):
    """A list of ``Problem`` with helpers to add one in a line."""

    def error(self, source_file: str, location: str, code: str, message: str, tambon_id: str = "") -> None:
        self.append(Problem(source_file, location, "error", code, message, tambon_id))

    def warning(self, source_file: str, location: str, code: str, message: str, tambon_id: str = "") -> None:
        self.append(Problem(source_file, location, "warning", code, message, tambon_id))

    def info(self, source_file: str, location: str, code: str, message: str, tambon_id: str = "") -> None:
        self.append(Problem(source_file, location, "info", code, message, tambon_id))
