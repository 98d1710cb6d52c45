import { describe, expect, it } from "vitest";
import type { CallbackBatchResult, CallList, ScenarioSummary } from "../api/types";
import {
  CallListDialog,
  CallListPreview,
  CampaignNameField,
  CheckOutcome,
  FailureView,
  ListFilePicker,
  PREVIEW_ROWS,
  ScheduledView,
  SkipDuplicatesField,
  valueText,
} from "./CallListDialog";
import { runInTimeZone } from "../testSupport";
import { buttonTexts, renderInLanguage, renderToHtml } from "./renderForTest";

runInTimeZone("Europe/Madrid");

const scenario: ScenarioSummary = {
  slug: "debt-reminder",
  name: "Debt reminder",
  description: "",
  draft_revision: 3,
  updated_at: "2026-01-05T10:00:00Z",
  updated_by: "ana",
  latest_version: 2,
  missing_block_types: [],
};

const list = (clients: number): CallList => ({
  columns: ["nombre", "teléfono", "debt_amount"],
  rows: Array.from({ length: clients }, (_, i) => ({ nombre: `Client ${i + 1}`, "teléfono": `60011120${i}`, debt_amount: "1.234,56" })),
  sheet: null,
});

const cells = (html: string, tag: "td" | "th" | "li") => [...html.matchAll(new RegExp(`<${tag}(?:\\s[^>]*)?>(.*?)</${tag}>`, "gs"))].map((m) => m[1]);

describe("the file picker", () => {
  it("names the file picked, and offers to pick another (the same one fixed, too)", () => {
    const html = renderToHtml(ListFilePicker, { fileName: "clientes.csv", onFile: () => {} });
    expect(buttonTexts(html)).toEqual(["Choose another file…"]);
    expect(html).toContain('data-testid="call-list-file-name">clientes.csv<');
  });
});

describe("the campaign's name", () => {
  it("is a text field of at most 200 characters, showing the name it is given", () => {
    const html = renderToHtml(CampaignNameField, { name: "debts-november", onChange: () => {} });
    expect(html).toMatch(/<label>Campaign name<input type="text" maxLength="200" aria-describedby="[^"]+" name="campaign-name" value="debts-november"\/><\/label>/);
    expect(html).toContain("What the campaign is called in the list of campaigns and in its report.");
  });
});

describe("the list as read", () => {
  it("says how many clients, names the columns, and shows only the first rows", () => {
    const html = renderToHtml(CallListPreview, { list: list(12), fileName: "clientes.csv", numberColumn: "teléfono", onNumberColumn: () => {} });
    expect(html).toContain("12 clients in clientes.csv");
    expect(html).toContain("Columns: nombre, teléfono, debt_amount");
    expect(cells(html, "th")).toEqual(["nombre", "teléfono", "debt_amount"]);
    expect([...html.matchAll(/<tbody>.*?<\/tbody>/gs)][0]![0].match(/<tr>/g)).toHaveLength(PREVIEW_ROWS);
    expect(html).not.toContain("Client 11");
  });

  it("selects the phone column it was given and marks it in the table", () => {
    const html = renderToHtml(CallListPreview, { list: list(2), fileName: "l.csv", numberColumn: "teléfono", onNumberColumn: () => {} });
    expect(html).toMatch(/<option value="teléfono" selected="">teléfono<\/option>/);
    expect(html).toContain('<th class="number-column">teléfono</th>');
    expect(html).toContain('<td class="number-column">600111200</td>');
  });

  // Supervisor review: an XLSX's date cells showed as 2026-12-30 beside text dates 25.12.2026 in the same column.
  it("shows date cells as the interface language writes dates, the rest as read", () => {
    const dated: CallList = {
      columns: ["phone", "due_date", "note"],
      rows: [
        { phone: "89161234567", due_date: "2026-12-30", note: "2026-02-31" },
        { phone: "89161234568", due_date: "25.12.2026", note: "2026-12-30T14:30" },
      ],
      sheet: "Лист1",
    };
    const shown = (language: "en" | "es" | "ru") =>
      cells(renderInLanguage(language, CallListPreview, { list: dated, fileName: "l.xlsx", numberColumn: "phone", onNumberColumn: () => {} }), "td");
    expect(shown("ru")).toEqual(["89161234567", "30.12.2026", "2026-02-31", "89161234568", "25.12.2026", "30.12.2026 14:30"]);
    expect(shown("es")).toEqual(["89161234567", "30/12/2026", "2026-02-31", "89161234568", "25.12.2026", "30/12/2026 14:30"]);
    expect(shown("en")).toEqual(["89161234567", "Dec 30, 2026", "2026-02-31", "89161234568", "25.12.2026", "Dec 30, 2026, 2:30 PM"]);
  });

  it("says, before scheduling, that a CSV was read as Windows-1251 (review of a Russian contact centre)", () => {
    const warning = { path: "$.file", code: "read_as_windows_1251", params: {},
      message: "the file is not UTF-8 and was read as Windows-1251 (Cyrillic), as a Russian Excel saves 'CSV (разделители — запятые)'" };
    const html = renderToHtml(CallListPreview, { list: { ...list(1), warnings: [warning] }, fileName: "l.csv", numberColumn: "nombre", onNumberColumn: () => {} });
    expect(html).toContain("Before you schedule:");
    expect(cells(html, "li")).toEqual(["the file is not UTF-8 and was read as Windows-1251 (Cyrillic), as a Russian Excel saves &#x27;CSV (разделители — запятые)&#x27;"]);
    expect(renderToHtml(CallListPreview, { list: list(1), fileName: "l.csv", numberColumn: "nombre", onNumberColumn: () => {} })).not.toContain("call-list-warnings");
  });

  it("names the sheet an XLSX was read from", () => {
    const html = renderToHtml(CallListPreview, { list: { ...list(1), sheet: "Clientes" }, fileName: "l.xlsx", numberColumn: "nombre", onNumberColumn: () => {} });
    expect(html).toContain("1 client in l.xlsx (sheet “Clientes”)");
  });
});

