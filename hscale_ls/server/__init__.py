"""The language server: a thin LSP layer over the analysis engine. The only package that imports
pygls and lsprotocol."""
