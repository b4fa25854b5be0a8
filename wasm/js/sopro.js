// Sopro in the browser: a thin wrapper over the WebAssembly module that speaks objects.
// Every call returns `{ ok: value }` or `{ error: { kind, ... } }`; nothing is thrown.
import init, { Sopro as RawSopro } from './sopro_wasm.js';

const parse = (text) => JSON.parse(text);

// What JSON cannot hold (undefined, a function, a BigInt, a cycle) is an error like any other,
// not an exception; the message names no field and no value.
const notJson = { error: { kind: 'bad_json', message: 'the answers cannot be written as JSON (undefined, a function, a BigInt or a cycle)' } };

/** The engine's answer for `answers` sent as JSON text, or `bad_json`. */
function withJson(answers, call) {
  let text;
  try {
    text = JSON.stringify(answers);
  } catch {
    return notJson;
  }
  return text === undefined ? notJson : parse(call(text));
}

/**
 * Loads the module (once) and a rule-set bundle (`sopro bundle DIR -o FILE`). A draft's bundle
 * (a version not published) loads only with `{ drafts: true }`.
 */
export async function load(bundleText, moduleUrl, options = {}) {
  await init(moduleUrl ? { module_or_path: moduleUrl } : undefined);
  const drafts = Boolean(options.drafts);
  if (typeof bundleText !== 'string') {
    return { error: { kind: 'bad_bundle', message: 'a bundle is the text of a .bundle.json file' } };
  }
  // The bundle is read, checked and compiled once: the constructor throws the JSON text of
  // `{ error }` when it cannot load it.
  try {
    return { ok: new Engine(new RawSopro(bundleText, drafts)) };
  } catch (thrown) {
    if (typeof thrown === 'string') return parse(thrown);
    throw thrown;
  }
}

/** A compiled rule set. */
export class Engine {
  constructor(raw) { this.raw = raw; }
  /** The rule set's id, version, digest, title and period in force. */
  info() { return parse(this.raw.info()); }
  /** The questions, to render a form from. */
  questions() { return parse(this.raw.questions()); }
  /** Assesses answers: `{ ok: Assessment }` or `{ error: AssessError }`. */
  assess(answers) { return withJson(answers, (text) => this.raw.assess(text)); }
  /** What a form should show for partial answers: `{ ok: Relevance }`. */
  relevant(partial) { return withJson(partial, (text) => this.raw.relevant(text)); }
  /**
   * What would have to change for the family to reach `goal` (`{ goal: 'lower' }`, `'higher'`,
   * `{ goal: 'level', id }`, `{ goal: 'leave', id }`, `{ goal: 'enter', id }`).
   */
  whatWouldChange(partial, goal) {
    let goalText;
    try {
      goalText = JSON.stringify(goal);
    } catch {
      return notJson;
    }
    if (goalText === undefined) return notJson;
    return withJson(partial, (text) => this.raw.whatWouldChange(text, goalText));
  }
  /**
   * The text of the family's draft individual programme (ИПСС) to print, in `lang` ('ru' or
   * 'en'): `{ ok: ProgrammeSheet }`, `{ ok: null }` without a programme, or `{ error }`.
   */
  programmeSheet(answers, lang = 'ru') { return withJson(answers, (text) => this.raw.programmeSheet(text, lang)); }
  /** The same programme as a page to print: `{ ok: "<!doctype html>…" }` (the CLI's HTML). */
  programmeHtml(answers, lang = 'ru') { return withJson(answers, (text) => this.raw.programmeHtml(text, lang)); }
  /** The label of every rule by id (for `because` lists). */
  labels() { return parse(this.raw.labels()); }
  /** Warnings found when the rule set was loaded. */
  check() { return parse(this.raw.check()); }
  /** Runs the rule set's own test cases. */
  test() { return parse(this.raw.test()); }
  /** A JSON Schema: 'answers' or 'assessment'. */
  schema(kind) { return parse(this.raw.schema(kind)); }
}
