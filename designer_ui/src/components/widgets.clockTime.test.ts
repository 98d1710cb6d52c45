import { getDefaultRegistry } from "@rjsf/core";
import type { WidgetProps } from "@rjsf/utils";
import { createElement, type ComponentType, type ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { BlockSpec } from "../lib/catalog";
import catalogJson from "../lib/fixtures/catalog.json";
import { translator, type Language } from "../lib/i18n";
import { BlockConfigForm } from "./BlockPanel";
import { renderInLanguage, renderToHtml } from "./renderForTest";
import { ClockTimeField, clockTimeEdits, untouchedClockTime, WIDGETS, type ClockTimeDraft, type FormContext } from "./widgets";

const spec = (type: string) => (catalogJson as unknown as BlockSpec[]).find((b) => b.type === type)!;
const formContext: FormContext = { variables: [], nodes: [], scenarios: [], audio: [], dataSources: [], language: "ru" };
const ID = "cfg-office_hours_0_from";

/** The first <tag> element of some markup with the given id. */
const element = (html: string, tag: string, id: string) => new RegExp(`<${tag}[^>]*id="${id}"[^>]*>`).exec(html)?.[0] ?? "";
const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim();

/**
 * A clock-time field as rjsf holds it: the props it gives the widget (the stored `value`, set again from each
 * `onChange`, as the form does) and the widget's draft, the field drawn again after each event as React would.
 */
class Field {
  readonly stored: unknown[] = []; // what the widget handed the form, in order
  value: string | undefined;
  draft: ClockTimeDraft;

  constructor(value: string | undefined, readonly language: Language = "en") {
    this.value = value;
    this.draft = untouchedClockTime(value ?? "");
  }

  props(): WidgetProps {
    return {
      id: ID, name: "from", label: "From", value: this.value, schema: { type: "string" }, uiSchema: {}, options: { emptyValue: undefined },
      required: true, disabled: false, readonly: false, autofocus: false, hideError: false,
      onChange: (value: string | undefined) => {
        this.stored.push(value);
        this.value = value;
      },
      onBlur: () => undefined, onFocus: () => undefined,
      registry: { ...getDefaultRegistry(), formContext },
    } as unknown as WidgetProps;
  }

  /** The field as drawn now: ClockTimeField's own element tree, its handlers those the browser would call. */
  drawn(): ReactElement {
    const props = this.props();
    const edits = clockTimeEdits(props, this.draft, (draft) => (this.draft = draft));
    return createElement(ClockTimeField, { ...props, draft: this.draft, edits, t: translator(this.language) });
  }

  private input(): ReactElement<{ value: string; placeholder: string; onChange(e: unknown): void; onBlur(): void; onKeyDown(e: unknown): void }> {
    const tree = ClockTimeField(this.drawn().props as Parameters<typeof ClockTimeField>[0]) as ReactElement<{ children: ReactElement[] }>;
    return tree.props.children[0] as ReturnType<Field["input"]>;
  }

  type(typed: string): this {
    this.input().props.onChange({ target: { value: typed } });
    return this;
  }

  leave(): this {
    this.input().props.onBlur();
    return this;
  }

  pressEnter(): this {
    this.input().props.onKeyDown({ key: "Enter" });
    return this;
  }

  shows(): string {
    return this.input().props.value;
  }

  html(): string {
    return renderToStaticMarkup(this.drawn());
  }
}

describe("a time of day in a block's form", () => {
  it("is a clock-time field in the Schedule and Callback forms: 09:00 as the example, and the hint under it", () => {
    const html = renderInLanguage("ru", BlockConfigForm, {
      nodeId: "office", spec: spec("schedule"), config: { timezone: "Europe/Moscow", hours: [{ days: ["mon"], from: "09:00", to: "18:00" }] },
      formContext, readOnly: false, onChange: () => undefined,
    });
    for (const end of ["from", "to"]) {
      const input = element(html, "input", `cfg-office_hours_0_${end}`);
      expect(input).toContain('class="form-control clock-time"');
      expect(input).toContain('placeholder="09:00"');
      expect(element(html, "div", `cfg-office_hours_0_${end}__description`)).not.toBe("");
    }
    expect(text(html)).toContain("С * ЧЧ:ММ в 24-часовом формате, например 09:00 или 18:30; полночь — 00:00.");
    const callback = renderInLanguage("es", BlockConfigForm, {
      nodeId: "cb", spec: spec("callback"), config: { window: [{ days: ["mon"], from: "09:00", to: "21:00" }] }, formContext, readOnly: false, onChange: () => undefined,
    });
    expect(element(callback, "input", "cfg-cb_window_0_to")).toContain('placeholder="09:00"');
    expect(text(callback)).toContain("HH:MM en formato de 24 horas, p. ej. 09:00 o 18:30; la medianoche es 00:00.");
  });

  it("is drawn by the widget registry's clock_time, as a plugin's CLOCK_TIME field names it", () => {
    const field = new Field("18:00");
    const html = renderToHtml(WIDGETS.clock_time as ComponentType<WidgetProps>, field.props());
    expect(element(html, "input", ID)).toMatch(/value="18:00"/);
    expect(element(html, "input", ID)).toContain('placeholder="09:00"');
  });

  it("stores nothing while typing, then HH:MM when left: 9 -> 09:00, 18.00 -> 18:00, 1800 -> 18:00, 6 pm -> 18:00", () => {
    for (const [typed, stored] of [["9", "09:00"], ["9:00", "09:00"], ["18.00", "18:00"], ["18-00", "18:00"], ["1800", "18:00"], ["6 pm", "18:00"]] as const) {
      const field = new Field(undefined).type(typed);
      expect(field.stored).toEqual([]);
      expect(field.shows()).toBe(typed);
      field.leave();
      expect(field.stored).toEqual([stored]);
      expect(field.shows()).toBe(stored);
      expect(field.html()).not.toContain("clock-time-refused");
    }
  });

  it("stores a whole HH:MM as it is typed, and nothing more when it is left", () => {
    const field = new Field("09:00").type("1").type("18").type("18:").type("18:3");
    expect(field.stored).toEqual([]);
    field.type("18:30");
    expect(field.stored).toEqual(["18:30"]);
    field.leave();
    expect(field.stored).toEqual(["18:30"]);
    expect(field.shows()).toBe("18:30");
  });

  it("takes Enter as leaving the field", () => {
    expect(new Field("09:00").type("21.00").pressEnter().stored).toEqual(["21:00"]);
  });

  it("refuses what it cannot read for sure, says why in the interface language, and keeps the block's last time", () => {
    const ru = new Field("09:00", "ru").type("9.5").leave();
    expect(ru.stored).toEqual([]);
    expect(ru.value).toBe("09:00");
    expect(ru.shows()).toBe("9.5");
    const html = ru.html();
    expect(element(html, "input", ID)).toContain('aria-invalid="true"');
    expect(element(html, "input", ID)).toContain(`aria-describedby="${ID}__error ${ID}__description ${ID}__help ${ID}__clock"`);
    expect(text(html)).toBe("«9.5» — непонятно: минуты пишутся двумя цифрами, например 09:05 или 09:30. Сохранено прежнее значение: 09:00.");

    const es = new Field("18:00", "es").type("24:00").leave();
    expect(es.stored).toEqual([]);
    expect(text(es.html())).toBe(
      "«24:00» no existe: la medianoche es 00:00. Una franja hasta las 00:00 dura hasta el final del día (18:00–00:00), y puede cruzar la medianoche (22:00–02:00). Sigue guardado: 18:00.",
    );
    // Nothing kept to name when the field was empty: the form's own "Fill in" says the rest.
    expect(text(new Field(undefined, "es").type("nueve").leave().html())).toBe("«nueve» no es una hora: escríbala como HH:MM, p. ej. 09:00 o 18:30.");
  });

  it("drops the refusal once the text is typed again, and stores it when it reads", () => {
    const field = new Field("09:00", "ru").type("25:00").leave();
    expect(field.html()).toContain("clock-time-refused");
    field.type("21:00");
    expect(field.html()).not.toContain("clock-time-refused");
    expect(field.stored).toEqual(["21:00"]);
  });

  it("stores an emptied field as no value, for the form to ask for it", () => {
    const field = new Field("09:00").type("").leave();
    expect(field.stored).toEqual([undefined]);
    expect(field.shows()).toBe("");
  });

  it("writes a time the document holds in another form (sent through the API) as HH:MM once the field is left", () => {
    const field = new Field("9:00");
    expect(field.shows()).toBe("9:00");
    field.leave();
    expect(field.stored).toEqual(["09:00"]);
  });
});
