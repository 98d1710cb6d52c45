// Review (Russian analyst): the call's story and the test call's path named the Start block «start», its English
// id, among Russian block names. A block with no label is named by its type's title in the interface language.
import { describe, expect, it } from "vitest";
import type { TraceStep } from "../api/types";
import { CallStory } from "./CallStory";
import { buttonTexts, renderInLanguage } from "./renderForTest";
import { TraceSteps } from "./TraceSteps";

const steps: TraceStep[] = [
  { node: "start", type: "start", at: "2026-12-05T09:00:00+00:00", exit: "next" },
  { node: "hours", type: "schedule", label: "Часы работы офиса", at: "2026-12-05T09:00:01+00:00", exit: "open" },
  { node: "say_phrase_2", type: "say_phrase", at: "2026-12-05T09:00:02+00:00", exit: "next" },
];

describe("the blocks a call went through, in Russian", () => {
  it("the path names the unlabelled Start «Начало», and another unlabelled block by its type and id", () => {
    const html = renderInLanguage("ru", TraceSteps, { steps });
    expect(buttonTexts(html)).toEqual(["Начало", "Часы работы офиса", "Произнести фразу (say_phrase_2)"]);
  });

  it("the call's story does too, and says the type once: an unlabelled block is named by it already", () => {
    const html = renderInLanguage("ru", CallStory, { steps });
    expect(buttonTexts(html)).toEqual(["Начало", "Часы работы офиса", "Произнести фразу (say_phrase_2)"]);
    expect(html).not.toMatch(/>start</);
    const types = [...html.matchAll(/class="muted small step-type">([^<]*)</g)].map((m) => m[1]);
    expect(types).toEqual(["Расписание"]); // the labelled block's type; the others carry theirs in their name
  });
});
