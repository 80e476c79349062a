/** The conformance runner's programmatic API (the CLI is cli.ts). */
export { runCpoSuite, type CpoSuiteOptions } from './suites/cpo.ts';
export { loadScenarios, ScenarioFileError, DEFAULT_SCENARIOS, type Scenario } from './loader.ts';
export { startCpoServer, type CpoServer } from './cpo-server.ts';
export { line, summaryLine, type ScenarioResult, type SuiteReport } from './report.ts';
export { runCpoEndpointsSuite, type CpoEndpointsOptions } from './suites/cpo-endpoints.ts';
export { junitXml } from './junit.ts';
