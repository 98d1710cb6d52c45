/**
 * QA review of the call records: a call that ran v1 had its path lit on a draft edited since (Thanks deleted, the menu
 * renamed): the lit path stopped before Thanks and the canvas named the menu as the caller never heard it. The path is
 * now drawn on the version the call ran, read-only, the draft set aside untouched; and a call's variables at its end
 * are shown, masked as the API masks them.
 */
import { createElement } from "react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as api from "../api/client";
import type { CallDetail } from "../api/types";
import catalogJson from "../lib/fixtures/catalog.json";
import type { BlockSpec } from "../lib/catalog";
import type { ScenarioDocument } from "../lib/convert";
import { useEditor } from "../store/editor";
import { CallDetails, openedCall, type OpenCall } from "./CallsPanel";
import { CallVersionNoteView, pathCanvas, showCallPath, VersionViewBannerView } from "./CallVersionView";
import { EndVariables } from "./EndVariables";
import { buttonTexts, renderInLanguage, renderToHtml, visibleText } from "./renderForTest";
import { StoryBlocks } from "./storyBlocks";

const v1: ScenarioDocument = {
  format: "ivrgraph.scenario/1",
  name: "Debt reminder",
  nodes: [
    { id: "start", type: "start", position: { x: 0, y: 0 }, config: {} },
    { id: "menu", type: "ivr", label: "Pay menu", position: { x: 300, y: 0 }, config: { prompt: { text: "Hola" }, options: [{ key: "1" }] } },
    { id: "will_pay", type: "transfer", label: "Will pay", position: { x: 600, y: 0 }, config: { target: "101" } },
    { id: "thanks", type: "transfer", label: "Thanks", position: { x: 900, y: 0 }, config: { target: "102" } },
  ],
  edges: [
    { id: "start:next", source: "start", exit: "next", target: "menu" },
    { id: "menu:1", source: "menu", exit: "1", target: "will_pay" },
    { id: "will_pay:failed", source: "will_pay", exit: "failed", target: "thanks" },
  ],
};

const ranV1: OpenCall = {
  id: "c1",
  version: 1,
  outcome: "completed",
  error: null,
  published: v1,
  steps: [
    { node: "start", exit: "next" },
    { node: "menu", exit: "1" },
    { node: "will_pay", exit: "failed" },
    { node: "thanks", exit: "answered" },
  ],
};

const editor = () => useEditor.getState();

vi.mock("../api/client", () => ({ call: vi.fn(), callVersionDocument: vi.fn() }));

beforeEach(() => {
  editor().setCatalog(catalogJson as unknown as BlockSpec[]);
  editor().setReadOnly(false);
  editor().load("debt-reminder", structuredClone(v1), 3);
});

/** QA's repro: Thanks deleted and the menu renamed in the draft. */
function editDraft(): void {
  editor().select("thanks");
  editor().deleteSelection();
  editor().updateNode("menu", { label: "Pay menu RENAMED" }, false);
}

const noop = () => undefined;

describe("a call's path on the canvas", () => {
  it("is drawn on the version the call ran when the draft differs from it, every step lit, Thanks included", () => {
    editDraft();
    const history = editor().history;
    showCallPath(ranV1);
    expect(editor().versionView).toMatchObject({ version: 1, callId: "c1" });
    expect(editor().readOnly).toBe(true);
    expect(editor().nodes.find((n) => n.id === "menu")?.data.label).toBe("Pay menu");
    expect([...editor().highlight.nodes.keys()]).toEqual(["start", "menu", "will_pay", "thanks"]);
    // The draft is what would be saved, and its history is as it was.
    expect(editor().document().nodes.map((n) => n.id)).toEqual(["start", "menu", "will_pay"]);
    expect(editor().history).toBe(history);
  });

  it("is drawn on the draft when the draft is the flow the call ran (positions aside), as before", () => {
    editor().onNodesChange([{ type: "position", id: "menu", position: { x: 320, y: 40 }, dragging: false }]);
    showCallPath(ranV1);
    expect(editor().versionView).toBeNull();
    expect(editor().readOnly).toBe(false);
    expect(editor().highlight.last).toBe("thanks");
  });

  it("is drawn on the draft when the version's document could not be fetched: the note then only names the version", () => {
    editDraft();
    expect(pathCanvas({ version: 1, published: null }, editor().document())).toBe("draft");
    expect(pathCanvas({ version: null, published: v1 }, editor().document())).toBe("draft");
    expect(pathCanvas({ version: 1, published: v1 }, editor().document())).toBe("version");
  });

  it("opening a call of the draft's own flow after one of an older version brings the draft back", () => {
    editDraft();
    showCallPath(ranV1);
    showCallPath({ ...ranV1, id: "c2", version: 2, published: editor().document(), steps: ranV1.steps.slice(0, 2) });
    expect(editor().versionView).toBeNull();
    expect(editor().nodes.find((n) => n.id === "menu")?.data.label).toBe("Pay menu RENAMED");
    expect([...editor().highlight.edges]).toEqual(["start:next"]);
  });
});