describe("problems", () => {
  it("lists every message shown and says how many more there are", () => {
    const html = renderToHtml(FailureView, {
      title: "Nothing was scheduled.",
      failure: { kind: "problems", lines: ["client 1, debt_amount: '1,234' is not a number", "client 3: 'x' is not a phone number"], hidden: 7 },
    });
    expect(html).toContain('role="alert"');
    expect(cells(html, "li")).toEqual([
      "client 1, debt_amount: &#x27;1,234&#x27; is not a number",
      "client 3: &#x27;x&#x27; is not a phone number",
      "…and 7 more.",
    ]);
  });

  it("takes the focus once a check is refused, by script only (review of 2026-12-19)", () => {
    const html = renderToHtml(FailureView, { title: "Nothing was scheduled.", failure: { kind: "problems", lines: ["x"], hidden: 0 } });
    expect(html).toMatch(/<div role="alert" class="blocked" data-testid="call-list-problems" tabindex="-1" data-answer="">/);
  });

  it("shows a single failure verbatim, as text and never as markup", () => {
    const html = renderToHtml(FailureView, { title: "This file cannot be used:", failure: { kind: "message", message: "<b>HTTP 500</b>" } });
    expect(html).toContain("&lt;b&gt;HTTP 500&lt;/b&gt;");
    expect(html).not.toContain("<b>");
  });
});

describe("a check's answer", () => {
  const result: CallbackBatchResult = {
    jobs: 2,
    created: false,
    job_ids: [],
    timezone: "UTC",
    campaign_id: null,
    preview: [
      {
        number: "+34600111213",
        due: "2026-12-01T08:00:00Z",
        window_end: "2026-12-01T20:00:00Z",
        variables: { contact: { nombre: "Ana", phone: "+34 600-11-12-13" }, debt_amount: 1234.56 },
      },
      { number: "600222333", due: "2026-12-01T08:00:00Z", window_end: "2026-12-01T20:00:00Z", variables: { contact: { nombre: "Luis" } } },
    ],
  };

  it("says how many calls and when the first goes out, in the browser's time", () => {
    const html = renderToHtml(CheckOutcome, { result, timezone: "Europe/Madrid" }).replace(/\s/g, " ");
    expect(html).toContain("2 calls will be scheduled; the first at Dec 1, 2026, 9:00 AM.");
  });

  it("says so in a summary that takes the focus once the check answers, by script only (review of 2026-12-19)", () => {
    const html = renderToHtml(CheckOutcome, { result, timezone: "Europe/Madrid" });
    expect(html).toMatch(/<p role="status" class="success" tabindex="-1" data-answer="">2 calls will be scheduled/);
  });

  it("shows each first job's number, time and the variables the scenario will get", () => {
    const html = renderToHtml(CheckOutcome, { result, timezone: "Europe/Madrid" });
    const row = cells(html, "td");
    expect(row[0]).toBe("+34600111213");
    expect(row[2]).toContain("contact = { nombre: &quot;Ana&quot;, phone: &quot;+34 600-11-12-13&quot; }");
    expect(row[2]).toContain("debt_amount = 1234.56");
    expect(row[2]).not.toContain("debt_amount = &quot;"); // a number, not text
    expect(row[3]).toBe("600222333");
  });
});

