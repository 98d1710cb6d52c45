import { beforeEach, describe, expect, it, vi } from "vitest";

// The generated client's transport: what the server said to DELETE /api/scenarios/{slug}.
const remove = vi.hoisted(() => vi.fn());
vi.mock("openapi-fetch", () => ({ default: () => ({ use: () => undefined, GET: vi.fn(), POST: vi.fn(), DELETE: remove }) }));

import { ApiError } from "../api/http";
import type { Role, ScenarioSummary, User } from "../api/types";
import { translator } from "../lib/i18n";
import { hasRole } from "../lib/roles";
import { runInTimeZone } from "../testSupport";
import { answering } from "./confirmForTest";
import { buttonTexts, renderInLanguage, renderToHtml } from "./renderForTest";

runInTimeZone("Europe/Madrid");
import {
  ImportChoiceDialog,
  ImportFailureView,
  ScenarioList,
  ScenarioNameCell,
  UpdatedCell,
  ScenarioRowActions,
  deleteIfConfirmed,
  rowActions,
} from "./ScenarioList";

/** The texts of the menu items in some markup, in order. */
const menuItemTexts = (html: string) =>
  [...html.matchAll(/<button[^>]*role="menuitem"[^>]*>(.*?)<\/button>/gs)].map((match) => match[1]!.trim());

const user = (role: Role): User => ({ username: `a-${role}`, role }) as User;
const item: ScenarioSummary = {
  slug: "menu",
  name: "Menu",
  description: "",
  draft_revision: 1,
  updated_at: "2026-01-05T10:00:00Z",
  updated_by: "ana",
  latest_version: null,
  missing_block_types: [],
};
const noop = () => undefined;
const handlers = { onDuplicate: noop, onDelete: noop, onCallList: noop, onCampaigns: noop };

describe("roles", () => {
  it("each role may do what the roles below it may (viewer < editor < publisher < admin)", () => {
    expect(hasRole("viewer", "editor")).toBe(false);
    expect(hasRole("editor", "editor")).toBe(true);
    expect(hasRole("editor", "publisher")).toBe(false);
    expect(hasRole("admin", "publisher")).toBe(true);
  });
});

describe("the scenario list offers only what the role may do", () => {
  it("a viewer sees neither New scenario nor Import file, and is told why", () => {
    const html = renderToHtml(ScenarioList, { user: user("viewer") });
    expect(buttonTexts(html)).not.toContain("New scenario");
    expect(buttonTexts(html)).not.toContain("Import file");
    expect(html).not.toContain('data-testid="import-file"');
    expect(html).toContain("Your role can open and export scenarios");
  });

  it("an editor may create and import", () => {
    const html = renderToHtml(ScenarioList, { user: user("editor") });
    expect(buttonTexts(html)).toEqual(expect.arrayContaining(["New scenario", "Import file"]));
    expect(html).not.toContain("Your role can open and export scenarios");
  });

  it.each<[Role, string[]]>([
    ["viewer", ["Export"]],
    ["editor", ["Duplicate", "Export"]],
    ["publisher", ["Duplicate", "Export", "Delete"]],
    ["admin", ["Duplicate", "Export", "Delete"]],
  ])("a row's More actions menu for the %s role: %j", (role, expected) => {
    const html = renderToHtml(ScenarioRowActions, { item, role, ...handlers, menuOpen: true });
    expect(menuItemTexts(html)).toEqual(expected);
  });

  it.each<[Role, boolean]>([
    ["viewer", false],
    ["editor", false],
    ["publisher", true],
    ["admin", true],
  ])("a published scenario offers Call a list… to the %s role: %s", (role, offered) => {
    const published = { ...item, latest_version: 2 };
    const html = renderToHtml(ScenarioRowActions, { item: published, role, ...handlers, menuOpen: true });
    expect(menuItemTexts(html).includes("Call a list…")).toBe(offered);
    expect(rowActions(published, role).includes("callList")).toBe(offered);
  });

  it("a scenario never published offers no Call a list…, even to an admin: the calls run the live version", () => {
    const html = renderToHtml(ScenarioRowActions, { item, role: "admin", ...handlers, menuOpen: true });
    expect(menuItemTexts(html)).not.toContain("Call a list…");
  });

  it.each<[Role, string[]]>([
    ["viewer", ["Export", "Campaigns"]],
    ["editor", ["Duplicate", "Export", "Campaigns"]],
    ["publisher", ["Duplicate", "Export", "Call a list…", "Campaigns", "Delete"]],
  ])("a published scenario's campaigns may be followed by every role, the %s too: %j", (role, expected) => {
    const html = renderToHtml(ScenarioRowActions, { item: { ...item, latest_version: 1 }, role, ...handlers, menuOpen: true });
    expect(menuItemTexts(html)).toEqual(expected);
  });

  it("a scenario never published has no campaigns to follow", () => {
    const html = renderToHtml(ScenarioRowActions, { item, role: "admin", ...handlers, menuOpen: true });
    expect(menuItemTexts(html)).not.toContain("Campaigns");
  });
});

