"""Server tests share the `editor_factory` fixture from tests/conftest.py."""
