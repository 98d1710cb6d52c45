import { describe, expect, it } from "vitest";
import { ApiError } from "../api/http";
import {
  batchBody,
  callListFailure,
  campaignIssues,
  defaultCampaign,
  formatMoment,
  guessNumberColumn,
  localInputToIso,
  MAX_NAME_LENGTH,
  nameForNewFile,
  nameFromFile,
  scheduleKey,
  type CampaignSettings,
} from "./callList";
import { countText } from "./i18n";
import { runInTimeZone } from "../testSupport";

// A zone with summer time, so the offset of each date is what is under test. Node reads TZ when it changes.
runInTimeZone("Europe/Madrid");

const rows = [{ phone: "+34 600 11 12 13", name: "Ana" }];
const settings = (change: Partial<CampaignSettings> = {}): CampaignSettings => ({
  ...defaultCampaign(new Date(2026, 5, 1, 10, 0), "Europe/Madrid"),
  ...change,
});

describe("the phone column is preselected", () => {
  it.each<[string[], string]>([
    [["nombre", "Teléfono", "deuda"], "Teléfono"],
    [["name", "PHONE"], "PHONE"],
    [["ФИО", "Телефон"], "Телефон"],
    [["id", " Number "], " Number "],
    [["nombre", "telefono"], "telefono"],
    [["nombre", "Tele\u0301fono"], "Tele\u0301fono"], // as macOS writes an accent: e + combining acute
    [["Account number", "Mobile phone"], "Mobile phone"], // "number" counts only on its own
    [["Phone number", "phone"], "phone"], // an exact name wins over a longer one
    [["name", "email"], "name"],
  ])("%j -> %j", (columns, expected) => {
    expect(guessNumberColumn(columns)).toBe(expected);
  });

  it("is empty for a list without columns", () => {
    expect(guessNumberColumn([])).toBe("");
  });
});

describe("a datetime-local value is sent with the browser's offset on that day", () => {
  it("in summer and in winter", () => {
    expect(localInputToIso("2026-06-01T10:00")).toBe("2026-06-01T10:00:00+02:00");
    expect(localInputToIso("2026-12-01T09:30")).toBe("2026-12-01T09:30:00+01:00");
    expect(new Date(localInputToIso("2026-06-01T10:00")!).toISOString()).toBe("2026-06-01T08:00:00.000Z");
  });

  it("west of Greenwich the offset is negative", () => {
    process.env.TZ = "America/Bogota";
    try {
      expect(localInputToIso("2026-06-01T10:00")).toBe("2026-06-01T10:00:00-05:00");
    } finally {
      process.env.TZ = "Europe/Madrid";
    }
  });

  it("a wall time skipped by the clocks going forward becomes the moment the browser moved it to", () => {
    expect(localInputToIso("2026-03-29T02:30")).toBe("2026-03-29T03:30:00+02:00");
  });

  it("nothing for an empty or unreadable value", () => {
    expect(localInputToIso("")).toBeNull();
    expect(localInputToIso("tomorrow")).toBeNull();
    expect(localInputToIso("2026-06-01")).toBeNull();
  });
});

