"""The pure analysis engine: source text in, facts, findings and verdicts out.

Nothing in this package imports pygls or lsprotocol, reads editor state or builds URIs; the CLI and
the language server both call into it, so CI and the editor never disagree.
"""