describe("a row shows Open and a More actions menu button, not five buttons", () => {
  const published = { ...item, latest_version: 3 };

  it("closed: Open is a link to the editor, the menu button says whose actions it holds, no item is in the page", () => {
    const html = renderToHtml(ScenarioRowActions, { item: published, role: "admin", ...handlers });
    expect(html).toMatch(/<a class="button" href="#\/s\/menu" aria-label="Open Menu">Open<\/a>/);
    const toggle = /<button[^>]*aria-haspopup="menu"[^>]*>/.exec(html)?.[0] ?? "";
    expect(toggle).toContain('aria-label="More actions for Menu"');
    expect(toggle).toContain('aria-expanded="false"');
    expect(html).not.toContain('role="menu"');
    // The only button in sight is the menu's: the secondary actions no longer squeeze the row.
    expect(buttonTexts(html)).toEqual([""]);
  });

  it("open: the menu is labelled by its button, its items are menuitems, Delete set apart and marked dangerous", () => {
    const html = renderToHtml(ScenarioRowActions, { item: published, role: "admin", ...handlers, menuOpen: true });
    expect(html).toContain('aria-expanded="true"');
    const buttonId = /<button[^>]*id="([^"]+)"[^>]*aria-haspopup="menu"/.exec(html)?.[1];
    expect(buttonId).toBeTruthy();
    expect(html).toContain(`role="menu" aria-labelledby="${buttonId}"`);
    expect(html).toMatch(/<div role="separator"><\/div><button type="button" role="menuitem" tabindex="-1" data-action="delete" class="danger">Delete<\/button>/);
  });

  it("the row's actions keep the roles' rules", () => {
    expect(rowActions(published, "viewer")).toEqual(["export", "campaigns"]);
    expect(rowActions(published, "editor")).toEqual(["duplicate", "export", "campaigns"]);
    expect(rowActions(published, "publisher")).toEqual(["duplicate", "export", "callList", "campaigns", "delete"]);
    expect(rowActions(item, "admin")).toEqual(["duplicate", "export", "delete"]);
  });

  it("the menu's words exist in every language", () => {
    for (const language of ["en", "es", "ru"] as const) {
      const t = translator(language);
      expect(t("list.moreActions", { name: "X" })).toContain("X");
      expect(t("list.openNamed", { name: "X" })).toContain("X");
      expect(t("list.actions")).not.toBe("");
    }
  });
});

describe("a row's description", () => {
  it("draws Markdown code spans as code, without the backticks", () => {
    const html = renderToHtml(ScenarioNameCell, {
      item: { ...item, description: "Autoinformer: 1 confirm, 2 cancel; the answer is stored in `result`." },
    });
    expect(html).toContain("the answer is stored in <code>result</code>.");
    expect(html).not.toContain("`");
  });

  it("stays text: markup in a description is shown, never applied", () => {
    const html = renderToHtml(ScenarioNameCell, { item: { ...item, description: 'Hi <img src=x onerror="alert(1)"> and `<b>x</b>`' } });
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<b>");
    expect(html).toContain("Hi &lt;img src=x onerror=&quot;alert(1)&quot;&gt; and <code>&lt;b&gt;x&lt;/b&gt;</code>");
  });

  it("a description without backticks is shown as written; none, no line", () => {
    expect(renderToHtml(ScenarioNameCell, { item: { ...item, description: "Plain 1 < 2" } })).toContain('<div class="muted description">Plain 1 &lt; 2</div>');
    expect(renderToHtml(ScenarioNameCell, { item })).not.toContain("description");
  });
});

