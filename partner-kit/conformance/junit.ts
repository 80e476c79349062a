import type { SuiteReport } from './report.ts';
import { describeFailure } from './report.ts';

/**
 * JUnit XML for a partner's CI: one testsuite per run, one testcase per scenario (classname =
 * its file), a failure element with the difference, skipped for not applicable; times in seconds.
 */
function escapeXml(text: string): string {
  // Characters XML 1.0 cannot carry at all are dropped; the five specials are escaped.
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

export function junitXml(report: SuiteReport, at: Date = new Date()): string {
  const cases = report.results.map((r) => {
    const open = `    <testcase name="${escapeXml(r.name)}" classname="${escapeXml(`${report.suite}.${r.file}`)}" time="${seconds(r.ms)}"`;
    if (r.outcome === 'passed') return `${open}/>`;
    const text = escapeXml(describeFailure(r));
    if (r.outcome === 'not-applicable') return `${open}>\n      <skipped message="${text}"/>\n    </testcase>`;
    return `${open}>\n      <failure message="${text}" type="ConformanceFailure">${text}</failure>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="ocpi-hub conformance" tests="${report.results.length}" failures="${report.failed}" skipped="${report.notApplicable}" time="${seconds(report.ms)}">`,
    `  <testsuite name="${escapeXml(report.suite)}" tests="${report.results.length}" failures="${report.failed}" errors="0" skipped="${report.notApplicable}" time="${seconds(report.ms)}" timestamp="${at.toISOString().replace(/\.\d{3}Z$/, '')}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
