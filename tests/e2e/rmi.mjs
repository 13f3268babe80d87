// Where the end-to-end tests find the RMI supplier-declaration files (CMRT, EMRT), and how a test
// without them reports itself skipped. RMI reserves all rights to its templates, so the project
// never vendors them (data/sources/SOURCES.md): they are read from the folder named by
// CHOKEPOINT_RMI_DIR, or else from the team's upstream copy ../shared/data/cmrt beside the
// project. The native tests do the same (tests/it/import/fixtures.rs).
import { test } from 'node:test';
import { appendFileSync, existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(new URL('../..', import.meta.url).pathname);

export const SKIP_REASON = 'RMI templates and declarations not found (RMI reserves all rights, so '
  + 'they are not in the repository): set CHOKEPOINT_RMI_DIR to a folder with templates/, real/ '
  + "and reference/, or place the team's shared/data/cmrt beside the project";

function findDir() {
  const named = process.env.CHOKEPOINT_RMI_DIR;
  if (named) {
    if (!existsSync(named) || !statSync(named).isDirectory()) {
      throw new Error(`CHOKEPOINT_RMI_DIR=${named} is not a directory`);
    }
    return named;
  }
  const upstream = join(root, '..', 'shared', 'data', 'cmrt');
  return existsSync(upstream) ? upstream : null;
}

/** The RMI folder, or null when the files are not there. */
export const rmiDir = findDir();

/** The path of a real, redacted declaration (call only when rmiDir is set). */
export function realDeclaration(name) {
  return join(rmiDir, 'real', name);
}

/** Records a skip for scripts/test.sh's summary (CHOKEPOINT_SKIP_LOG), besides the runner's own report. */
export function recordSkip(name) {
  const log = process.env.CHOKEPOINT_SKIP_LOG;
  // One line a skip: runner, test, reason, separated by tabs (scripts/test.sh sums them up).
  if (log) appendFileSync(log, `node e2e\t${name}\t${SKIP_REASON}\n`);
}

/** A test that needs the RMI files: run when they are there, reported skipped with the reason when not. */
export function rmiTest(name, fn) {
  if (rmiDir) return test(name, fn);
  recordSkip(name);
  return test(name, { skip: SKIP_REASON }, fn);
}