describe("deleting a scenario asks first, in the designer, its button naming the scenario", () => {
  const t = translator("en");
  beforeEach(() => remove.mockReset());

  it("a scenario never published: the usual question, the dangerous button saying whose deletion it is", async () => {
    remove.mockResolvedValueOnce({ data: undefined, response: new Response(null, { status: 204 }) });
    const asked = answering([true]);

    expect(await deleteIfConfirmed(item, t, asked.confirm)).toBe(true);

    expect(asked.requests).toEqual([
      { title: "Delete scenario Menu?", body: "This cannot be undone.", confirmLabel: "Delete “Menu”", destructive: true },
    ]);
    const [shown] = asked.shown;
    expect(shown).toContain('role="alertdialog"');
    expect(buttonTexts(shown!)).toEqual(["Cancel", "Delete “Menu”"]);
    expect(shown).toMatch(/<button type="button" data-initial-focus="">Cancel<\/button><button type="button" class="danger confirm">/);
    expect(remove).toHaveBeenCalledExactlyOnceWith("/api/scenarios/{slug}", { params: { path: { slug: "menu" } } });
  });

  it("deletes nothing on no", async () => {
    expect(await deleteIfConfirmed(item, t, answering([false]).confirm)).toBe(false);
    expect(remove).not.toHaveBeenCalled();
  });

  it("a refusal of the server is given, not swallowed", async () => {
    remove.mockResolvedValueOnce({ error: { detail: "Your role does not allow this." }, response: new Response(null, { status: 403 }) });
    await expect(deleteIfConfirmed(item, t, answering([true]).confirm)).rejects.toBeInstanceOf(ApiError);
  });

  it.each(["en", "es", "ru"] as const)("a published one (%s): says it is live and its calls stop being answered by it", async (language) => {
    const say = translator(language);
    const asked = answering([false], language);
    await deleteIfConfirmed({ ...item, latest_version: 4 }, say, asked.confirm);
    const [request] = asked.requests;
    expect(request!.title).toContain("Menu");
    expect(request!.body).toContain("4");
    expect(request!.body).not.toBe(say("list.confirmDelete"));
    expect(request!.confirmLabel).toContain("Menu");
    expect(Object.values(request!).join(" ")).not.toMatch(/\{\w+\}/);
    expect(buttonTexts(asked.shown[0]!)).toEqual([say("confirm.cancel"), request!.confirmLabel]);
    if (language === "en") expect(request!.body).toMatch(/It is live \(version 4\): calls to it will stop being answered by it/);
    if (language === "es") expect(buttonTexts(asked.shown[0]!)).toEqual(["Cancelar", "Eliminar «Menu»"]);
    if (language === "ru") expect(buttonTexts(asked.shown[0]!)).toEqual(["Отмена", "Удалить «Menu»"]);
  });
});

describe("why a file was not imported", () => {
  it("a file that is not JSON: a plain sentence with the line, not the parser's message (QA)", () => {
    const html = renderToHtml(ImportFailureView, { failure: { kind: "notJson", line: 12 } });
    expect(html).toContain(">This file is not a scenario: it is not valid JSON (line 12)</p>");
    expect(html).not.toMatch(/position|Unexpected|SyntaxError/);
  });

  it("says every problem of a refused document, each with its place in the file (QA: only the first was shown)", () => {
    const problems = [
      { path: "$.nodes[0]", message: "'id' is a required property" },
      { path: "$.nodes[1].type", message: "42 is not of type 'string'" },
      { path: "$", message: "'edges' is a required property" },
    ];
    const html = renderToHtml(ImportFailureView, { failure: { kind: "problems", problems } });
    expect(html).toContain("The file was not imported.");
    const items = [...html.matchAll(/<li class="problem error">(.*?)<\/li>/g)].map((m) => m[1]);
    expect(items).toEqual([
      "<code>$.nodes[0]</code> &#x27;id&#x27; is a required property",
      "<code>$.nodes[1].type</code> 42 is not of type &#x27;string&#x27;",
      "&#x27;edges&#x27; is a required property",
    ]);
  });

  it("JSON that is no scenario, and any other failure, in one sentence", () => {
    expect(renderToHtml(ImportFailureView, { failure: { kind: "notScenario" } })).toContain("it is JSON, but holds no scenario document");
    expect(renderToHtml(ImportFailureView, { failure: { kind: "message", message: "the server did not answer" } })).toContain(
      "Import failed: the server did not answer",
    );
  });
});

describe("a file whose slug a scenario here has", () => {
  const taken = { slug: "billing", name: "Billing line" };

  it("is asked about in words, both ways named, nothing chosen for the analyst", () => {
    const html = renderToHtml(ImportChoiceDialog, { taken, onChoose: noop, onCancel: noop });
    expect(html).toContain("The file holds the scenario <code>billing</code> (“Billing line”)");
    expect(buttonTexts(html)).toEqual(["Replace the draft of billing", "Import as a copy", "Cancel"]);
    expect(html).toContain("Its published versions stay as they are");
    expect(html).toContain("Calls to billing never reach it.");
    expect(html).not.toMatch(/autofocus|checked/i);
  });

  it("in the analyst's language", () => {
    expect(buttonTexts(renderInLanguage("es", ImportChoiceDialog, { taken, onChoose: noop, onCancel: noop }))).toEqual([
      "Reemplazar el borrador de billing",
      "Importar como copia",
      "Cancelar",
    ]);
    expect(buttonTexts(renderInLanguage("ru", ImportChoiceDialog, { taken, onChoose: noop, onCancel: noop }))[0]).toBe("Заменить черновик billing");
  });
});

describe("when a scenario was last changed", () => {
  const shown = (html: string) => /<span class="nowrap">(.*?)<\/span>/.exec(html)?.[1]!.replace(/\s/g, " ");

  it("is written as the interface language writes dates (QA: \"Updated\" in US format in Russian)", () => {
    expect(shown(renderInLanguage("ru", UpdatedCell, { item }))).toBe("5 янв. 2026 г., 11:00");
    expect(shown(renderInLanguage("es", UpdatedCell, { item }))).toBe("5 ene 2026, 11:00");
    expect(shown(renderToHtml(UpdatedCell, { item }))).toBe("Jan 5, 2026, 11:00 AM");
    expect(renderInLanguage("ru", UpdatedCell, { item })).toContain("· ana");
  });
});
