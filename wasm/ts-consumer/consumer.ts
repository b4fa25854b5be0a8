// Uses sopro-wasm as a TypeScript user does: imported by its package name, resolved through
// node_modules and the package's `exports` map. check.sh type-checks it (tsc --noEmit) with
// moduleResolution nodenext and bundler; `skipLibCheck: false`, so the package's own
// declarations are checked too.
import { load, Engine } from 'sopro-wasm';
import type { AssessError, Assessment, BadJson, DutyRef, LoadOptions, Outcome, RuleSetInfo, WhatWouldChange } from 'sopro-wasm';

const options: LoadOptions = { drafts: false };

/** Loads a bundle and assesses one family: the lines a page would show. */
export async function assessFamily(bundleText: string, moduleUrl: string | URL, answers: unknown): Promise<string[]> {
  const loaded = await load(bundleText, moduleUrl, options);
  if (loaded.error) return [`the bundle did not load (${loaded.error.kind}): ${loaded.error.message ?? ''}`];
  const engine: Engine = loaded.ok;

  const info = engine.info();
  if (info.error !== undefined) return [`no rule-set info: ${info.error.kind}`];
  const ruleSet: RuleSetInfo = info.ok;

  const labels = engine.labels();
  if (labels.error) return [`no labels: ${labels.error.kind}`];
  const label = (id: string): string => labels.ok[id]?.en ?? id;

  const result = engine.assess(answers);
  if (result.error) return describe(result.error);
  const assessment: Assessment = result.ok;

  const lines = [
    `${ruleSet.id} ${ruleSet.version}, in force until ${ruleSet.in_force.to ?? 'further notice'}`,
    `level ${assessment.level.id}: ${assessment.level.label.en}`,
    ...assessment.level.because.map((id) => `  because: ${label(id)}`),
  ];
  const duties: DutyRef[] = assessment.partners[0]?.duties ?? [];
  for (const duty of duties) lines.push(`  duty ${duty.id}: ${duty.label.en} (${duty.basis.map((b) => b.act).join(', ')})`);
  for (const partner of assessment.partners_pending_consent) {
    lines.push(`  needs consent: ${partner.label.en}, ${partner.urgency}`);
  }
  const whatIf = engine.whatWouldChange(answers, { goal: 'lower' });
  if (whatIf.error) return describe(whatIf.error);
  const found: WhatWouldChange = whatIf.ok;
  for (const set of found.sets) lines.push(`  ${found.says.en}: ${set.says.en} (${set.changes.length} change(s), level ${set.level})`);
  return lines;
}

/** Every kind of assessment error, exhaustively. */
function describe(error: AssessError | BadJson): string[] {
  switch (error.kind) {
    case 'bad_json':
      return [`the answers are not JSON: ${error.message}`];
    case 'invalid_answers':
      return error.problems.map((problem) => `${problem.path}: ${problem.message} (${problem.code})`);
    case 'no_version_in_force':
      return [`no version in force on ${error.as_of}; there are ${error.versions.join(', ')}`];
    case 'rule_failed':
      return [`${error.rule} (${error.file}:${error.line ?? '?'}) failed: ${error.message}`];
    case 'unknown_goal':
      return [`no ${error.level ? 'level' : 'outcome'} ${error.id}`];
    default: {
      const unexpected: never = error;
      return [`unexpected error ${JSON.stringify(unexpected)}`];
    }
  }
}

/** What the declarations refuse: each line must be an error, or tsc fails on the directive. */
export function refused(outcome: Outcome<Assessment, AssessError | BadJson>, engine: Engine): void {
  // @ts-expect-error: the value is there only once the error is ruled out
  void outcome.ok.level;
  // @ts-expect-error: an engine comes from load, never from its constructor
  void new Engine();
  // @ts-expect-error: drafts is a boolean
  void load('', undefined, { drafts: 'yes' });
  // @ts-expect-error: only the answers and assessment schemas exist
  void engine.schema('questions');
  // @ts-expect-error: a goal names its kind
  void engine.whatWouldChange({}, { id: 'czn' });
  // @ts-expect-error: a level's id is a string
  if (outcome.ok) void (outcome.ok.level.id satisfies number);
  // @ts-expect-error: a partner's duties are objects with their labels, not ids
  if (outcome.ok) void (outcome.ok.partners[0]?.duties satisfies string[] | undefined);
}