describe("the batch body", () => {
  it("by default: now-ish first call with its offset, Monday to Friday 09:00-21:00, in the browser's zone, 3 attempts", () => {
    const body = batchBody({ scenario: "debt-reminder", name: "debts-november", rows, numberColumn: "phone", settings: settings(), dryRun: true });
    expect(body).toEqual({
      scenario: "debt-reminder",
      name: "debts-november",
      rows,
      number_column: "phone",
      due: "2026-06-01T10:00:00+02:00",
      hours: [{ days: ["mon", "tue", "wed", "thu", "fri"], from: "09:00", to: "21:00" }],
      timezone: "Europe/Madrid",
      holidays: [],
      max_attempts: 3,
      retry_hung_up_early: false,
      dry_run: true,
    });
    expect("until" in body).toBe(false);
  });

  it("sends the end, the days in week order, holidays sorted once each, and the analyst's phone column", () => {
    const body = batchBody({
      scenario: "s",
      name: "",
      rows,
      numberColumn: "móvil",
      settings: settings({
        end: "2026-06-15T20:00",
        hours: [
          { days: ["sat", "mon"], from: "10:00", to: "14:00" },
          { days: ["fri"], from: "22:00", to: "02:00" },
        ],
        timezone: "America/Bogota",
        holidays: ["2026-06-08", "2026-06-02", "2026-06-08"],
        maxAttempts: 5,
      }),
      dryRun: false,
    });
    expect(body.until).toBe("2026-06-15T20:00:00+02:00");
    expect(body.hours).toEqual([
      { days: ["mon", "sat"], from: "10:00", to: "14:00" },
      { days: ["fri"], from: "22:00", to: "02:00" },
    ]);
    expect(body.holidays).toEqual(["2026-06-02", "2026-06-08"]);
    expect(body.timezone).toBe("America/Bogota");
    expect(body.number_column).toBe("móvil");
    expect([body.max_attempts, body.dry_run]).toEqual([5, false]);
  });

  it("sends each row's place in the file, so the server's problems name the sheet's rows", () => {
    const two = [rows[0]!, rows[0]!];
    expect(batchBody({ scenario: "s", name: "", rows: two, rowNumbers: [2, 4], numberColumn: "phone", settings: settings(), dryRun: true }).row_numbers).toEqual([2, 4]);
    // Numbers that do not match the rows (a list edited since it was read) are left out rather than misnamed.
    expect("row_numbers" in batchBody({ scenario: "s", name: "", rows: two, rowNumbers: [2], numberColumn: "phone", settings: settings(), dryRun: true })).toBe(false);
  });

  it("with hours switched off, calls may go out at any time: every day round the clock, asked for outright", () => {
    // No hours at all would get the server's default daytime hours, not the "any hour" the form says.
    expect(batchBody({ scenario: "s", name: "", rows, numberColumn: "phone", settings: settings({ hoursOn: false }), dryRun: true }).hours).toEqual([
      { days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], from: "00:00", to: "00:00" },
    ]);
  });

  it("an empty first call is left to the server (now)", () => {
    expect("due" in batchBody({ scenario: "s", name: "", rows, numberColumn: "phone", settings: settings({ firstCall: "" }), dryRun: true })).toBe(false);
  });

  it.each<[number, number]>([[0, 1], [25, 20], [Number.NaN, 1], [2.6, 3]])("attempts %s are sent as %s", (typed, sent) => {
    expect(batchBody({ scenario: "s", name: "", rows, numberColumn: "phone", settings: settings({ maxAttempts: typed }), dryRun: true }).max_attempts).toBe(sent);
  });
});

describe("the campaign's name", () => {
  it.each<[string, string]>([
    ["debts-november.xlsx", "debts-november"],
    ["clientes.csv", "clientes"],
    ["Deudas 2026.v2.CSV", "Deudas 2026.v2"], // only the last extension goes
    ["  lista .txt", "lista"],
    ["sin-extension", "sin-extension"],
    [".csv", ".csv"], // a leading dot is the name, not an extension
  ])("a file called %j suggests %j", (file, name) => {
    expect(nameFromFile(file)).toBe(name);
  });

  it("follows the file picked until the analyst types their own, which a file picked again keeps", () => {
    expect(nameForNewFile("", "", "clientes-malo.csv")).toBe("clientes-malo");
    expect(nameForNewFile("clientes-malo", "clientes-malo.csv", "clientes.csv")).toBe("clientes");
    expect(nameForNewFile("Deudas noviembre", "clientes-malo.csv", "clientes.csv")).toBe("Deudas noviembre");
    expect(nameForNewFile("  ", "clientes-malo.csv", "clientes.csv")).toBe("clientes");
  });

  it("is sent trimmed, on the check and for real, without the control characters the server refuses", () => {
    for (const dryRun of [true, false]) {
      const body = batchBody({ scenario: "s", name: "  Deudas\tnoviembre \n", rows, numberColumn: "phone", settings: settings(), dryRun });
      expect(body.name).toBe("Deudas noviembre");
    }
  });

  it("is cut at the server's 200 characters, counted as it counts them (an emoji is one)", () => {
    const long = "😀".repeat(MAX_NAME_LENGTH + 5);
    const sent = batchBody({ scenario: "s", name: long, rows, numberColumn: "phone", settings: settings(), dryRun: true }).name;
    expect(Array.from(sent)).toHaveLength(MAX_NAME_LENGTH);
    expect(sent).toBe("😀".repeat(MAX_NAME_LENGTH));
  });
});

describe("settings the form refuses before asking the server", () => {
  it("hours on with no row, a row without days, a half-typed moment", () => {
    expect(campaignIssues(settings())).toEqual([]);
    expect(campaignIssues(settings({ hours: [] }))).toEqual(["callList.noHours"]);
    expect(campaignIssues(settings({ hours: [{ days: [], from: "09:00", to: "21:00" }] }))).toEqual(["callList.noDays"]);
    expect(campaignIssues(settings({ hoursOn: false, hours: [] }))).toEqual([]);
    expect(campaignIssues(settings({ firstCall: "2026-06", end: "x" }))).toEqual(["callList.badFirstCall", "callList.badEnd"]);
  });
});

