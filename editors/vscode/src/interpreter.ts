// Which Python runs the server (the hscale.interpreter setting, else the Python extension's active
// environment, else python3 on PATH) and how it is started: never with the workspace on its import path.
// Pure apart from the probes passed in, so it is unit-tested.

export interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: unknown): { path: string } | undefined;
  };
  settings?: {
    getExecutionDetails(resource?: unknown): { execCommand?: string[] } | undefined;
  };
}

export interface Resolution {
  command: string;
  args: string[];
  source: "setting" | "python-extension" | "path";
}

export function resolveInterpreter(
  setting: string | undefined,
  pythonApi: PythonExtensionApi | undefined,
  resource?: unknown,
): Resolution {
  const configured = (setting ?? "").trim();
  if (configured) {
    return { command: configured, args: [], source: "setting" };
  }
  const active = pythonApi?.environments?.getActiveEnvironmentPath(resource)?.path;
  if (active) {
    return { command: active, args: [], source: "python-extension" };
  }
  const exec = pythonApi?.settings?.getExecutionDetails(resource)?.execCommand;
  if (exec && exec.length > 0 && exec[0]) {
    return { command: exec[0], args: exec.slice(1), source: "python-extension" };
  }
  return { command: "python3", args: [], source: "path" };
}

export interface SpawnOptions {
  cwd: string;
  env: Record<string, string | undefined>;
}

export interface PythonCommand {
  command: string;
  args: string[];
  options: SpawnOptions;
}

// `python -m` and `python -c` put their working directory first on sys.path, and vscode-languageclient
// starts a server in the workspace folder unless told otherwise: a workspace `argparse.py` would run
// inside the server. PYTHONSAFEPATH=1 drops that entry (Python 3.11+); a working directory outside the
// workspace (the extension's own folder) covers older Pythons. languageclient passes `env` to the
// process as it is, so it carries the whole environment.
export function safeOptions(directory: string, env: NodeJS.ProcessEnv = process.env): SpawnOptions {
  return { cwd: directory, env: { ...env, PYTHONSAFEPATH: "1" } };
}

export function serverCommand(resolution: Resolution, directory: string, env?: NodeJS.ProcessEnv): PythonCommand {
  // vscode-languageclient appends --stdio, which `hscale-ls serve` accepts
  return {
    command: resolution.command,
    args: [...resolution.args, "-m", "hscale_ls", "serve"],
    options: safeOptions(directory, env),
  };
}

// Whether hscale-ls is installed, asked the same way the server is started.
export function probeCommand(resolution: Resolution, directory: string, env?: NodeJS.ProcessEnv): PythonCommand {
  return {
    command: resolution.command,
    args: [...resolution.args, "-c", "import hscale_ls"],
    options: safeOptions(directory, env),
  };
}

export function installHint(resolution: Resolution): string {
  const python = [resolution.command, ...resolution.args].join(" ");
  return `hscale-ls is not installed for ${python}. Install it with: ${python} -m pip install hscale-ls`;
}
