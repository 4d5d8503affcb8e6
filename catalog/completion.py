"""Shell completion for the CLI: author names, profile names and topic codes.

The callbacks read the catalog through a read-only connection: completing never
creates or migrates a catalog, and never fails (a broken catalog completes nothing).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from catalog import config


def _completion_db(ctx: click.Context) -> Path:
    path = ctx.find_root().params.get("db_path")
    return Path(path) if path else config.default_db_path()


def _complete_names(ctx: click.Context, incomplete: str, profiles_only: bool) -> list[str]:
    try:
        from catalog.api import complete_names

        return complete_names(_completion_db(ctx), incomplete, profiles_only=profiles_only)
    except Exception:  # a traceback would land in the user's command line
        return []


def complete_author(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """People and profile owners whose name begins with what was typed."""
    return _complete_names(ctx, incomplete, profiles_only=False)


def complete_profile(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    return _complete_names(ctx, incomplete, profiles_only=True)


def complete_topic(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """The catalog's topic codes (every known code when it holds none); a typed name
    (`comp`) offers the codes of the topics named so."""
    from click.shell_completion import CompletionItem

    from catalog.topics import TOPICS, topic_name

    try:
        from catalog.api import complete_topics

        codes = complete_topics(_completion_db(ctx)) or sorted(TOPICS)
    except Exception:
        codes = sorted(TOPICS)
    typed = incomplete.strip()
    found = [c for c in codes if c.startswith(typed.upper())]
    if not found and len(typed) > 2:
        found = [c for c in codes if (topic_name(c) or "").lower().startswith(typed.lower())]
    return [CompletionItem(c, help=topic_name(c)) for c in found]


def _register_bash_quoting() -> None:
    """Click's bash script inserts a completion as it is, so `Kaiming He` would become
    two words: escape it for the shell, twice (the script's `read` takes one level),
    unless the word was begun with a quote (readline then closes the quote itself)."""
    from click.shell_completion import BashComplete, CompletionItem, add_completion_class

    class QuotingBashComplete(BashComplete):
        in_quotes = False

        def get_completion_args(self) -> tuple[list[str], str]:
            # the script joins COMP_WORDS with newlines; the raw word keeps its quote
            words = os.environ.get("COMP_WORDS", "").split("\n")
            cword = int(os.environ.get("COMP_CWORD", "0") or 0)
            self.in_quotes = cword < len(words) and words[cword][:1] in ("'", '"')
            return super().get_completion_args()

        def format_completion(self, item: CompletionItem) -> str:
            if item.type != "plain" or self.in_quotes:
                return super().format_completion(item)
            import re

            quoted = re.sub(r"([^\w@%+=:,./-])", r"\\\1", item.value)
            doubled = quoted.replace("\\", "\\\\")
            return f"{item.type},{doubled}"

    add_completion_class(QuotingBashComplete)


_register_bash_quoting()


