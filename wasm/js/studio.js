// The rule studio's engine: the studio module (rule sets compiled from YAML in the browser)
// behind the same object API as the intake package (`Engine` of sopro.js), plus the calls of
// the studio. Every call returns `{ ok }` or `{ error: { kind, ... } }`; nothing is thrown.
import init, { Sopro as RawSopro, checkFiles as rawCheckFiles } from './sopro_studio.js';
import { Engine } from '../sopro.js';

const parse = (text) => JSON.parse(text);
const thrownError = (thrown) => {
  if (typeof thrown === 'string') return parse(thrown);
  throw thrown;
};

/** The studio's engine: a compiled rule set, with its files and comparisons. */
export class StudioEngine extends Engine {
  /** What an id is: its label, basis and where it is written; `null` for an unknown id. */
  describe(id) { return parse(this.raw.describe(id)); }
  /** A test case for `answers` that expects what this rule set makes of them (to edit, then add). */
  draftTest(answers, name) { return parse(this.raw.draftTest(JSON.stringify(answers), name)); }
  /** The rule files, `{ path: text }`. */
  sourceFiles() { return parse(this.raw.sourceFiles()); }
  /** This rule set against `base` over `n` families generated from `base`'s questions. */
  compare(base, n, seed = 1, sample = '') { return parse(this.raw.compare(base.raw, n, seed, sample)); }
  /** This rule set against `base` over families given as CSV text (`sopro batch`'s header convention). */
  compareCsv(base, text) { return parse(this.raw.compareCsv(base.raw, text)); }
  /** This rule set against `base` over families given as JSON Lines text. */
  compareLines(base, text) { return parse(this.raw.compareLines(base.raw, text)); }
}

/** Loads the studio module once. */
export async function start(moduleUrl) {
  await init(moduleUrl ? { module_or_path: moduleUrl } : undefined);
}

/** A rule set from a bundle's text (`sopro bundle`); a draft's only with `drafts`. */
export function fromBundle(bundleText, drafts = false) {
  try { return { ok: new StudioEngine(new RawSopro(bundleText, drafts)) }; } catch (thrown) { return thrownError(thrown); }
}

/** A rule set compiled from its files `{ path: text }`: `{ ok }` or `{ error: { kind: 'rules_invalid', diagnostics } }`. */
export function fromFiles(files) {
  try { return { ok: new StudioEngine(RawSopro.fromFiles(JSON.stringify(files))) }; } catch (thrown) { return thrownError(thrown); }
}

/** Checks rule files: `{ ok: [warnings] }` or `{ error: { kind: 'rules_invalid', diagnostics } }`. */
export function checkFiles(files) { return parse(rawCheckFiles(JSON.stringify(files))); }
