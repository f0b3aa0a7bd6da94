"""Seed the demo brand's member database from the Complete Journey data set.

    seed_demo(path, program=..., margins=...) -> SeedReport

Every rule that fills a field the data set lacks is documented in README.md next
to this file. Importing this package loads no data; `seed_demo` does.
"""

from gateway.seed._build import SeedReport, seed_demo
from gateway.seed._source import SourceTables, load_source

__all__ = ["SeedReport", "SourceTables", "load_source", "seed_demo"]
