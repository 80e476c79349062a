import os from 'node:os';
import { withValuesJoined } from './command-line.ts';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.ts';
import { openServices, startHub } from './hub.ts';
import pino from 'pino';
import { HubError } from './errors.ts';
import { EmbeddedDatabaseError } from './db/embedded-error.ts';
import { DataDirInUse, describeDataDir, removeDataDir } from './db/data-dir.ts';
import { createLogger } from './observability/log.ts';
import { PartnerEntity } from './partners/api.ts';
import {
  approvePartner,
  createPartner,
  parseNewPartner,
  partnerId,
  partnerView,
  rejectPartner,
  resetPartnerCredentials,
  resumePartner,
  suspendPartner,
} from './partners/operations.ts';

const USAGE = `usage: ocpi-hub <command>

  serve [--demo] [--sandbox]              run the hub (default); --demo also starts a simulated CPO and onboards it,
                                          --sandbox makes every partner a sandbox partner
  simulate-cpo --hub-versions-url URL --token-a TOKEN [options]
                                          a simulated OCPI CPO with fault modes (simulate-cpo --help)
  conformance --suite cpo|cpo-endpoints [options]
                                          conformance scenarios against a hub or a partner CPO (conformance --help)
  migrate                                 bring the database schema up to date and exit
  partner create --name N --country-code CC --party-id PPP --role CPO|EMSP [--website URL] [--contact-email E] [--sandbox]
                                          --sandbox (or SANDBOX_ONLY=true): approved at once, prints token A (shown once)
  partner list
  partner approve <id>                    prints token A (shown once)
  partner reject <id> --reason TEXT
  partner suspend <id> [--reason TEXT]
  partner resume <id>
  partner reset <id>                      kills the partner's tokens, prints a fresh token A
  data-dir [--remove]                     where the data lives (also /var/lib/ocpi-hub/… as root); --remove deletes it

Configuration comes from the environment; see README.md.`;

