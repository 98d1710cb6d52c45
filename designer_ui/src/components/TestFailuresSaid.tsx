/**
 * Why the tests of a publish failed, and those a version was published despite, in the interface language: each
 * failure from its stable code and params (`failure_details`, lib/testFailureText.ts, as the Tests tab says them),
 * its blocks named as the canvas names them. A failure with no words here, and a test recorded with no details (a
 * version published before they were), in the server's English sentences, said to be English.
 */
import { Fragment } from "react";
import { useI18n } from "../i18n";
import { specTitle } from "../lib/blockText";
import { testFailureText, type FailureNames, type FailureSaid, type TestFailure } from "../lib/testFailureText";
import { useEditor } from "../store/editor";
import { useCanvasBlockNames } from "./blockNames";

/** A test that failed, as a publish answers it (`scenario` null: the published one's own) or a version records it. */
export interface FailingTest {
  scenario?: string | null;
  failures: readonly string[];
  failure_details?: readonly TestFailure[];
}

/** The canvas's blocks by id, each by its name (lib/blockText.ts `blockName`: its label, else its type's title). */
export type CanvasLabels = ReadonlyMap<string, string>;

/**
 * A block a failure of a test of `testScenario` names (`name`), as the canvas of `slug` names it. A test names the
 * blocks of its own scenario `menu`, those of a scenario its call continued in `slug:menu`: a block of `slug` (the
 * published scenario's own test, or one continuing into it reaching it) by its name there, any other by the test's
 * name for it, not being on this canvas. `testScenario` null or `slug`: the published scenario's own test.
 */
export function canvasBlockName(labels: CanvasLabels, slug: string | undefined, testScenario: string | null | undefined, name: string): string {
  const own = !testScenario || testScenario === slug;
  const prefix = slug ? `${slug}:` : null;
  const id = prefix && name.startsWith(prefix) ? name.slice(prefix.length) : own ? name : null;
  return (id !== null && labels.get(id)) || name;
}

/** Each failure of `test` said: from its details when the server sent them, else its English sentences as they are. */
export function failuresSaid(test: FailingTest, say: (failure: TestFailure) => FailureSaid): FailureSaid[] {
  const details = test.failure_details ?? [];
  if (details.length === 0) return test.failures.map((text) => ({ text, english: true }));
  return details.map(say);
}

/** How to say the failures of a test of a publish of `slug` (or of a version of it), in the interface language. */
export function useFailuresSaid(slug: string | undefined): (test: FailingTest) => FailureSaid[] {
  const { t, language } = useI18n();
  const catalog = useEditor((s) => s.catalog);
  const labels = useCanvasBlockNames();
  return (test) => {
    const names: FailureNames = {
      block: (name) => canvasBlockName(labels, slug, test.scenario, name),
      type: (type) => specTitle(language, type, catalog.get(type)),
    };
    return failuresSaid(test, (failure) => testFailureText(failure, language, t, names));
  };
}

/** Ends as a sentence does: its stop, maybe inside a closing quote or bracket ("… «queue:sales».", "(… s.)"). */
const SENTENCE_END = /[.!?…]["'»”’)]*$/u;

/**
 * What goes between a failure said and the next on one line: a space after a whole sentence (the designer's words
 * end with their stop), `; ` after the server's English, which is a clause with none ("outcome was failed, expected
 * transferred"). Not `; ` after a stop: "«Support».; La llamada…" (a wording review).
 */
export function failureSeparator(previous: string): string {
  return SENTENCE_END.test(previous.trimEnd()) ? " " : "; ";
}

/** Failures on one line, each after the one before as `failureSeparator` says; each in English marked so. */
export function FailuresInline({ said }: { said: readonly FailureSaid[] }) {
  return (
    <>
      {said.map((failure, i) => (
        <Fragment key={i}>
          {i > 0 && failureSeparator(said[i - 1]!.text)}
          {failure.english ? <span lang="en">{failure.text}</span> : failure.text}
        </Fragment>
      ))}
    </>
  );
}
