import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as api from "../api/client";
import { ApiError } from "../api/http";
import type { CallbackBatch, CallbackBatchResult, CallList } from "../api/types";
import { translator } from "../lib/i18n";
import { CheckOutcome, duplicatesFound, ListFilePicker, SkipDuplicatesField } from "./CallListDialog";
import { renderDialog, scenarioNamed, settle, type Elements } from "./CallListDialog.fixture";
import { forgetHookCells } from "./hookCells";

// The option to skip a list's duplicate rows (review of a Spanish bank: one duplicate in a 20,000-row export sent
// the analyst back to Excel). No browser here (as in CallListDialog.focus.test.ts): the dialog is called as React
// would render it, its hooks kept in cells by the order it calls them (CallListDialog.fixture.ts).
vi.mock("react", async (importOriginal) => (await import("./hookCells")).withHookCells(await importOriginal<typeof import("react")>()));
vi.mock("../i18n", () => ({ useI18n: () => ({ language: "en", t: translator("en") }) }));
vi.mock("../api/client", () => ({ readCallList: vi.fn(), callList: vi.fn() }));
const readCallList = vi.mocked(api.readCallList);
const callList = vi.mocked(api.callList);

const scenario = scenarioNamed("deudas", "Deudas");
const rows = [{ nombre: "Ana", teléfono: "+34600111222" }, { nombre: "Ana", teléfono: "0034600111222" }];
const list: CallList = { columns: ["nombre", "teléfono"], rows, sheet: null, row_numbers: [2, 19] };
const twice = {
  path: "$.rows[1].teléfono",
  code: "duplicate_number",
  params: { row: 19, column: "teléfono", number: "0034600111222", first: 2 },
  message: "row 19: 0034600111222 is already row 2",
};
const refusedForDuplicates = new ApiError(422, { detail: "the call list cannot be called", problems: [twice] }, "refused");
const skipped = { path: "$.rows", code: "duplicate_skipped", params: twice.params, message: "row 19: ... skipped, row 2 is called" };
const checked: CallbackBatchResult = { jobs: 1, created: false, job_ids: [], campaign_id: null, preview: [], timezone: "UTC", warnings: [skipped] };

const area = { scrollIntoView: () => undefined, querySelector: () => ({ focus: () => undefined }) };

/** The dialog as drawn now, its effects run. */
const render = () => renderDialog(scenario, area);
const button = (tree: Elements, text: string) =>
  tree.find((e) => e.type === "button" && typeof e.props.children === "string" && e.props.children.startsWith(text))!;
const option = (tree: Elements) => tree.find((e) => e.type === SkipDuplicatesField);
const sent = (call: number) => callList.mock.calls[call]![0] as CallbackBatch;

async function press(text: string): Promise<void> {
  (button(render(), text).props.onClick as () => void)();
  await settle();
}

beforeEach(async () => {
  readCallList.mockResolvedValue(list);
  const picker = render().find((e) => e.type === ListFilePicker)!;
  (picker.props.onFile as (file: File) => void)(new File(["nombre;teléfono"], "deudas.csv"));
  await settle();
});

afterEach(() => {
  forgetHookCells();
  vi.resetAllMocks();
});

describe("skipping a list's duplicate rows", () => {
  it("is offered once a check is refused for duplicates, and a check with it ticked skips them", async () => {
    expect(option(render())).toBeUndefined(); // nothing found yet: nothing to offer
    callList.mockRejectedValueOnce(refusedForDuplicates);
    await press("Check");
    expect("duplicates" in sent(0)).toBe(false); // refused, as before, unless the analyst asks otherwise
    const offered = option(render())!;
    expect(offered.props.checked).toBe(false);

    (offered.props.onChange as (checked: boolean) => void)(true);
    callList.mockResolvedValueOnce(checked);
    await press("Check");
    expect(sent(1)).toMatchObject({ duplicates: "skip", dry_run: true, row_numbers: [2, 19] });
    const tree = render();
    expect(option(tree)!.props.checked).toBe(true);
    expect(tree.find((e) => e.type === CheckOutcome)!.props.result).toBe(checked); // its warnings name the rows skipped

    callList.mockResolvedValueOnce({ ...checked, created: true, campaign_id: "c-1", job_ids: ["j-1"] });
    await press("Schedule");
    expect(sent(2)).toMatchObject({ duplicates: "skip", dry_run: false });
  });

  it("asks for a new check when it is unticked after one", async () => {
    callList.mockRejectedValueOnce(refusedForDuplicates);
    await press("Check");
    (option(render())!.props.onChange as (checked: boolean) => void)(true);
    callList.mockResolvedValueOnce(checked);
    await press("Check");
    expect(button(render(), "Schedule")).toBeDefined();

    (option(render())!.props.onChange as (checked: boolean) => void)(false);
    const tree = render();
    expect(button(tree, "Schedule")).toBeUndefined();
    expect(tree.some((e) => e.props["data-testid"] === "check-stale")).toBe(true);
  });

  it("is not offered for a list refused for anything else", async () => {
    const other = { ...twice, code: "not_a_date", message: "row 19, fecha: 'x' is not a date" };
    callList.mockRejectedValueOnce(new ApiError(422, { detail: "refused", problems: [other] }, "refused"));
    await press("Check");
    expect(option(render())).toBeUndefined();
  });
});

describe("what says duplicates were found", () => {
  it("is a refusal naming a duplicate, or a check that skipped one", () => {
    expect(duplicatesFound(refusedForDuplicates, null)).toBe(true);
    expect(duplicatesFound(null, checked)).toBe(true);
    expect(duplicatesFound(new Error("offline"), { ...checked, warnings: [] })).toBe(false);
    expect(duplicatesFound(new ApiError(500, null, "boom"), null)).toBe(false);
  });
});
