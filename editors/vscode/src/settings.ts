// The hscale settings the server reads, from a VS Code configuration section. The server validates
// every value itself (and warns naming the key), so this only picks the keys and drops client-only ones.

export const SERVER_KEYS = [
  "enable",
  "run",
  "debounceMs",
  "severity",
  "ignore",
  "deployment",
  "exclude",
  "logLevel",
] as const;

export interface ConfigurationLike {
  get<T>(key: string): T | undefined;
}

export function serverSettings(config: ConfigurationLike): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const key of SERVER_KEYS) {
    const value = config.get<unknown>(key);
    if (value !== undefined && value !== null) {
      settings[key] = value;
    }
  }
  return settings;
}

export interface AuditSummary {
  verdict: string;
  detail?: string;
  projects?: AuditSummary[];
}

export function statusText(audit: AuditSummary | undefined): string {
  if (!audit || !audit.verdict) {
    return "$(circle-slash) hscale";
  }
  const icon = audit.verdict === "pass" ? "$(pass)" : audit.verdict === "fail" ? "$(warning)" : "$(circle-slash)";
  return `${icon} hscale: ${audit.verdict}`;
}