async function main(argv: string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  if (command === '--help' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // The partner kit talks to a hub over HTTP like any partner: it needs none of the hub's configuration.
  if (command === 'simulate-cpo') return (await import('../partner-kit/simulator/cli.ts')).run(rest);
  if (command === 'conformance') return (await import('../partner-kit/conformance/cli.ts')).run(rest);
  const config = loadConfig();
  if (command === 'serve') return serve(config, rest);
  if (command === 'migrate') {
    const { close } = await openServices({ config });
    await close();
    process.stdout.write('database schema is up to date\n');
    return 0;
  }
  if (command === 'partner') return partnerCommand(config, rest);
  if (command === 'data-dir') return dataDirCommand(config, rest);
  process.stderr.write(`unknown command ${command}\n${USAGE}\n`);
  return 2;
}

async function serve(config: ReturnType<typeof loadConfig>, args: string[]): Promise<number> {
  const unknown = args.filter((a) => a !== '--demo' && a !== '--sandbox');
  if (unknown.length) {
    process.stderr.write(`serve takes only --demo and --sandbox, got ${unknown.join(' ')}\n${USAGE}\n`);
    return 2;
  }
  const demo = args.includes('--demo');
  // The demo's CPO is a process on this machine: the hub must be let call loopback. Its JSON
  // log would drown the demo's lines, so it says only warnings unless LOG_LEVEL asks for more.
  if (demo) config = { ...config, allowPrivatePartnerUrls: true, logLevel: process.env.LOG_LEVEL ? config.logLevel : 'warn' };
  if (args.includes('--sandbox')) config = { ...config, sandboxOnly: true };
  const hub = await startHub({ config });
  const running = demo ? await startDemoOrStop(hub) : undefined;
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      hub.services.log.info({ signal }, 'shutting down');
      void (running?.stop() ?? Promise.resolve()).then(() => hub.stop()).then(resolve);
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
  return 0;
}

/** A demo that cannot start takes the hub down with it: a half-started demo would only confuse. */
async function startDemoOrStop(hub: Awaited<ReturnType<typeof startHub>>) {
  const { startDemo } = await import('../partner-kit/demo/index.ts');
  try {
    return await startDemo(hub);
  } catch (err) {
    await hub.stop();
    throw err;
  }
}

function dataDirCommand(config: ReturnType<typeof loadConfig>, args: string[]): number {
  const unknown = args.filter((a) => a !== '--remove');
  if (unknown.length) {
    process.stderr.write(`data-dir takes only --remove, got ${unknown.join(' ')}\n${USAGE}\n`);
    return 2;
  }
  if (!args.includes('--remove')) {
    process.stdout.write(`${describeDataDir(config.dataDir, { databaseUrl: config.databaseUrl }).join('\n')}\n`);
    return 0;
  }
  const removed = removeDataDir(config.dataDir);
  process.stdout.write(removed.length ? removed.map((p) => `removed ${p}\n`).join('') : `nothing to remove for ${config.dataDir}\n`);
  return 0;
}

const PARTNER_ACTIONS = ['create', 'list', 'approve', 'reject', 'suspend', 'resume', 'reset'];

async function partnerCommand(config: ReturnType<typeof loadConfig>, args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parsePartnerArgs>;
  try {
    parsed = parsePartnerArgs(args);
  } catch (err) {
    // parseArgs names the problem (unknown option, missing value); a stack trace would not help.
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [action, id] = positionals;
  if (!action || !PARTNER_ACTIONS.includes(action)) {
    process.stderr.write(`${action ? `unknown partner action ${action}` : 'partner needs an action'}\n${USAGE}\n`);
    return 2;
  }
  // Output is JSON on stdout: logs go to stderr, and no chattier than warn.
  const level = config.logLevel === 'silent' || config.logLevel === 'fatal' || config.logLevel === 'error' ? config.logLevel : 'warn';
  const log = createLogger(level, pino.destination({ dest: 2, sync: true }));
  const { services, close } = await openServices({ config, log });
  const em = services.orm.em.fork();
  const actor = `cli:${os.userInfo().username}`;
  const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  const needId = () => {
    if (!id) throw new HubError('INVALID_PARAMETERS', `partner ${action} needs a partner id`);
    return partnerId(id);
  };
  try {
    switch (action) {
      case 'create': {
        const input = parseNewPartner({
          name: values.name,
          country_code: values['country-code'],
          party_id: values['party-id'],
          role: values.role,
          website: values.website,
          contact_email: values['contact-email'],
          ...(values.sandbox ? { sandbox: true } : {}),
        });
        const { partner, grant } = await createPartner(em, services, input, actor);
        const view = await partnerView(em, services, partner);
        print(grant ? { ...view, token_a: grant.tokenA, token_a_expires_at: grant.expiresAt, versions_url: `${config.publicUrl}/ocpi/versions` } : view);
        break;
      }
      case 'list': {
        const partners = await em.find(PartnerEntity, {}, { orderBy: { createdAt: 'asc', countryCode: 'asc', partyId: 'asc', role: 'asc' } });
        for (const p of partners) process.stdout.write(`${p.id}  ${p.role.padEnd(4)}  ${p.countryCode}/${p.partyId}  ${p.status.padEnd(14)}  ${p.name}\n`);
        break;
      }
      case 'approve':
      case 'reset': {
        const grant = action === 'approve' ? await approvePartner(em, services, needId(), actor) : await resetPartnerCredentials(em, services, needId(), actor);
        print({ id: grant.partner.id, status: grant.partner.status, token_a: grant.tokenA, token_a_expires_at: grant.expiresAt, versions_url: `${config.publicUrl}/ocpi/versions` });
        break;
      }
      case 'reject':
        print(await partnerView(em, services, await rejectPartner(em, services, needId(), values.reason, actor)));
        break;
      case 'suspend':
        print(await partnerView(em, services, await suspendPartner(em, services, needId(), values.reason, actor)));
        break;
      case 'resume':
        print(await partnerView(em, services, await resumePartner(em, services, needId(), actor)));
        break;
    }
    return 0;
  } finally {
    await close();
  }
}

/** The flags and their kinds (parseArgs and withValuesJoined read the same table). */
const PARTNER_FLAGS = {
  name: { type: 'string' },
  'country-code': { type: 'string' },
  'party-id': { type: 'string' },
  role: { type: 'string' },
  website: { type: 'string' },
  'contact-email': { type: 'string' },
  reason: { type: 'string' },
  sandbox: { type: 'boolean' },
} as const;

function parsePartnerArgs(args: string[]) {
  return parseArgs({
    args: withValuesJoined(args, PARTNER_FLAGS),
    allowPositionals: true,
    options: PARTNER_FLAGS,
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError) process.stderr.write(`invalid configuration: ${err.message}\n`);
    // Both say what to do in one line; a stack trace would only hide it.
    else if (err instanceof EmbeddedDatabaseError || err instanceof DataDirInUse) process.stderr.write(`${err.message}\n`);
    else if (isFileError(err)) process.stderr.write(`cannot use ${err.path} (${err.code}): check OCPI_HUB_DATA_DIR and that folder's permissions\n`);
    else if (err instanceof HubError) process.stderr.write(`${err.kind.toLowerCase()}: ${err.message}\n`);
    else process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);

/** A failed read or write of the data directory (secrets.json) names its path and code; that is the whole story. */
function isFileError(err: unknown): err is NodeJS.ErrnoException & { path: string } {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && typeof (err as NodeJS.ErrnoException).path === 'string';
}
