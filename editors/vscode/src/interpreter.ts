// Which Python runs the server: the hscale.interpreter setting, else the Python extension's active
// environment, else python3 on PATH. Pure apart from the probes passed in, so it is unit-tested.

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

export function serverCommand(resolution: Resolution): { command: string; args: string[] } {
  // vscode-languageclient appends --stdio, which `hscale-ls serve` accepts
  return { command: resolution.command, args: [...resolution.args, "-m", "hscale_ls", "serve"] };
}

export function installHint(resolution: Resolution): string {
  const python = [resolution.command, ...resolution.args].join(" ");
  return `hscale-ls is not installed for ${python}. Install it with: ${python} -m pip install hscale-ls`;
}
