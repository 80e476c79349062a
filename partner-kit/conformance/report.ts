import type { Difference } from './expect.ts';

/** What a suite run produced, and its one-line-per-scenario text (never a token in it). */
export interface ScenarioResult {
  name: string;
  /** Scenario file, or the check's group for code-defined suites. */
  file: string;
  outcome: 'passed' | 'failed' | 'not-applicable';
  /** 1-based number and name of the step that failed or made the scenario not applicable. */
  step?: { index: number; name: string };
  differences?: Difference[];
  reason?: string;
  ms: number;
}

export interface SuiteReport {
  suite: string;
  results: ScenarioResult[];
  passed: number;
  failed: number;
  notApplicable: number;
  ms: number;
}

export function summarise(suite: string, results: ScenarioResult[], ms: number): SuiteReport {
  const count = (o: ScenarioResult['outcome']) => results.filter((r) => r.outcome === o).length;
  return { suite, results, passed: count('passed'), failed: count('failed'), notApplicable: count('not-applicable'), ms };
}

export function describeFailure(r: ScenarioResult): string {
  const where = r.step ? `step ${r.step.index} (${r.step.name}): ` : '';
  if (r.reason) return `${where}${r.reason}`;
  return `${where}${(r.differences ?? []).map((d) => `${d.where}: expected ${d.expected}, got ${d.got}`).join('; ')}`;
}

export function line(r: ScenarioResult): string {
  if (r.outcome === 'passed') return `passed  ${r.name}`;
  if (r.outcome === 'not-applicable') return `n/a     ${r.name}: ${describeFailure(r)}`;
  return `failed  ${r.name}: ${describeFailure(r)}`;
}

export function summaryLine(report: SuiteReport): string {
  return `${report.passed} passed, ${report.failed} failed${report.notApplicable ? `, ${report.notApplicable} not applicable` : ''}`;
}

/** Replaces every secret's value in the result's text by ***. */
export function redact(result: ScenarioResult, secrets: string[]): ScenarioResult {
  const hide = (text: string) => secrets.filter((s) => s.length >= 4).reduce((t, s) => t.split(s).join('***'), text);
  return {
    ...result,
    reason: result.reason === undefined ? undefined : hide(result.reason),
    differences: result.differences?.map((d) => ({ where: hide(d.where), expected: hide(d.expected), got: hide(d.got) })),
  };
}
