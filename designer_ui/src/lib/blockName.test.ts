// Review (Russian analyst): a scenario's Start block had no label, so its English id showed among Russian names:
// "Он прошёл «start» → «Часы работы офиса» → …" in a publish's refusal, in the call's story and its path. A block
// with no label is now named by its type's title in the interface language (with its id when that is not the
// type's own), wherever the designer names a block in words.
import { describe, expect, it } from "vitest";
import type { TraceStep } from "../api/types";
import { canvasBlockName } from "../components/TestFailuresSaid";
import { blockName, canvasBlockNames } from "./blockText";
import { catalogFrom, type BlockSpec } from "./catalog";
import { callFailureText } from "./failureText";
import catalogJson from "./fixtures/catalog.json";
import { translator } from "./i18n";
import { testFailureText } from "./testFailureText";

const catalog = catalogFrom(catalogJson as unknown as BlockSpec[]);

/** The canvas of the review: an older scenario's Start (no label), the office hours, an unlabelled second menu. */
const canvas = [
  { id: "start", data: { blockType: "start" } },
  { id: "hours", data: { blockType: "schedule", label: "Часы работы офиса" } },
  { id: "ivr_2", data: { blockType: "ivr", label: "" } },
];

describe("a block with no label, named", () => {
  it("is its type's title in the interface language when its id is the type's own (`start`)", () => {
    expect(blockName("ru", catalog, { id: "start", type: "start" })).toBe("Начало");
    expect(blockName("es", catalog, { id: "start", type: "start" })).toBe("Inicio");
    expect(blockName("en", catalog, { id: "start", type: "start" })).toBe("Start");
  });

  it("is its type's title with its id otherwise, so two unlabelled menus are told apart", () => {
    expect(blockName("ru", catalog, { id: "ivr_2", type: "ivr" })).toBe("Голосовое меню (ivr_2)");
    expect(blockName("en", catalog, { id: "ivr_2", type: "ivr", label: "" })).toBe("IVR Menu (ivr_2)");
  });

  it("is its label whenever it has one, and its id only when its type is not known", () => {
    expect(blockName("ru", catalog, { id: "hours", type: "schedule", label: "Часы работы офиса" })).toBe("Часы работы офиса");
    expect(blockName("ru", catalog, { id: "hours" })).toBe("hours");
  });

  it("is named so for each block of a canvas", () => {
    expect([...canvasBlockNames("ru", catalog, canvas)]).toEqual([
      ["start", "Начало"],
      ["hours", "Часы работы офиса"],
      ["ivr_2", "Голосовое меню (ivr_2)"],
    ]);
  });
});

describe("where the designer names blocks", () => {
  it("a publish refused by a test says the path in the analyst's words, not «start»", () => {
    const names = canvasBlockNames("ru", catalog, canvas);
    const failure = {
      code: "not_visited",
      params: { node: "ivr_2", path: ["start", "hours"] },
      text: "the call did not pass through 'ivr_2' in the order the test gives; it went start -> hours",
    };
    const said = testFailureText(failure, "ru", translator("ru"), {
      block: (name) => canvasBlockName(names, "support", null, name),
      type: (type) => type,
    });
    expect(said.text).toBe(
      "Звонок не прошёл через «Голосовое меню (ivr_2)» в порядке, заданном тестом. Он прошёл «Начало» → «Часы работы офиса».",
    );
  });

  it("the line saying which block ended the call names an unlabelled one by its type", () => {
    const steps: TraceStep[] = [
      { node: "start", type: "start", exit: "next" },
      {
        node: "schedule",
        type: "schedule",
        exit: "error",
        error: "unknown time zone 'Europe/Moskow'",
        events: [{ kind: "failure", code: "unknown_timezone", timezone: "Europe/Moskow" }],
      },
    ];
    const error = "block 'schedule' failed: unknown time zone 'Europe/Moskow'";
    expect(callFailureText(error, steps, "ru", catalog)).toBe("Ошибка в блоке «Расписание»: неизвестный часовой пояс «Europe/Moskow»");
  });
});
