import { execFile } from "node:child_process";
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from "vscode-languageclient/node";
import { installHint, probeCommand, PythonCommand, PythonExtensionApi, resolveInterpreter, serverCommand } from "./interpreter";
import { AuditSummary, serverSettings, statusText } from "./settings";

const LANGUAGES = ["javascript", "javascriptreact", "typescript", "typescriptreact", "python"];
let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let status: vscode.StatusBarItem;

async function pythonApi(): Promise<PythonExtensionApi | undefined> {
  const extension = vscode.extensions.getExtension("ms-python.python");
  if (!extension) {
    return undefined;
  }
  try {
    return (extension.isActive ? extension.exports : await extension.activate()) as PythonExtensionApi;
  } catch {
    return undefined;
  }
}

function importable(probe: PythonCommand): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(probe.command, probe.args, { ...probe.options, timeout: 20000 }, (error) => resolve(!error));
  });
}

function showAudit(result: unknown): void {
  const audit = result as AuditSummary | undefined;
  status.text = statusText(audit);
  output.appendLine(JSON.stringify(result, null, 2));
  if (audit?.verdict) {
    const detail = audit.detail ?? (audit.projects ?? []).map((p) => `${p.verdict}: ${p.detail ?? ""}`).join(" ");
    void vscode.window.showInformationMessage(`horizontal-scaling-ready: ${audit.verdict}. ${detail}`, "Show inventory").then(
      (choice) => choice && output.show(true),
    );
  }
}

async function refreshStatus(): Promise<void> {
  const uri = vscode.window.activeTextEditor?.document.uri.toString();
  if (!client) {
    return;
  }
  try {
    const audit = await client.sendRequest("workspace/executeCommand", { command: "hscale.audit", arguments: uri ? [uri] : [] });
    status.text = statusText(audit as AuditSummary);
    status.tooltip = (audit as AuditSummary)?.detail;
  } catch {
    status.text = statusText(undefined);
  }
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const resource = vscode.window.activeTextEditor?.document.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  const config = vscode.workspace.getConfiguration("hscale", resource);
  // in a restricted workspace the Python extension's environment may be one the workspace ships
  // (a .venv inside it); hscale.interpreter is machine-scoped, so only user settings can name one
  const trusted = vscode.workspace.isTrusted;
  const resolution = resolveInterpreter(config.get<string>("interpreter"), trusted ? await pythonApi() : undefined, resource);
  output.appendLine(`hscale: using ${resolution.command} (${resolution.source}${trusted ? "" : ", restricted workspace"})`);
  if (!(await importable(probeCommand(resolution, context.extensionPath)))) {
    const hint = installHint(resolution);
    output.appendLine(hint);
    void vscode.window.showErrorMessage(hint);
    status.text = statusText(undefined);
    return;
  }
  const serverOptions: ServerOptions = { ...serverCommand(resolution, context.extensionPath), transport: TransportKind.stdio };
  const clientOptions: LanguageClientOptions = {
    documentSelector: LANGUAGES.map((language) => ({ scheme: "file", language })),
    outputChannel: output,
    initializationOptions: serverSettings(config),
    synchronize: { configurationSection: "hscale" },
    middleware: {
      // the code lens and the palette run hscale.audit: show what the server returns
      executeCommand: async (name, commandArgs, next) => {
        const result = await next(name, commandArgs);
        if (name === "hscale.audit") {
          showAudit(result);
        }
        return result;
      },
    },
  };
  client = new LanguageClient("hscale", "hscale", serverOptions, clientOptions);
  await client.start();
  await refreshStatus();
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  await client?.stop();
  client = undefined;
  await start(context);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("hscale");
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 0);
  status.text = "$(sync~spin) hscale";
  status.command = "hscale.audit";
  status.show();
  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand("hscale.restart", () => restart(context)),
    vscode.commands.registerCommand("hscale.showOutput", () => output.show(true)),
    // trust lets the Python extension's environment be used: choose the interpreter again
    vscode.workspace.onDidGrantWorkspaceTrust(() => void restart(context)),
    // registered once here, not in start(): a restart would add another pair each time
    vscode.workspace.onDidSaveTextDocument(() => void refreshStatus()),
    vscode.window.onDidChangeActiveTextEditor(() => void refreshStatus()),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
