"""hscale-ls: finds real-time state kept only in process memory, for editors (LSP) and CI."""

__version__ = "0.1.0"
