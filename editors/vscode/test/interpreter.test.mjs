// Unit tests for interpreter resolution and settings, run with `node --test` on the esbuild output.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";

const require = createRequire(import.meta.url);
const { resolveInterpreter, serverCommand, probeCommand, installHint } = require("../out/interpreter.js");
const manifest = require("../package.json");
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
  const server = serverCommand(resolution, "/ext");
  assert.deepEqual([server.command, server.args], ["conda", ["run", "python", "-m", "hscale_ls", "serve"]]);
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

test("the server and the install probe never have the workspace on their import path", () => {
  const resolution = { command: "/venv/bin/python", args: [], source: "setting" };
  for (const spawned of [serverCommand(resolution, "/ext", { PATH: "/bin" }), probeCommand(resolution, "/ext", { PATH: "/bin" })]) {
    // languageclient uses cwd and env as given (env is not merged with its own)
    assert.deepEqual(spawned.options, { cwd: "/ext", env: { PATH: "/bin", PYTHONSAFEPATH: "1" } });
  }
  assert.deepEqual(probeCommand(resolution, "/ext").args, ["-c", "import hscale_ls"]);
  assert.equal(serverCommand(resolution, "/ext").options.env.PATH, process.env.PATH);
});

test("a workspace cannot choose the executable, and restricted mode says what it limits", () => {
  const settings = manifest.contributes.configuration.properties;
  const executables = ["hscale.interpreter"];
  for (const key of executables) {
    assert.equal(settings[key].scope, "machine", key);
  }
  const untrusted = manifest.capabilities.untrustedWorkspaces;
  assert.equal(untrusted.supported, "limited");
  assert.ok(untrusted.description.length > 20);
  assert.deepEqual(untrusted.restrictedConfigurations, executables);
  for (const key of untrusted.restrictedConfigurations) {
    assert.ok(key in settings, key);
  }
});