describe("a refusal from the server", () => {
  const refused = (type: string, problems: { path: string; message: string }[]) =>
    new ApiError(422, { type: `https://ivrgraph.dev/problems/${type}`, detail: "the document breaks ...", problems }, "the document breaks ...");

  it("shows each bad client's message as the server wrote it", () => {
    const failure = callListFailure(
      refused("request-refused", [
        { path: "$.rows[1].phone", message: "client 2: 'call me' is not a phone number" },
        { path: "$.rows[4].debt_amount", message: "client 5, debt_amount: '1,234' is not a number" },
      ]),
    );
    expect(failure).toEqual({
      kind: "problems",
      lines: ["client 2: 'call me' is not a phone number", "client 5, debt_amount: '1,234' is not a number"],
      hidden: 0,
    });
  });

  it("shows the first few and counts the rest, the server's own 'and N more' included", () => {
    const problems = Array.from({ length: 50 }, (_, i) => ({ path: `$.rows[${i}].phone`, message: `client ${i + 1}: no number` }));
    problems.push({ path: "$.rows", message: "and 37 more problems like these" });
    const failure = callListFailure(refused("request-refused", problems), 10);
    expect(failure.kind === "problems" && failure.lines).toEqual(problems.slice(0, 10).map((p) => p.message));
    expect(failure.kind === "problems" && failure.hidden).toBe(40 + 37);
  });

  it("names the field when the request's schema refused it", () => {
    const failure = callListFailure(refused("invalid-request", [{ path: "$.timezone", message: "String should match pattern" }]));
    expect(failure).toEqual({ kind: "problems", lines: ["$.timezone: String should match pattern"], hidden: 0 });
  });

  it("any other failure is its sentence, verbatim", () => {
    expect(callListFailure(new ApiError(403, { detail: "this needs the publisher role" }, "this needs the publisher role"))).toEqual({
      kind: "message",
      message: "this needs the publisher role",
    });
    expect(callListFailure(new ApiError(0, null, "the server did not answer"))).toEqual({ kind: "message", message: "the server did not answer" });
  });
});

describe("counts and moments in words", () => {
  it("uses each language's plural forms and digit grouping", () => {
    expect(countText("en", "call", 1)).toBe("1 call");
    expect(countText("en", "call", 2)).toBe("2 calls");
    expect(countText("en", "client", 20000)).toBe("20,000 clients");
    expect(countText("es", "call", 1)).toBe("1 llamada");
    expect(["1 звонок", "3 звонка", "5 звонков", "21 звонок"]).toEqual([1, 3, 5, 21].map((n) => countText("ru", "call", n)));
  });

  it("a moment is in the browser's time; the campaign zone's clock is added when it is another", () => {
    // ICU versions differ on the space before AM (plain or narrow no-break): compared as plain spaces.
    const moment = (zone: string) => formatMoment("2026-12-01T08:00:00Z", "en", zone, "Europe/Madrid").replace(/\s/g, " ");
    expect(moment("Europe/Madrid")).toBe("Dec 1, 2026, 9:00 AM");
    expect(moment("America/Bogota")).toBe("Dec 1, 2026, 9:00 AM (3:00 AM America/Bogota)");
    expect(moment("Mars/Olympus")).toBe("Dec 1, 2026, 9:00 AM");
  });
});

describe("the Idempotency-Key of a Schedule (review of 2026-12-12: a list sent twice called everyone twice)", () => {
  const body = { scenario: "debt-reminder", name: "Deudas", rows: [{ phone: "600111222" }], number_column: "phone",
    hours: [], timezone: "UTC", holidays: [], max_attempts: 3, retry_hung_up_early: false, dry_run: false };
  let n = 0;
  const newKey = () => `key-${++n}`;

  it("keeps the key for the very same list sent again: a double click or a retry makes one campaign", () => {
    const first = scheduleKey(null, body, newKey);
    expect(scheduleKey(first, { ...body, rows: [{ phone: "600111222" }] }, newKey)).toBe(first);
  });

  it("takes a new key for another list, setting or name, which the server would refuse under the old one", () => {
    const first = scheduleKey(null, body, newKey);
    expect(scheduleKey(first, { ...body, name: "Deudas 2" }, newKey).key).not.toBe(first.key);
    expect(scheduleKey(first, { ...body, max_attempts: 5 }, newKey).key).not.toBe(first.key);
  });
});
