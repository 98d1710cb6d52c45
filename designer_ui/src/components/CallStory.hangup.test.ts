// QA review of the call traces: the story of debt-reminder called with keys "9 hangup" read `Said "<the whole
// debt text>"` and then "The caller hung up", as though the caller had heard it out; and its rows had no numbers to
// match the canvas's step badges ("3, 5" on Debt).
import { describe, expect, it } from "vitest";
import type { TraceStep } from "../api/types";
import type { Language } from "../lib/i18n";
import { CallStory } from "./CallStory";
import { renderInLanguage, visibleText } from "./renderForTest";

const DEBT = "Your balance is 120 euros, due on the 15th.";

const call: TraceStep[] = [
  { node: "start", type: "start", label: "Start", exit: "next" },
  { node: "greeting", type: "say_phrase", label: "Greeting", exit: "next", prompts: [{ text: "Hello." }] },
  { node: "debt", type: "say_phrase", label: "Debt", exit: "next", prompts: [{ text: DEBT }] },
  { node: "pay", type: "ivr", label: "Pay menu", exit: "9", keys: "9", prompts: [{ text: "Press 9 to hear it again." }] },
  { node: "debt", type: "say_phrase", label: "Debt", exit: "hangup", prompts: [{ text: DEBT }] },
];

const rows = (language: Language, steps: TraceStep[] = call) =>
  [...renderInLanguage(language, CallStory, { steps }).matchAll(/<li class="call-step"[^>]*>(.*?)<\/li>/gs)].map((m) => m[1]!);
const said = (row: string) => [...row.matchAll(/data-testid="step-said">(.*?)<\/div>/g)].map((m) => visibleText(m[1]!));

describe("a call's story when the caller hung up", () => {
  it("says the prompt was cut short, not heard out, and says the hangup once", () => {
    const last = rows("en").at(-1)!;
    expect(said(last)).toEqual([`Was saying “${DEBT}” when the caller hung up`]);
    expect(visibleText(last)).not.toContain("The caller hung up");
    // The first time the debt was said, the call went on: said in full.
    expect(said(rows("en")[2]!)).toEqual([`Said “${DEBT}”`]);
  });

  it("says it in Spanish and Russian", () => {
    expect(said(rows("es").at(-1)!)).toEqual([`Estaba diciendo «${DEBT}» cuando quien llama colgó`]);
    expect(said(rows("ru").at(-1)!)).toEqual([`Говорилось «${DEBT}», когда абонент положил трубку`]);
  });

  it("cuts short only the last prompt of the step, and says an audio played as cut short too", () => {
    const menu: TraceStep = { node: "pay", type: "ivr", label: "Pay menu", exit: "hangup", prompts: [{ text: "Press 9." }, { audio: "retry.wav" }] };
    expect(said(rows("en", [menu])[0]!)).toEqual(["Said “Press 9.”", "Was playing retry.wav when the caller hung up"]);
  });

  it("still says the caller hung up at a step that played nothing, and not at a Hang Up block ending the call", () => {
    const quiet: TraceStep = { node: "lookup", type: "sql", label: "Lookup", exit: "hangup" };
    expect(visibleText(rows("en", [quiet])[0]!)).toContain("The caller hung up");
    const bye: TraceStep = { node: "bye", type: "hangup", label: "Bye", exit: "hangup", prompts: [{ text: "Goodbye." }] };
    const row = rows("en", [bye])[0]!;
    expect(said(row)).toEqual(["Said “Goodbye.”"]);
    expect(visibleText(row)).not.toContain("hung up");
  });

  // Supervisor review: the Hang Up block's step read "→ абонент положил трубку" in the test call and in a recorded
  // call's story alike (both are this story).
  it("names the Hang Up block's end as the call ending, and a real hangup as the caller's", () => {
    const bye: TraceStep = { node: "bye", type: "hangup", label: "Bye", exit: "hangup" };
    const exitOf = (language: Language, step: TraceStep) => visibleText(/class="step-exit[^"]*">(.*?)<\/span>/s.exec(rows(language, [step])[0]!)![1]!);
    expect(exitOf("ru", bye)).toBe("→ звонок завершён");
    expect(exitOf("es", bye)).toBe("→ finalizó la llamada");
    expect(exitOf("en", bye)).toBe("→ call ended");
    const quiet: TraceStep = { node: "lookup", type: "sql", label: "Lookup", exit: "hangup" };
    expect(exitOf("ru", quiet)).toBe("→ абонент положил трубку");
    expect(exitOf("en", quiet)).toBe("→ caller hung up");
  });

  it("says the call ended where the scenario itself ended it through another block (the call's outcome says so)", () => {
    const plugin: TraceStep = { node: "vm", type: "voicemail_end", label: "Voicemail", exit: "hangup", prompts: [{ text: "Bye." }] };
    const story = (outcome?: string) => [...renderInLanguage("ru", CallStory, { steps: [plugin], outcome }).matchAll(/<li class="call-step"[^>]*>(.*?)<\/li>/gs)][0]![1]!;
    const ended = story("hung_up");
    expect(visibleText(/class="step-exit[^"]*">(.*?)<\/span>/s.exec(ended)![1]!)).toBe("→ звонок завершён");
    expect(said(ended)).toEqual(["Сказано: «Bye.»"]);
    expect(visibleText(/class="step-exit[^"]*">(.*?)<\/span>/s.exec(story("caller_hangup"))![1]!)).toBe("→ абонент положил трубку");
  });

  it("numbers each row by its step in the call, as the canvas's badges do", () => {
    const numbers = rows("en").map((row) => /<span class="step-number[^"]*" title="([^"]*)">(\d+)<\/span>/.exec(row)?.slice(1));
    expect(numbers).toEqual([1, 2, 3, 4, 5].map((n) => [`Step ${n} of the call`, String(n)]));
  });
});