describe("the banner over a version shown", () => {
  it("names the version, says it is read-only, and offers the way back to the draft, in each language", () => {
    const en = renderToHtml(VersionViewBannerView, { version: 1, onBack: noop });
    expect(visibleText(en)).toBe("Showing version 1 as this call ran it — read-only. The draft is kept as it was. Back to the draft");
    expect(en).toContain('role="status"');
    expect(buttonTexts(renderInLanguage("es", VersionViewBannerView, { version: 1, onBack: noop }))).toEqual(["Volver al borrador"]);
    expect(buttonTexts(renderInLanguage("ru", VersionViewBannerView, { version: 1, onBack: noop }))).toEqual(["Вернуться к черновику"]);
  });
});

describe("the version note of an opened call", () => {
  const props = { call: ranV1, draftMatches: false, beside: true, shown: false, onShow: noop, onBack: noop };

  it("offers the path on the version the call ran, read-only, while the draft is shown and differs", () => {
    const html = renderToHtml(CallVersionNoteView, props);
    expect(html).toContain("the draft on the canvas differs from it");
    expect(buttonTexts(html)).toEqual(["Show its path on version 1 (read-only)"]);
    expect(buttonTexts(renderInLanguage("es", CallVersionNoteView, props))).toEqual(["Mostrar su camino en la versión 1 (solo lectura)"]);
    expect(buttonTexts(renderInLanguage("ru", CallVersionNoteView, props))).toEqual(["Показать путь на версии 1 (только просмотр)"]);
  });

  it("says the canvas shows that version while it does, with the way back to the draft", () => {
    const html = renderToHtml(CallVersionNoteView, { ...props, shown: true });
    expect(visibleText(html)).toContain("This call ran published version 1: the canvas shows that version, read-only, with the path the call took.");
    expect(buttonTexts(html)).toEqual(["Back to the draft"]);
  });

  it("offers nothing when the draft is that flow, nor away from the canvas, nor without the version's document", () => {
    expect(buttonTexts(renderToHtml(CallVersionNoteView, { ...props, draftMatches: true }))).toEqual([]);
    expect(buttonTexts(renderToHtml(CallVersionNoteView, { ...props, call: { ...ranV1, published: null }, draftMatches: null }))).toEqual([]);
    const away = renderToHtml(CallVersionNoteView, { ...props, beside: false });
    expect(visibleText(away)).toBe("This call ran published version 1.");
  });
});

describe("a recorded call's variables at its end", () => {
  const variables = { debt_amount: 120.5, contact: { name: "[hidden: 5 characters]" }, caller_id: "+34*******56", result: "will_pay" };

  it("are in the call's details, folded under the Test call's title, masked values as the API sent them", () => {
    const html = renderToHtml(CallDetails, { call: { ...ranV1, variables } });
    expect(html).toMatch(/<details data-testid="end-variables"><summary>Variables at the end<\/summary><pre>/);
    const shown = visibleText(/<pre>(.*?)<\/pre>/s.exec(html)![1]!);
    expect(JSON.parse(shown)).toEqual(variables);
  });

  it("are shown on the Calls page's detail too", () => {
    const html = renderToHtml(() => createElement(StoryBlocks.Provider, { value: [] }, createElement(CallDetails, { call: { ...ranV1, variables } })), {});
    expect(html).toContain('data-testid="end-variables"');
  });

  it("say the engine's masks in the interface language, the masked number as it came", () => {
    const es = visibleText(renderInLanguage("es", EndVariables, { variables }));
    expect(es).toContain("Variables al final");
    expect(es).toContain('"name": "[oculto: 5 caracteres]"');
    expect(es).toContain('"caller_id": "+34*******56"');
    expect(visibleText(renderInLanguage("ru", EndVariables, { variables }))).toContain("[скрыто: 5 символов]");
  });

  it("are kept from the call's record when it is opened", async () => {
    vi.mocked(api.call).mockResolvedValue({ id: "c1", scenario: "debt-reminder", version: 1, outcome: "completed", error: null, variables, trace: { steps: [] } } as unknown as CallDetail);
    vi.mocked(api.callVersionDocument).mockResolvedValue(v1);
    expect((await openedCall("c1")).variables).toEqual(variables);
  });

  it("are left out when there are none", () => {
    expect(renderToHtml(CallDetails, { call: { ...ranV1, variables: {} } })).not.toContain("end-variables");
    expect(renderToHtml(CallDetails, { call: ranV1 })).not.toContain("end-variables");
  });
});
