/**
 * Why the embedded PostgreSQL could not start, and what to do about it. The command line
 * prints `message` as one line with no stack trace: the stack of a failed spawn tells
 * nothing to someone who just ran `npm start`.
 */
export class EmbeddedDatabaseError extends Error {
  constructor(
    /** What happened, e.g. `the postgres user cannot execute /x/bin/initdb (EACCES)`. */
    readonly what: string,
    /** What fixes it, e.g. `set EMBEDDED_PG_PORT to a free port`; empty when only a server of one's own helps. */
    readonly todo: string = '',
  ) {
    super(describeFailure(what, todo, 'DATABASE_URL'));
    this.name = 'EmbeddedDatabaseError';
  }

  /** The same line, naming another variable as the way around (the tests use TEST_DATABASE_URL). */
  line(serverVariable: string): string {
    return describeFailure(this.what, this.todo, serverVariable);
  }
}

function describeFailure(what: string, todo: string, serverVariable: string): string {
  const server = `set ${serverVariable} to use a PostgreSQL server of your own`;
  return oneLine(`embedded PostgreSQL did not start: ${what}. ${todo ? `To fix: ${todo}; or ${server}.` : `To fix: ${server}.`}`);
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
