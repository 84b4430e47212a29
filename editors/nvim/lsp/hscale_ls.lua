---@brief
---
--- https://github.com/hscale-ls/hscale-ls
---
--- hscale-ls finds presence, room subscriptions and message history that Socket.IO, ws, SSE,
--- python-socketio, Flask-SocketIO, Django Channels and FastAPI servers keep only in process memory,
--- and offers quick fixes that move them to Redis.
---
--- Install the server with pip (it brings its own tree-sitter grammars):
--- ```sh
--- pip install hscale-ls
--- ```
---
--- Settings live under `hscale` (see the project's README for every field); the server also reads
--- `.hscale.toml`, `[tool.hscale]` in pyproject.toml and `"hscale"` in package.json.

---@type vim.lsp.Config
return {
  cmd = { 'hscale-ls', 'serve' },
  filetypes = { 'javascript', 'javascriptreact', 'typescript', 'typescriptreact', 'python' },
  root_markers = {
    '.hscale.toml',
    'package.json',
    'pyproject.toml',
    'requirements.txt',
    'setup.py',
    'manage.py',
    '.git',
  },
  settings = {
    hscale = {
      enable = true,
      run = 'onType',
      debounceMs = 200,
    },
  },
}
