import { ReactFlowProvider } from "@xyflow/react";
import { createElement } from "react";
import { describe, expect, it } from "vitest";
import type { Language } from "../lib/i18n";
import { BlockNodeBody, type BlockNodeBodyProps } from "./BlockNodeView";
import { renderInLanguage } from "./renderForTest";

// The body is drawn in React Flow's store, as on the canvas (its handles read it).
function InFlow(props: BlockNodeBodyProps) {
  return createElement(ReactFlowProvider, null, createElement(BlockNodeBody, props));
}

const menu: BlockNodeBodyProps = {
  id: "ivr",
  blockType: "ivr",
  title: "IVR Menu",
  icon: "grid-3x3",
  category: "Input",
  known: true,
  selected: false,
  summary: "Keys 1, 2",
  exits: [
    { name: "1", label: "1: Ventas", wired: true },
    { name: "error", label: "error", wired: false },
  ],
  mark: "error",
  markText: "IVR Menu “ivr”: Menu prompt: choose Recorded audio or Spoken text",
  steps: [3],
};

const render = (language: Language, props: BlockNodeBodyProps = menu) => renderInLanguage(language, InFlow, props);
const handles = (html: string) => [...html.matchAll(/<div[^>]*class="[^"]*react-flow__handle[^"]*"[^>]*>/g)].map((m) => m[0]);
// What a reader browsing the block hears: its text, with what is hidden from it left out.
const spoken = (html: string) =>
  html
    .replace(/<([a-z]+)[^>]*aria-hidden="true"[^>]*>.*?<\/\1>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();

describe("a block's content as a screen reader finds it", () => {
  it("hides the handles, which carry no name (the Block panel's Exits wire by keyboard)", () => {
    const html = render("en");
    const found = handles(html);
    expect(found).toHaveLength(3); // the input and the two exits
    for (const handle of found) {
      expect(handle).toContain('aria-hidden="true"');
      expect(handle).not.toContain("aria-label");
    }
  });

  it("says the step badge and the problem mark in words, in the interface language", () => {
    expect(spoken(render("en"))).toBe("IVR Menu Step 3 of the call Has errors Keys 1, 2 1: Ventas error");
    expect(spoken(render("es"))).toContain("Paso 3 de la llamada Tiene errores");
    expect(spoken(render("ru"))).toContain("Шаг 3 звонка Есть ошибки");
    expect(spoken(render("en", { ...menu, mark: "warning" }))).toContain("Has warnings");
  });

  it("still shows the sighted the bare number and mark, and puts words on no plain span", () => {
    const html = render("en");
    expect(html).toMatch(/<span class="step-badge" title="Step 3 of the call"><span aria-hidden="true">3<\/span><span class="sr-only">Step 3 of the call<\/span><\/span>/);
    expect(html).toMatch(/<span class="mark mark-error" title="IVR Menu “ivr”: Menu prompt[^"]*"><span aria-hidden="true">!<\/span>/);
    expect(html).not.toMatch(/<span[^>]*aria-label=/);
  });

  it("has neither badge nor mark off the path and without problems", () => {
    const html = render("en", { ...menu, mark: undefined, steps: undefined });
    expect(html).not.toContain("step-badge");
    expect(html).not.toContain("mark-");
    expect(html).not.toContain("sr-only");
  });

  it("shows each step a block ran at, a few on the badge and all of them in its words and tooltip", () => {
    const twice = render("en", { ...menu, mark: undefined, steps: [3, 5] });
    expect(twice).toContain('<span aria-hidden="true">3, 5</span>');
    expect(spoken(twice)).toContain("IVR Menu Steps 3 and 5 of the call Keys");
    const often = render("en", { ...menu, mark: undefined, steps: [2, 9, 14, 20, 31] });
    expect(often).toContain('<span class="step-badge" title="Steps 2, 9, 14, 20 and 31 of the call"><span aria-hidden="true">2, 9 +3</span>');
    expect(spoken(often)).toContain("Steps 2, 9, 14, 20 and 31 of the call");
    expect(spoken(render("es", { ...menu, steps: [3, 5] }))).toContain("Pasos 3 y 5 de la llamada");
    expect(spoken(render("ru", { ...menu, steps: [3, 5] }))).toContain("Шаги 3 и 5 звонка");
  });

  it("marks the block where the caller hung up apart from one where the scenario ended the call", () => {
    const hungUp = render("en", { ...menu, mark: undefined, steps: [3, 5], isLast: true, callerHungUp: true });
    expect(hungUp).toMatch(/class="block-node [^"]*path-end caller-hung-up/);
    expect(spoken(hungUp)).toContain("Steps 3 and 5 of the call; the caller hung up here");
    expect(hungUp).toContain('title="Steps 3 and 5 of the call; the caller hung up here"');
    expect(spoken(render("ru", { ...menu, steps: [5], isLast: true, callerHungUp: true }))).toContain("Шаг 5 звонка; здесь абонент положил трубку");
    const ended = render("en", { ...menu, mark: undefined, steps: [5], isLast: true, callerHungUp: false });
    expect(ended).toContain("path-end");
    expect(ended).not.toContain("caller-hung-up");
    expect(ended).not.toContain("hung up");
    // Only the last block: an earlier visit of the call is not where it ended.
    expect(render("en", { ...menu, steps: [3], isLast: false, callerHungUp: true })).not.toContain("hung up");
  });
});
