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

describe("the caller search of a user who reads names masked", () => {
  it("asks for a number only, and says why", () => {
    const field = renderToHtml(CallerSearchField, { value: "+34600", onChange: nothing, names: false });
    expect(field).toBe(
      '<label>Number<input type="search" inputMode="tel" placeholder="A number (caller or dialled). Searching by the caller&#x27;s ' +
        'name needs access to personal data" title="A number (caller or dialled). Searching by the caller&#x27;s name needs ' +
        'access to personal data" data-names="hidden" value="+34600"/></label>',
    );
    expect(renderInLanguage("es", CallerSearchField, { value: "", onChange: nothing, names: false })).toContain("<label>Número<input");
    expect(renderInLanguage("ru", CallerSearchField, { value: "", onChange: nothing, names: false })).toContain("<label>Номер<input");
  });

  it("keeps letters out: text with one would be sent as a name search", () => {
    expect(searchTyped("+34 600 111", false)).toBe("+34 600 111");
    expect(searchTyped("(600) 123-45-67", false)).toBe("(600) 123-45-67");
    expect(searchTyped("", false)).toBe("");
    for (const typed of ["P", "+34 6a", "Петрова", "ñ"]) expect(searchTyped(typed, false)).toBeNull();
    expect(searchTyped("Петрова", true)).toBe("Петрова");
  });

  it("is the number-only field on the Calls page and in the editor's Calls tab, as the user's permission says", () => {
    const numberOnly = renderToHtml(CallerSearchField, { value: "", onChange: nothing, names: false });
    const either = renderToHtml(CallerSearchField, { value: "", onChange: nothing });
    const form = { filters: NO_REGISTER_FILTERS, scenarios: [], zone: "UTC", onChange: nothing, onSubmit: nothing };
    const masked = renderToHtml(RegisterForm, { ...form, names: false });
    expect(masked).toContain(numberOnly);
    expect(masked).not.toContain(either);
    expect(renderToHtml(RegisterForm, form)).toContain(either);
    const tab = renderToHtml(CallFiltersForm, { filters: NO_FILTERS, onChange: nothing, names: false });
    expect(tab).toContain(numberOnly);
    expect(tab).not.toContain(either);
    expect(renderToHtml(CallFiltersForm, { filters: NO_FILTERS, onChange: nothing, names: true })).toContain(either);
  });
});
