"""`python -m hscale_ls`: the same entry point as the `hscale-ls` command."""

from .cli import entry

entry()
