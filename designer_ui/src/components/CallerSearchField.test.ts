/**
 * The caller search offers the name search only to a user who reads names unmasked: for any other the API refuses
 * it (403 `personal_data_hidden`), as which calls a name search finds would tell the name they read "[hidden]".
 */
import { describe, expect, it } from "vitest";
import { NO_REGISTER_FILTERS } from "./callRegister";
import { CallerSearchField, searchTyped } from "./CallerSearchField";
import { RegisterForm } from "./CallsPage";
import { CallFiltersForm } from "./CallsPanel";
import { NO_FILTERS } from "./callFilters";
import { renderInLanguage, renderToHtml } from "./renderForTest";

const nothing = () => undefined;
/** The markup with the ids useId made blanked: they differ from one tree rendered to the next. */
const withoutIds = (html: string) => html.replace(/\b(id|for|aria-describedby)="[^"]*"/g, '$1=""');

describe("the caller search of a user who reads names masked", () => {
  it("asks for a number only, and says why in a visible hint that describes the field; its name is the label alone", () => {
    const field = renderToHtml(CallerSearchField, { value: "+34600", onChange: nothing, names: false });
    const label = /<label for="([^"]+)">([^<]*)<\/label>/.exec(field);
    const input = /<input ([^>]*)\/>/.exec(field)?.[1] ?? "";
    expect(label?.[2]).toBe("Number");
    expect(input).toContain(`id="${label?.[1]}"`);
    const describedBy = /aria-describedby="([^"]+)"/.exec(input)?.[1];
    const hint = new RegExp(`<span id="${describedBy}" class="hint caller-search-hint">([^<]*)</span>`).exec(field)?.[1];
    expect(hint).toBe("A number (caller or dialled). Searching by the caller&#x27;s name needs access to personal data");
    // The instruction is not a placeholder (cut off, gone once typing) nor only a tooltip.
    expect(input).not.toContain("placeholder=");
    expect(input).not.toContain("title=");
    expect(input).toContain('inputMode="tel"');
    expect(input).toContain('value="+34600"');
    expect(renderInLanguage("es", CallerSearchField, { value: "", onChange: nothing, names: false })).toMatch(/<label for="[^"]+">Número<\/label>/);
    expect(renderInLanguage("ru", CallerSearchField, { value: "", onChange: nothing, names: false })).toMatch(/<label for="[^"]+">Номер<\/label>/);
  });

  it("has its status region in the page before anything is refused, empty and outside the label", () => {
    const field = renderToHtml(CallerSearchField, { value: "", onChange: nothing, names: false });
    expect(field).toMatch(/<span class="sr-only" role="status" data-testid="number-search-status"><\/span><\/div>$/);
    const label = /<label[^>]*>.*?<\/label>/s.exec(field)?.[0] ?? "";
    expect(label).not.toContain("role=\"status\"");
    expect(label).not.toContain("<input");
  });

  it("keeps letters out: text with one would be sent as a name search", () => {
    expect(searchTyped("+34 600 111", false)).toBe("+34 600 111");
    expect(searchTyped("(600) 123-45-67", false)).toBe("(600) 123-45-67");
    expect(searchTyped("", false)).toBe("");
    for (const typed of ["P", "+34 6a", "Петрова", "ñ"]) expect(searchTyped(typed, false)).toBeNull();
    expect(searchTyped("Петрова", true)).toBe("Петрова");
  });

  it("is the number-only field on the Calls page and in the editor's Calls tab, as the user's permission says", () => {
    const numberOnly = withoutIds(renderToHtml(CallerSearchField, { value: "", onChange: nothing, names: false }));
    const either = renderToHtml(CallerSearchField, { value: "", onChange: nothing });
    const form = { filters: NO_REGISTER_FILTERS, scenarios: [], zone: "UTC", onChange: nothing, onSubmit: nothing };
    const masked = withoutIds(renderToHtml(RegisterForm, { ...form, names: false }));
    expect(masked).toContain(numberOnly);
    expect(masked).not.toContain(either);
    expect(renderToHtml(RegisterForm, form)).toContain(either);
    const tab = withoutIds(renderToHtml(CallFiltersForm, { filters: NO_FILTERS, onChange: nothing, names: false }));
    expect(tab).toContain(numberOnly);
    expect(tab).not.toContain(either);
    expect(renderToHtml(CallFiltersForm, { filters: NO_FILTERS, onChange: nothing, names: true })).toContain(either);
  });
});
