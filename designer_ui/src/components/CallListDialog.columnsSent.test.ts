import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as api from "../api/client";
import type { CallbackBatch, CallbackBatchResult, CallList, ListVariable } from "../api/types";
import { translator } from "../lib/i18n";
import { ListFilePicker, VariableColumnsFields, type ChosenColumns } from "./CallListDialog";
import { renderDialog, scenarioNamed, settle, type Elements } from "./CallListDialog.fixture";
import { forgetHookCells } from "./hookCells";

// The dialog sending the columns chosen for what the scenario reads (CallListDialog.columns.test.ts draws the
// choice). No browser here (as in CallListDialog.duplicates.test.ts): the dialog is called as React would render
// it, its hooks kept in cells (CallListDialog.fixture.ts).
vi.mock("react", async (importOriginal) => (await import("./hookCells")).withHookCells(await importOriginal<typeof import("react")>()));
vi.mock("../i18n", () => ({ useI18n: () => ({ language: "en", t: translator("en") }) }));
vi.mock("../api/client", () => ({ readCallList: vi.fn(), callList: vi.fn() }));
const readCallList = vi.mocked(api.readCallList);
const callList = vi.mocked(api.callList);

const variables: ListVariable[] = [
  { variable: "contact.name", column: "name", required: false, default: "клиент" },
  { variable: "debt_amount", column: "debt_amount", required: true, default: null },
  { variable: "due_date", column: "due_date", required: false, default: "" },
];
const columns = ["Телефон", "ФИО", "Сумма долга", "Срок оплаты"];
const rows = [{ Телефон: "+79167654321", ФИО: "Иван Петров", "Сумма долга": 1500, "Срок оплаты": "2026-12-30" }];
const list: CallList = { columns, rows, sheet: "Лист1", row_numbers: [2], variables };
const checked: CallbackBatchResult = { jobs: 1, created: false, job_ids: [], campaign_id: null, preview: [], timezone: "UTC", warnings: [] };

describe("the dialog", () => {
  const area = { scrollIntoView: () => undefined, querySelector: () => ({ focus: () => undefined }) };
  const render = () => renderDialog(scenarioNamed("dolgi", "Долги"), area);
  const choice = (tree: Elements) => tree.find((e) => e.type === VariableColumnsFields)!;
  const choose = (variable: string, column: string) => {
    const drawn = choice(render());
    (drawn.props.onChange as (chosen: ChosenColumns) => void)({ ...(drawn.props.chosen as ChosenColumns), [variable]: column });
  };
  const press = async (text: string) => {
    const button = render().find((e) => e.type === "button" && typeof e.props.children === "string" && e.props.children.startsWith(text))!;
    (button.props.onClick as () => void)();
    await settle();
  };
  const sent = (call: number) => callList.mock.calls[call]![0] as CallbackBatch;

  beforeEach(async () => {
    readCallList.mockResolvedValue(list);
    const picker = render().find((e) => e.type === ListFilePicker)!;
    (picker.props.onFile as (file: File) => void)(new File(["x"], "должники.xlsx"));
    await settle();
  });

  afterEach(() => {
    forgetHookCells();
    vi.resetAllMocks();
  });

  it("reads the list for the scenario, and sends the columns chosen with the check and the schedule", async () => {
    expect(readCallList.mock.calls[0]![1]).toBe("dolgi");
    expect(choice(render()).props.chosen).toEqual({ "contact.name": "", debt_amount: "", due_date: "" });
    choose("contact.name", "ФИО");
    choose("debt_amount", "Сумма долга");
    choose("due_date", "Срок оплаты");
    callList.mockResolvedValueOnce(checked);
    await press("Check");
    expect(sent(0).columns).toEqual({ "contact.name": "ФИО", debt_amount: "Сумма долга", due_date: "Срок оплаты" });
    expect(sent(0).number_column).toBe("Телефон");
    callList.mockResolvedValueOnce({ ...checked, created: true, campaign_id: "c-1", job_ids: ["j-1"] });
    await press("Schedule");
    expect(sent(1)).toMatchObject({ dry_run: false, columns: { debt_amount: "Сумма долга" } });
  });

  it("asks for a new check once a choice changes", async () => {
    choose("debt_amount", "Сумма долга");
    callList.mockResolvedValueOnce(checked);
    await press("Check");
    expect(sent(0).columns).toEqual({ debt_amount: "Сумма долга" });
    choose("contact.name", "ФИО");
    const tree = render();
    expect(tree.some((e) => e.props["data-testid"] === "check-stale")).toBe(true);
    expect(tree.some((e) => e.type === "button" && String(e.props.children).startsWith("Schedule"))).toBe(false);
  });

  it("sends no columns for a list read without variables, as before", async () => {
    forgetHookCells();
    readCallList.mockResolvedValue({ ...list, variables: [] });
    const picker = render().find((e) => e.type === ListFilePicker)!;
    (picker.props.onFile as (file: File) => void)(new File(["x"], "list.xlsx"));
    await settle();
    callList.mockResolvedValueOnce(checked);
    await press("Check");
    expect("columns" in sent(0)).toBe(false);
  });

  it("leaves a column named like a variable unchosen when it is empty in every row, and offers 'not from the file'", async () => {
    // The empty "name" column was shown chosen for contact.name, and the check then refused it (review).
    forgetHookCells();
    const named: CallList = { ...list, columns: ["Телефон", "name", "debt_amount"], rows: [{ Телефон: "+79167654321", name: " ", debt_amount: 1500 }] };
    readCallList.mockResolvedValue(named);
    const picker = render().find((e) => e.type === ListFilePicker)!;
    (picker.props.onFile as (file: File) => void)(new File(["x"], "list.xlsx"));
    await settle();
    expect(choice(render()).props.chosen).toEqual({ "contact.name": "", debt_amount: "debt_amount", due_date: "" });
    expect(choice(render()).props.filled).toEqual(["Телефон", "debt_amount"]);
    callList.mockResolvedValueOnce(checked);
    await press("Check");
    expect(sent(0).columns).toEqual({ debt_amount: "debt_amount" });
  });
});