describe("the dialog as it opens", () => {
  const html = renderToHtml(CallListDialog, { scenario, onClose: () => {}, now: new Date(2026, 5, 1, 10, 7) });

  it("asks for a file and offers Check only once there is a list; nothing to schedule before a check", () => {
    expect(html).toMatch(/<input type="file" [^>]*hidden=""/);
    expect(buttonTexts(html)[0]).toBe("Choose a file…");
    expect(html).toContain("No file chosen");
    expect(html).toMatch(/accept="[^"]*\.csv[^"]*\.xlsx/);
    expect(html).toMatch(/<button type="button" class="primary" disabled="">Check<\/button>/);
    expect(buttonTexts(html).some((text) => text.startsWith("Schedule"))).toBe(false);
  });

  it("starts now, Monday to Friday 09:00-21:00, 3 attempts", () => {
    expect(html).toMatch(/<input type="datetime-local" name="first-call" value="2026-06-01T10:07"\/>/);
    expect(html).toMatch(/<input [^>]*name="timezone" value="Europe\/Madrid"\/>/);
    expect(html).toMatch(/name="hours-on" checked=""/);
    const ticked = [...html.matchAll(/<label class="day-toggle"><input type="checkbox" aria-label="[^"]*"( checked="")?\/>(\w+)<\/label>/g)].map((m) => [m[2], !!m[1]]);
    expect(ticked).toEqual([["Mon", true], ["Tue", true], ["Wed", true], ["Thu", true], ["Fri", true], ["Sat", false], ["Sun", false]]);
    expect(html).toContain('value="09:00"');
    expect(html).toContain('value="21:00"');
    expect(html).toMatch(/<input type="number" min="1" max="20" step="1" name="attempts" value="3"\/>/);
  });

  it("is titled with the scenario", () => {
    expect(html).toContain("Call a list with “Debt reminder”");
  });

  it("asks for the campaign's name, empty until a file suggests one", () => {
    expect(html).toMatch(/<input [^>]*name="campaign-name" value=""\/>/);
  });
});

describe("a variable's value in the preview", () => {
  it("quotes text, not numbers or yes/no, and lists an object's cells", () => {
    expect(valueText("1.234,56")).toBe('"1.234,56"');
    expect(valueText(1234.56)).toBe("1234.56");
    expect(valueText(true)).toBe("true");
    expect(valueText({ name: "Ana", vip: false, debt: 80 })).toBe('{ name: "Ana", vip: false, debt: 80 }');
  });
});

describe("once the calls are scheduled", () => {
  const scheduled: CallbackBatchResult = { jobs: 3, created: true, job_ids: ["a", "b", "c"], campaign_id: "c-42", preview: [], timezone: "UTC" };

  it("says how many calls were queued and offers to follow the campaign they now are", () => {
    const html = renderToHtml(ScheduledView, { scenario, result: scheduled, onClose: () => {}, onFollow: () => {} });
    expect(html).toContain("Done: 3 calls queued for “Debt reminder”.");
    expect(buttonTexts(html)).toEqual(["Follow the campaign", "Close"]);
    expect(html).toMatch(/<button type="button" class="primary"[^>]*>Follow the campaign<\/button>/);
  });

  it("only closes when there is no campaign to follow, or nowhere to show it", () => {
    const noCampaign = renderToHtml(ScheduledView, { scenario, result: { ...scheduled, campaign_id: null }, onClose: () => {}, onFollow: () => {} });
    expect(buttonTexts(noCampaign)).toEqual(["Close"]);
    expect(buttonTexts(renderToHtml(ScheduledView, { scenario, result: scheduled, onClose: () => {} }))).toEqual(["Close"]);
  });
});

describe("the check's warnings (review of 2026-12-12)", () => {
  it("shows what does not stop the list but must be seen before scheduling, in the analyst's language", () => {
    const result: CallbackBatchResult = {
      timezone: "UTC",
      jobs: 1,
      created: false,
      campaign_id: null,
      job_ids: [],
      preview: [],
      warnings: [
        {
          path: "$.rows",
          code: "already_waiting",
          params: { count: 2, campaign: "Deudas", campaign_id: "c-1", created_at: "2026-12-01T08:00:00+00:00" },
          message: "2 of these numbers already wait in campaign 'Deudas' of this scenario: scheduling this list calls them again",
        },
      ],
    };
    const html = renderToHtml(CheckOutcome, { result, timezone: "Europe/Madrid" });
    expect(cells(html, "li")).toEqual(["2 of these numbers already wait in campaign &#x27;Deudas&#x27; of this scenario: scheduling this list calls them again"]);
    expect(html).toContain("Before you schedule:");
  });
});

describe("the option to skip duplicate rows (review of a Spanish bank)", () => {
  it("says in Spanish and Russian that the first row is the one called", () => {
    const es = renderInLanguage("es", SkipDuplicatesField, { checked: false, onChange: () => undefined });
    expect(es).toContain("Omitir duplicados (se llama a la primera fila)");
    expect(es).toMatch(/<input type="checkbox" aria-describedby="([^"]+)" name="skip-duplicates"\/>.*<p class="hint" id="\1">Una fila/);
    const ru = renderInLanguage("ru", SkipDuplicatesField, { checked: true, onChange: () => undefined });
    expect(ru).toContain("Пропускать повторы (звонок по первой строке)");
    expect(ru).toContain('checked=""');
  });
});
