"""Exceptions of opendata-mh. One hierarchy under :class:`OpendataMhError`.

Findings about the *data* (a bad cell, a failing relation) are never exceptions: they are
:class:`opendata_mh.report.Issue` objects. Exceptions mean "the run could not finish" (CLI exit 3).

This module imports nothing from the package.
"""

from __future__ import annotations

from dataclasses import dataclass


class OpendataMhError(Exception):
    """Base class of every error raised on purpose by opendata-mh."""


@dataclass(frozen=True)
class MetadataProblem:
    """One problem in the hand-edited metadata, located as precisely as possible.

    ``file`` is relative to the metadata directory; ``table`` the table id (or the relation /
    figure / discrepancy id); ``panel`` the panel id; ``row`` the 1-based row of the panel grid
    (or the 1-based index of the entry in a TOML array); ``field`` the key, column code or cell key.
    """

    file: str
    message: str
    table: str | None = None
    panel: str | None = None
    row: int | None = None
    field: str | None = None

    def location(self) -> str:
        parts = [self.file]
        if self.table:
            parts.append(f"table {self.table}")
        if self.panel:
            parts.append(f"panel {self.panel}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(f"field {self.field}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.location()}: {self.message}"


class MetadataError(OpendataMhError):
    """The metadata in ``metadata/`` is invalid; carries *every* problem found."""

    def __init__(self, problems: list[MetadataProblem]) -> None:
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the metadata; fix them and run again:"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


class PackageError(OpendataMhError):
    """The data package cannot be read (missing directory, unparseable or invalid descriptor)."""


class OutputError(OpendataMhError):
    """A command's output file or directory could not be written (``output.write-failed``);
    nothing half-written is left."""

    code = "output.write-failed"


class BrokenFileError(PackageError):
    """A file of the package is broken (``format.*``: unreadable, not UTF-8, an unclosed quote,
    ...), so a command that needs every row (``audit``) cannot run; ``check`` reports it."""

    code = "package.broken-file"


class GenerateError(OpendataMhError):
    """The package could not be written (I/O error); the previous package is left intact."""


class PortalError(OpendataMhError):
    """The portal (CKAN) refused or failed a request, or the publish could not be verified.

    ``code`` is a stable issue code (``portal.validation``, ``portal.name-in-use``,
    ``portal.not-authorized``, ``portal.upload-too-large``, ``portal.not-found``,
    ``portal.unreachable``, ``portal.timeout``, ``portal.server-error``, ``portal.verify-failed``,
    ``portal.error``); ``action`` the CKAN action (``package_create``, ...); ``field`` the field
    the server names, if any; ``server_message`` the server's own words. Never carries the token.
    ``retryable`` is true for connection errors, timeouts and HTTP 5xx.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "portal.error",
        action: str | None = None,
        field: str | None = None,
        server_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.action = action
        self.field = field
        self.server_message = server_message
        self.retryable = False


class UsageError(OpendataMhError):
    """A command was called wrongly (a bad option value or environment variable), found before
    anything was read from the network or written: CLI exit 2. ``code`` is a stable code;
    ``option`` names the option (``--base-url``, ``--portal``, ...)."""

    def __init__(self, message: str, *, code: str = "usage", option: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.option = option


class PortalUsageError(PortalError, UsageError):
    """A :class:`PortalError` that is a usage error (CLI exit 2): ``publish.no-base-url``,
    ``publish.bad-url``, ``portal.bad-token`` (a token with whitespace); no request was sent."""

    def __init__(
        self, message: str, *, code: str, option: str, action: str = "publish", field: str = ""
    ) -> None:
        super().__init__(message, code=code, action=action, field=field or None)
        self.option = option


class DraftError(OpendataMhError):
    """A draft report's text cannot be read (``opendata-mh text``): empty, not the format its
    name says, encrypted, or not a report text at all. ``code`` is a stable issue code
    (``text.unreadable``, ``text.empty``, ``text.encrypted``, ``text.not-dutch``,
    ``text.too-large``)."""

    def __init__(self, message: str, *, code: str = "text.unreadable") -> None:
        super().__init__(message)
        self.code = code
