import { describe, expect, it } from "vitest";
import type { TraceStep } from "../api/types";
import { CallStory } from "./CallStory";
import { renderInLanguage, visibleText as text } from "./renderForTest";

/** The text of each element marked `data-testid="<id>"`, in order. */
const marked = (html: string, id: string) =>
  [...html.matchAll(new RegExp(`<div[^>]*data-testid="${id}"[^>]*>(.*?)</div>`, "gs"))].map((m) => text(m[1]!));

const start = "2026-12-05T09:00:00+00:00";

const call: TraceStep[] = [
  { node: "start", type: "start", label: "Старт", at: start, exit: "next", events: [{ kind: "answered" }] },
  {
    node: "hours",
    type: "schedule",
    label: "Часы работы",
    at: "2026-12-05T09:00:01+00:00",
    exit: "open",
    events: [{ kind: "schedule", local_time: "2026-12-05T12:00+03:00", open: true }],
  },
  {
    node: "lookup",
    type: "sql",
    label: "Поиск клиента",
    at: "2026-12-05T09:00:02+00:00",
    exit: "found",
    events: [{ kind: "sql", source: "crm", rows: 1 }],
    variables_changed: { client: "Анна <script>alert(1)</script>", balance: 12.5, vip: true, tier: "gold", notes: "x".repeat(80) },
  },
  {
    node: "account",
    type: "ivr",
    label: "Номер счёта",
    at: "2026-12-05T09:00:03+00:00",
    exit: "next",
    keys: "1234567#12345#",
    events: [
      { kind: "attempt", number: 1 },
      { kind: "invalid", attempt: 1, keys: "1234567", terminator: "#", reason: "too_long" },
      { kind: "attempt", number: 2 },
    ],
    variables_changed: { account: "12345" },
  },
  {
    node: "crm",
    type: "crm_push",
    label: "CRM",
    at: "2026-12-05T09:00:04+00:00",
    exit: "error",
    error: "timed out",
    events: [{ kind: "crm_push", status: 504 }, { kind: "fallback", target: "sorry" }],
  },
  { node: "sorry", type: "message", label: "Извините", at: "2026-12-05T09:00:05+00:00", exit: "next" },
];

describe("a call's story tells what each block did", () => {
  const html = renderInLanguage("ru", CallStory, { steps: call, startedAt: start });

  it("shows each block's events under its step, in the interface language", () => {
    expect(marked(html, "step-event")).toEqual([
      "Звонок принят",
      expect.stringMatching(/^Местное время сб, 5 дек\. 2026 г\., 12:00: Открыто$/),
      "Запрос к crm: найдено строк: 1",
      "crm_push: status = 504",
      "Переход в запасной блок Извините",
    ]);
  });

  it("shows the variables a step set inline, a few of them, the rest folded", () => {
    const [lookup, account] = marked(html, "step-vars");
    expect(lookup).toBe(
      'client = "Анна <script>alert(1)</script>" · balance = 12.5 · vip = true ещё 2 ' +
        `tier = "gold" · notes = "${"x".repeat(39)}…"`,
    );
    expect(html).toContain("<details><summary>ещё 2</summary>");
    // A caller-controlled value is text: React escaped it, nothing of it became markup.
    expect(html).not.toContain("<script>");
    expect(account).toBe('account = "12345"');
  });

  it("says why a typed number was refused, on the keys line", () => {
    expect(marked(html, "step-keys")).toEqual(["Неверная клавиша 1234567 (слишком длинный) · Нажато: 12345#"]);
  });

  it("tells the same events in Spanish", () => {
    const spanish = marked(renderInLanguage("es", CallStory, { steps: call, startedAt: start }), "step-event");
    expect(spanish[2]).toBe("Consultó crm: 1 fila encontrada");
    expect(spanish[4]).toBe("Pasó al bloque de respaldo Извините");
  });
});
