/** A block's failure during a call, told in the interface language where a story shows it (review of 2026-12-05). */
import { describe, expect, it } from "vitest";
import type { SimulateResult, TraceStep } from "../api/types";
import { CallDetails } from "./CallsPanel";
import { CallStory } from "./CallStory";
import { renderInLanguage } from "./renderForTest";
import { TestCallResult } from "./TestCallPanel";
import { TraceSteps } from "./TraceSteps";

const ENGLISH = "unknown time zone 'Europe/Moskow'";
/** The call's error as the interpreter words it: the step's, after the block's id. */
const CALL_ERROR = `block 'schedule' failed: ${ENGLISH}`;

const steps: TraceStep[] = [
  { node: "start", type: "start", label: "", exit: "next", events: [{ kind: "answered" }] },
  {
    node: "schedule",
    type: "schedule",
    label: "Часы работы",
    exit: "error",
    error: ENGLISH,
    events: [{ kind: "failure", code: "unknown_timezone", timezone: "Europe/Moskow" }],
  },
];

const testCall = {
  result: { outcome: "failed", error: CALL_ERROR, steps, variables: {} } as SimulateResult["result"],
  story: [],
  callbacks: [],
} as unknown as SimulateResult;

const told = (html: string) =>
  html.replace(/<details[\s\S]*?<\/details>/g, "").replace(/<[^>]+>/g, " ").replace(/&#x27;/g, "'").replace(/\s+/g, " ");

describe("a failed block in a Russian interface", () => {
  it("is worded on the test call's error line and in its story, the failure event no line of its own", () => {
    const text = told(renderInLanguage("ru", TestCallResult, { result: testCall }));
    expect(text).toContain("Ошибка в блоке «Часы работы»: неизвестный часовой пояс «Europe/Moskow»");
    expect(text).toContain("Ошибка: неизвестный часовой пояс «Europe/Moskow»");
    expect(text).not.toContain("unknown time zone");
    expect(text).not.toContain("failure");
  });

  it("is worded on an opened call's error line and in its path", () => {
    const call = { id: "c1", version: 3, outcome: "failed", error: CALL_ERROR, steps };
    expect(told(renderInLanguage("ru", CallDetails, { call }))).toContain(
      "Ошибка в блоке «Часы работы»: неизвестный часовой пояс «Europe/Moskow»",
    );
    expect(told(renderInLanguage("es", TraceSteps, { steps }))).toContain("Error: zona horaria desconocida «Europe/Moskow»");
  });

  it("stays the server's English text in an English interface", () => {
    expect(told(renderInLanguage("en", TestCallResult, { result: testCall }))).toContain(`Error: ${CALL_ERROR}`);
    expect(told(renderInLanguage("en", CallStory, { steps }))).toContain(`Error: ${ENGLISH}`);
  });
});
