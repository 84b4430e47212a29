// What the VS Code extension starts, computed by its own built module (editors/vscode/out): prints as
// JSON the command, arguments, working directory and environment of the server (as vscode-languageclient
// 9 spawns an Executable: `--stdio` appended, the workspace folder as working directory and its own
// environment where the extension sets none) or of the install probe (run by execFile: the extension
// host's working directory where none is set; run this script in the workspace for the worst case).
//   node spawn.mjs <out folder> <hscale.interpreter> <extension folder> <workspace folder> server|probe
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const [out, setting, extensionFolder, workspaceFolder, what] = process.argv.slice(2);
const { resolveInterpreter, serverCommand, probeCommand } = require(path.resolve(out, "interpreter.js"));
const resolution = resolveInterpreter(setting, undefined);
let spawned;
if (what === "server") {
  const server = serverCommand(resolution, extensionFolder);
  spawned = { command: server.command, args: [...server.args, "--stdio"], cwd: server.options?.cwd || workspaceFolder, env: server.options?.env };
} else {
  const probe = probeCommand(resolution, extensionFolder);
  spawned = { command: probe.command, args: probe.args, cwd: probe.options?.cwd || process.cwd(), env: probe.options?.env };
}
console.log(JSON.stringify({ ...spawned, env: spawned.env ?? null }));
