// Types of the Sopro browser API. `Assessment`, `AssessError`, `Relevance`, `TestReport` and
// `Question` are generated from the Rust types' JSON Schemas (see types.d.ts). The `.js`
// extensions are what `moduleResolution: nodenext` requires (and `bundler` accepts): they name
// types.d.ts.
import type { Assessment, AssessError, Relevance, TestReport, Question, Diagnostic, WhatWouldChange, Goal, ProgrammeSheet } from './types.js';
export * from './types.js';

/** Either a value or a structured error; never thrown. */
export type Outcome<T, E = { kind: string; message?: string; [key: string]: unknown }> =
  | { ok: T; error?: undefined }
  | { error: E; ok?: undefined };

/**
 * The answers given to `assess` could not be passed as JSON text (e.g. `undefined`, which
 * `JSON.stringify` drops).
 */
export interface BadJson {
  kind: 'bad_json';
  message: string;
}

/** Options of `load`. */
export interface LoadOptions {
  /** Load the bundle of a draft (a version not published); its assessments carry a warning. */
  drafts?: boolean;
}

/**
 * Loads the WebAssembly module and a rule-set bundle. `moduleUrl` is where to fetch
 * sopro_wasm_bg.wasm from (by default next to sopro_wasm.js), or the module itself: its bytes
 * or a compiled `WebAssembly.Module` (in Node, where `fetch` cannot read files).
 */
export function load(
  bundleText: string,
  moduleUrl?: string | URL | ArrayBuffer | ArrayBufferView | WebAssembly.Module,
  options?: LoadOptions,
): Promise<Outcome<Engine>>;

export interface RuleSetInfo {
  id: string;
  version: string;
  digest: string;
  title: { ru: string; en: string };
  in_force: { from: string; to: string | null };
}

/** A compiled rule set; made by `load`, never constructed directly. */
export class Engine {
  private constructor();
  info(): Outcome<RuleSetInfo>;
  questions(): Outcome<Question[]>;
  assess(answers: unknown): Outcome<Assessment, AssessError | BadJson>;
  relevant(partial: unknown): Outcome<Relevance>;
  /** The smallest sets of changes to the changeable answers that reach `goal`. */
  whatWouldChange(partial: unknown, goal: Goal): Outcome<WhatWouldChange, AssessError | BadJson>;
  /** The text of the family's draft individual programme (ИПСС) to print; `null` without one. */
  programmeSheet(answers: unknown, lang?: 'ru' | 'en'): Outcome<ProgrammeSheet | null, AssessError | BadJson>;
  /** The draft ИПСС as a page to print (the same HTML as `sopro programme -o ipss.html`). */
  programmeHtml(answers: unknown, lang?: 'ru' | 'en'): Outcome<string | null, AssessError | BadJson>;
  labels(): Outcome<Record<string, { ru: string; en: string }>>;
  check(): Outcome<Diagnostic[]>;
  test(): Outcome<TestReport>;
  schema(kind: 'answers' | 'assessment'): Outcome<object>;
}
