// Unit tests for interpreter resolution and settings, run with `node --test` on the esbuild output.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";

const require = createRequire(import.meta.url);
const { resolveInterpreter, serverCommand, installHint } = require("../out/interpreter.js");
const { serverSettings, statusText } = require("../out/settings.js");

test("the setting wins over everything", () => {
  const api = { environments: { getActiveEnvironmentPath: () => ({ path: "/venv/bin/python" }) } };
  assert.deepEqual(resolveInterpreter(" /opt/py/bin/python3 ", api), { command: "/opt/py/bin/python3", args: [], source: "setting" });
});

test("the Python extension's active environment comes next", () => {
  const api = { environments: { getActiveEnvironmentPath: () => ({ path: "/venv/bin/python" }) } };
  assert.equal(resolveInterpreter("", api).command, "/venv/bin/python");
  const legacy = { settings: { getExecutionDetails: () => ({ execCommand: ["conda", "run", "python"] }) } };
  assert.deepEqual(resolveInterpreter(undefined, legacy), { command: "conda", args: ["run", "python"], source: "python-extension" });
});

test("python3 on PATH is the fallback", () => {
  assert.deepEqual(resolveInterpreter(undefined, undefined), { command: "python3", args: [], source: "path" });
  assert.deepEqual(resolveInterpreter("", { environments: { getActiveEnvironmentPath: () => undefined } }).source, "path");
});

test("the server runs as a module and the hint says how to install", () => {
  const resolution = { command: "conda", args: ["run", "python"], source: "python-extension" };
  assert.deepEqual(serverCommand(resolution), { command: "conda", args: ["run", "python", "-m", "hscale_ls", "serve"] });
  assert.equal(installHint(resolution), "hscale-ls is not installed for conda run python. Install it with: conda run python -m pip install hscale-ls");
});

test("settings sent to the server skip client-only and unset keys", () => {
  const values = { interpreter: "/x", enable: true, debounceMs: 0, severity: { "presence-in-memory": "error" }, exclude: undefined };
  const config = { get: (key) => values[key] };
  assert.deepEqual(serverSettings(config), { enable: true, debounceMs: 0, severity: { "presence-in-memory": "error" } });
});

test("the status bar shows the verdict", () => {
  assert.equal(statusText({ verdict: "fail" }), "$(warning) hscale: fail");
  assert.equal(statusText({ verdict: "pass" }), "$(pass) hscale: pass");
  assert.equal(statusText(undefined), "$(circle-slash) hscale");
});
