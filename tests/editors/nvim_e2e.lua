-- Headless Neovim scenario for the shipped editors/nvim config: attach, diagnose, quick fix, save.
-- Environment: HSCALE_RTP (editors/nvim), HSCALE_PY (python with hscale_ls), HSCALE_FILE (io.js).
local function fail(message)
  io.stdout:write('FAIL ' .. message .. '\n')
  os.exit(1)
end

local function step(name)
  io.stdout:write(string.format('%s %dms\n', name, math.floor((vim.uv.hrtime() - START) / 1e6)))
end

START = vim.uv.hrtime()
vim.opt.runtimepath:prepend(os.getenv('HSCALE_RTP'))
vim.lsp.config('hscale_ls', {
  cmd = { os.getenv('HSCALE_PY'), '-m', 'hscale_ls', 'serve' },
  settings = { hscale = { debounceMs = 0 } },
})
vim.lsp.enable('hscale_ls')
vim.cmd.edit(os.getenv('HSCALE_FILE'))
local buf = vim.api.nvim_get_current_buf()

if not vim.wait(20000, function() return #vim.lsp.get_clients({ bufnr = buf, name = 'hscale_ls' }) > 0 end, 20) then
  fail('the client did not attach')
end
step('attached')

local function hscale_diagnostics()
  return vim.tbl_filter(function(d) return d.source == 'hscale' end, vim.diagnostic.get(buf))
end

if not vim.wait(20000, function() return #hscale_diagnostics() > 0 end, 20) then
  fail('no hscale diagnostics')
end
local diagnostic = hscale_diagnostics()[1]
if diagnostic.code ~= 'subscriptions-in-memory' or diagnostic.lnum ~= 1 then
  fail('unexpected diagnostic ' .. vim.inspect(diagnostic))
end
step('diagnostics')

vim.api.nvim_win_set_cursor(0, { diagnostic.lnum + 1, diagnostic.col })
vim.lsp.buf.code_action({
  apply = true,
  context = { only = { 'quickfix' }, diagnostics = vim.lsp.diagnostic.from(hscale_diagnostics()) },
  filter = function(action) return action.title:find('Socket.IO Redis adapter', 1, true) ~= nil end,
})
local function buffer_text() return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n') end
if not vim.wait(20000, function() return buffer_text():find('io.adapter(createAdapter(', 1, true) ~= nil end, 20) then
  fail('the quick fix was not applied: ' .. buffer_text())
end
step('code action applied')

vim.cmd('silent wall')
if not vim.wait(20000, function() return #hscale_diagnostics() == 0 end, 20) then
  fail('the diagnostic did not clear: ' .. vim.inspect(hscale_diagnostics()))
end
step('diagnostic cleared')
for _, client in ipairs(vim.lsp.get_clients({ name = 'hscale_ls' })) do client:stop() end
io.stdout:write('PASS\n')
os.exit(0)
