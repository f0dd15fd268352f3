"""opendata-mh: the Dutch *Jaarcijfers Mensenhandel 2023* as a validated Frictionless data package.

Layers (lower never imports higher; nothing imports ``cli``)::

    errors      exceptions, imports nothing from the package
    report      Issue / Report / PackageData value objects
    model       load + validate the hand-edited metadata (TOML) -> frozen dataclasses
    generate    metadata -> datapackage/ (deterministic, atomic)
    validate    datapackage/ -> Report (the only frictionless import)
    cli         click commands, rendering, exit codes (the only click import)

Third-party homes: click only in ``cli``, frictionless only in ``validate``.
"""

__version__ = "2023.1.0"
