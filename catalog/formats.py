"""The output formats, named once: ``export`` writes them, the CLI offers them.

Apart from ``export`` so that the CLI can declare its options without importing the
writers (start-up time); ``export.FORMATS`` maps these names to the writers.
"""

from __future__ import annotations

#: what ``export`` writes, in the order ``catalog export --format`` offers them
PAPER_FORMATS = ("csv", "tsv", "json", "jsonl", "bibtex")
#: what every record (a paper, a profile, a topic, a stats row) can be written in
RECORD_FORMATS = tuple(f for f in PAPER_FORMATS if f != "bibtex")
#: the rich view, offered by the commands that show records on a terminal
TABLE = "table"
