import { getDefaultRegistry } from "@rjsf/core";
import type { WidgetProps } from "@rjsf/utils";
import type { ComponentType } from "react";
import { describe, expect, it } from "vitest";
import catalogJson from "../lib/fixtures/catalog.json";
import type { BlockSpec } from "../lib/catalog";
import type { Problem } from "../lib/problems";
import { BlockConfigForm, ExitTargetSelect, serverFieldErrors } from "./BlockPanel";
import { renderInLanguage, renderToHtml } from "./renderForTest";
import { BaseInputTemplate, WIDGETS, type FormContext } from "./widgets";

const spec = (type: string) => (catalogJson as unknown as BlockSpec[]).find((b) => b.type === type)!;
const formContext: FormContext = {
  variables: ["caller_id"], nodes: [{ id: "bye", title: "Bye" }], scenarios: [], audio: [], dataSources: [], language: "en",
};

/** The props rjsf gives a widget of field `id`, with these errors of the schema's (as rawErrors). */
function widgetProps(id: string, rawErrors?: string[], extra: Partial<WidgetProps> = {}): WidgetProps {
  return {
    id, name: id, label: "Field", value: "", schema: { type: "string" }, uiSchema: {}, options: { emptyValue: undefined },
    required: true, disabled: false, readonly: false, autofocus: false, hideError: false,
    onChange: () => undefined, onBlur: () => undefined, onFocus: () => undefined,
    registry: { ...getDefaultRegistry(), formContext }, rawErrors, ...extra,
  } as WidgetProps;
}

/** The first <tag> element of some markup with the given id. */
const element = (html: string, tag: string, id: string) => new RegExp(`<${tag}[^>]*id="${id}"[^>]*>`).exec(html)?.[0] ?? "";
const render = (widget: unknown, props: WidgetProps) => renderToHtml(widget as ComponentType<WidgetProps>, props);

describe("a form field with errors", () => {
  const cases: [string, unknown, string][] = [
    ["a template (Say Phrase's text)", WIDGETS.template, "textarea"],
    ["an expression", WIDGETS.expression, "input"],
    ["a variable name", WIDGETS.variable, "input"],
    ["an audio name", WIDGETS.audio, "input"],
    ["a block (Go To's target)", WIDGETS.node, "select"],
    ["rjsf's plain text input", BaseInputTemplate, "input"],
  ];

  it.each(cases)("%s is marked invalid and described by its errors, description and help", (_, widget, tag) => {
    const id = "cfg-say_phrase_text";
    const field = element(render(widget, widgetProps(id, ["Enter the text to say."])), tag, id);
    expect(field).toContain('aria-invalid="true"');
    expect(field).toContain(`aria-describedby="${id}__error ${id}__description ${id}__help"`);
  });

  it.each(cases)("%s is not marked invalid without errors, still described", (_, widget, tag) => {
    const id = "cfg-say_phrase_text";
    const field = element(render(widget, widgetProps(id, [])), tag, id);
    expect(field).not.toContain("aria-invalid");
    expect(field).toContain(`aria-describedby="${id}__error`);
  });

  it("a drop-down of choices, as rjsf draws them, is marked invalid too", () => {
    const props = widgetProps("cfg-ivr_mode", ["Choose one."], {
      schema: { type: "string", enum: ["menu", "digits"] },
      options: { enumOptions: [{ value: "menu", label: "Menu" }, { value: "digits", label: "Digits" }], emptyValue: undefined },
    });
    const select = element(render(WIDGETS.SelectWidget, props), "select", "cfg-ivr_mode");
    expect(select).toContain('aria-invalid="true"');
    expect(select).toContain('aria-describedby="cfg-ivr_mode__error');
  });

  it("a choice's selector (audio or text) is described by its field's errors, drawn under the field's id", () => {
    const props = widgetProps("cfg-ivr_prompt__oneof_select", ["Choose Recorded audio or Spoken text."], {
      schema: { type: "number", default: 0 },
      options: { enumOptions: [{ value: 0, label: "Recorded audio" }, { value: 1, label: "Spoken text" }], emptyValue: undefined },
    });
    const select = element(render(WIDGETS.SelectWidget, props), "select", "cfg-ivr_prompt__oneof_select");
    expect(select).toContain('aria-invalid="true"');
    expect(select).toContain('aria-describedby="cfg-ivr_prompt__error cfg-ivr_prompt__description cfg-ivr_prompt__help"');
  });
});

describe("the server's problems in a block's form", () => {
  const problem = (path: string, message: string): Problem => ({ severity: "error", code: "schema", message, node: "ivr", path });
  const menuPrompt = problem("$.nodes[2].config.prompt", "Menu prompt: choose Recorded audio or Spoken text");
  const secondKey = problem("$.nodes[2].config.options[1].key", "Key 2: one key: 0-9, * or #");
  const wholeBlock = problem("$.nodes[2].config", "Menu: its settings could not be checked");
  const form = (problems: Problem[]) =>
    renderToHtml(BlockConfigForm, {
      nodeId: "ivr", spec: spec("ivr"), config: { options: [{ key: "1" }, { key: "x" }] }, formContext, readOnly: false, onChange: () => undefined, problems,
    });

  it("are each put under its field by its JSON path; one of the block as a whole is not", () => {
    expect(serverFieldErrors([menuPrompt, secondKey, wholeBlock], "en")).toEqual({
      prompt: { __errors: ["Menu prompt: choose Recorded audio or Spoken text"] },
      options: { 1: { key: { __errors: ["Key 2: one key: 0-9, * or #"] } } },
    });
    expect(serverFieldErrors([wholeBlock], "en")).toBeUndefined();
  });

  it("mark the field invalid, described by the problem drawn under it (the menu prompt's selector)", () => {
    const html = form([menuPrompt, secondKey]);
    const selector = element(html, "select", "cfg-ivr_prompt__oneof_select");
    expect(selector).toContain('aria-invalid="true"');
    expect(selector).toContain('aria-describedby="cfg-ivr_prompt__error');
    expect(html).toMatch(/<ul id="cfg-ivr_prompt__error"[^>]*><li[^>]*>Menu prompt: choose Recorded audio or Spoken text<\/li>/);
    expect(element(html, "input", "cfg-ivr_options_1_key")).toContain('aria-invalid="true"');
    expect(html).toContain('id="cfg-ivr_options_1_key__error"');
    // The other fields are fine.
    expect(element(html, "input", "cfg-ivr_options_0_key")).not.toContain("aria-invalid");
  });

  it("leave the form as it was without problems", () => {
    const html = form([]);
    expect(html).not.toContain("aria-invalid");
    expect(html).not.toContain("__error\" class");
  });
});

describe("an exit's target", () => {
  const targets = [{ id: "bye", title: "Bye (bye)" }];
  const select = (language: "en" | "ru") =>
    renderInLanguage(language, ExitTargetSelect, { blockType: "transfer", exit: { name: "answered", label: "Answered" }, target: "", targets, onChange: () => undefined });

  it("is named as its row reads, in the interface language", () => {
    expect(select("ru")).toContain('aria-label="Выходы: Ответил"');
    expect(select("en")).toContain('aria-label="Exits: Answered"');
  });
});
