import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as api from "../api/client";
import { ApiError } from "../api/http";
import type { CallbackBatchResult, CallList } from "../api/types";
import { translator } from "../lib/i18n";
import { CheckOutcome, FailureView, ListFilePicker } from "./CallListDialog";
import { renderDialog, scenarioNamed, settle } from "./CallListDialog.fixture";
import { forgetHookCells } from "./hookCells";

// No browser here (as in ConfirmDialog.test.ts): the dialog is called as React would render it, its hooks kept in
// cells by the order it calls them, and an effect runs when its dependencies changed since the last render
// (CallListDialog.fixture.ts). The check area's ref is given a stand-in that records what takes the focus.
vi.mock("react", async (importOriginal) => (await import("./hookCells")).withHookCells(await importOriginal<typeof import("react")>()));
vi.mock("../i18n", () => ({ useI18n: () => ({ language: "en", t: translator("en") }) }));
vi.mock("../api/client", () => ({ readCallList: vi.fn(), callList: vi.fn() }));
const readCallList = vi.mocked(api.readCallList);
const callList = vi.mocked(api.callList);

const scenario = scenarioNamed("citas", "Citas");
const list: CallList = { columns: ["nombre", "teléfono"], rows: [{ nombre: "Ana", "teléfono": "600111213" }], sheet: null, row_numbers: [2] };
const checked: CallbackBatchResult = { jobs: 1, created: false, job_ids: [], campaign_id: null, preview: [], timezone: "UTC" };

/** Where the focus went: the selectors asked of the check area whose element was focused. */
let focused: string[] = [];
const checkArea = {
  scrollIntoView: () => undefined,
  querySelector: (selector: string) => ({ focus: () => void focused.push(selector) }),
};

/** The dialog as drawn now, its effects run. */
const render = () => renderDialog(scenario, checkArea);

/** The dialog with a list read, and Check pressed (with Enter or a click: the same handler). */
async function checkTheList(): Promise<void> {
  const picker = render().find((e) => e.type === ListFilePicker)!;
  (picker.props.onFile as (file: File) => void)(new File(["nombre;teléfono"], "pacientes.csv"));
  await settle();
  const check = render().find((e) => e.type === "button" && e.props.children === "Check")!;
  expect(check.props.disabled).toBe(false);
  (check.props.onClick as () => void)();
  render(); // "Checking…", the button disabled: the browser moves the focus to <body>
  expect(focused).toEqual([]);
  await settle();
}

beforeEach(() => {
  readCallList.mockResolvedValue(list);
});

afterEach(() => {
  forgetHookCells();
  focused = [];
  vi.resetAllMocks();
});

describe("the focus once a check answers (review of 2026-12-19: it was left on <body>)", () => {
  it("goes to the check's summary when the list passed", async () => {
    callList.mockResolvedValue(checked);
    await checkTheList();
    const tree = render();
    expect(tree.some((e) => e.type === CheckOutcome)).toBe(true);
    expect(focused).toEqual(["[data-answer]"]);
    render(); // drawn again (a field typed in): the focus stays where the user put it
    expect(focused).toEqual(["[data-answer]"]);
  });

  it("goes to the problems when the list was refused", async () => {
    const problem = { path: "$.rows[0].fecha", code: "not_a_date", params: {}, message: "row 2, fecha: 'x' is not a date" };
    callList.mockRejectedValue(new ApiError(422, { detail: "the call list cannot be called", problems: [problem] }, "refused"));
    await checkTheList();
    const tree = render();
    expect(tree.some((e) => e.type === FailureView)).toBe(true);
    expect(focused).toEqual(["[data-answer]"]);
  });
});
