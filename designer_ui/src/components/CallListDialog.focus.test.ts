import { isValidElement, type ReactElement, type ReactNode } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as api from "../api/client";
import { ApiError } from "../api/http";
import type { CallbackBatchResult, CallList, ScenarioSummary } from "../api/types";
import { translator } from "../lib/i18n";
import { CallListDialog, CheckOutcome, FailureView, ListFilePicker } from "./CallListDialog";

// No browser here (as in ConfirmDialog.test.ts): the dialog is called as React would render it, its hooks kept in
// cells by the order it calls them, and an effect runs when its dependencies changed since the last render. The
// check area's ref is given a stand-in that records what takes the focus.
const hooks = vi.hoisted(() => ({ cells: [] as unknown[], next: 0, due: [] as (() => void)[] }));
vi.mock("react", async (importOriginal) => {
  const react = await importOriginal<typeof import("react")>();
  const cell = <T>(initial: () => T): [number, T] => {
    const at = hooks.next++;
    if (!(at in hooks.cells)) hooks.cells[at] = initial();
    return [at, hooks.cells[at] as T];
  };
  return {
    ...react,
    useState: <T>(initial: T | (() => T)) => {
      const [at, value] = cell(() => (typeof initial === "function" ? (initial as () => T)() : initial));
      const set = (next: T | ((current: T) => T)) => {
        hooks.cells[at] = typeof next === "function" ? (next as (current: T) => T)(hooks.cells[at] as T) : next;
      };
      return [value, set];
    },
    useRef: <T>(initial: T) => cell(() => ({ current: initial }))[1],
    useEffect: (effect: () => void, deps?: unknown[]) => {
      const at = hooks.next++;
      const before = hooks.cells[at] as unknown[] | undefined;
      hooks.cells[at] = deps;
      if (!before || !deps || deps.some((dep, i) => !Object.is(dep, before[i]))) hooks.due.push(effect);
    },
  };
});
vi.mock("../i18n", () => ({ useI18n: () => ({ language: "en", t: translator("en") }) }));
vi.mock("../api/client", () => ({ readCallList: vi.fn(), callList: vi.fn() }));
const readCallList = vi.mocked(api.readCallList);
const callList = vi.mocked(api.callList);

const scenario: ScenarioSummary = {
  slug: "citas",
  name: "Citas",
  description: "",
  draft_revision: 1,
  updated_at: "2026-12-01T10:00:00Z",
  updated_by: "ana",
  latest_version: 1,
  missing_block_types: [],
};
const list: CallList = { columns: ["nombre", "teléfono"], rows: [{ nombre: "Ana", "teléfono": "600111213" }], sheet: null, row_numbers: [2] };
const checked: CallbackBatchResult = { jobs: 1, created: false, job_ids: [], campaign_id: null, preview: [], timezone: "UTC" };

/** Every element in a rendered tree, depth first. */
function elements(node: ReactNode): ReactElement<Record<string, unknown>>[] {
  if (Array.isArray(node)) return node.flatMap(elements);
  if (!isValidElement<Record<string, unknown>>(node)) return [];
  return [node, ...elements(node.props.children as ReactNode)];
}

/** Where the focus went: the selectors asked of the check area whose element was focused. */
let focused: string[] = [];
const checkArea = {
  scrollIntoView: () => undefined,
  querySelector: (selector: string) => ({ focus: () => void focused.push(selector) }),
};

/** The dialog as drawn now, its effects run as React runs them after drawing it. */
function render(): ReactElement<Record<string, unknown>>[] {
  hooks.next = 0;
  const tree = elements(CallListDialog({ scenario, onClose: () => undefined, now: new Date(2026, 11, 1, 10) }));
  const area = tree.find((e) => e.props.className === "check-area");
  if (area) (area.props.ref as { current: unknown }).current = checkArea;
  const due = hooks.due;
  hooks.due = [];
  due.forEach((effect) => effect());
  return tree;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

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
  hooks.cells = [];
  hooks.due = [];
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
