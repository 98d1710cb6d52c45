/**
 * What the Calls and Callbacks pages draw alike (callPageParts.tsx, CallerSearchField.tsx): the panel of the item
 * opened, the list's state, the filters' form, and the caller search the editor's Calls tab asks for too; and the
 * pages' first markup, which names them by each page's own ids.
 */
import { createElement } from "react";
import { describe, expect, it } from "vitest";
import type { User } from "../api/types";
import { runInTimeZone } from "../testSupport";
import { CodeSelect, DetailPanel, FilterForm, ListStatus, ScenarioSelect, type DetailPanelProps, type ListStatusProps } from "./callPageParts";
import { CallbacksPage } from "./CallbacksPage";
import { CallerSearchField } from "./CallerSearchField";
import { CallsPage, RegisterForm } from "./CallsPage";
import { CallFiltersForm } from "./CallsPanel";
import { NO_FILTERS } from "./callFilters";
import { NO_REGISTER_FILTERS } from "./callRegister";
import { renderInLanguage, renderToHtml } from "./renderForTest";

runInTimeZone("Europe/Madrid");

const nothing = () => undefined;

describe("the panel of an item opened", () => {
  const props: DetailPanelProps = {
    className: "job-detail",
    testId: "job-detail",
    title: "Callback job",
    closeText: "Close the job",
    openingText: "Opening the job…",
    opened: null,
    onClose: nothing,
  };

  it("is a region named by its heading, which the focus can reach, with a Close button; says it is opening", () => {
    expect(renderToHtml(DetailPanel, props)).toBe(
      '<section class="job-detail" aria-labelledby="job-detail-title" data-testid="job-detail"><div class="row">' +
        '<h2 id="job-detail-title" tabindex="-1">Callback job</h2><span class="spacer"></span><button type="button">Close the job</button></div>' +
        '<p class="muted" role="status">Opening the job…</p></section>',
    );
  });

  it("says why the item could not be opened as an alert, and shows an item opened", () => {
    const failed = renderToHtml(DetailPanel, { ...props, opened: { id: "j-9", error: "No callback job j-9." } });
    expect(failed).toContain('<p role="alert" class="error-text" data-testid="job-detail-problem">No callback job j-9.</p></section>');
    expect(failed).not.toContain('role="status"');
    const shown = renderToHtml(DetailPanel, { ...props, opened: { id: "j-1" }, children: createElement("p", null, "the job") });
    expect(shown).toMatch(/<\/div><p>the job<\/p><\/section>$/);
    expect(shown).not.toContain("role=");
  });
});

describe("the state of a page's list", () => {
  const table = createElement("table", { "data-testid": "table" });
  const props: ListStatusProps = {
    testId: "jobs",
    problem: null,
    loading: false,
    loadingText: "Loading…",
    shownCount: 2,
    countText: "Jobs shown: 2",
    noneText: "None",
    more: true,
    loadingMore: false,
    onMore: nothing,
    moreText: "Load more",
    children: table,
  };

  it("counts the items shown for a screen reader, shows them, and offers the older ones", () => {
    expect(renderToHtml(ListStatus, props)).toBe(
      '<p class="muted small calls-count" role="status" data-testid="jobs-count">Jobs shown: 2</p><table data-testid="table"></table>' +
        '<button type="button" class="calls-more">Load more</button>',
    );
    expect(renderToHtml(ListStatus, { ...props, loadingMore: true })).toContain('<button type="button" class="calls-more" disabled="">');
  });

  it("while the next list loads, says so over the one shown", () => {
    expect(renderToHtml(ListStatus, { ...props, loading: true, more: false })).toBe(
      '<p class="muted small calls-count" role="status" data-testid="jobs-count">Loading…</p><table data-testid="table"></table>',
    );
  });

  it("says when the answer holds none, once it has come", () => {
    const none = { ...props, shownCount: 0, more: false };
    expect(renderToHtml(ListStatus, none)).toBe('<p class="muted small calls-count" role="status" data-testid="jobs-count"></p><p class="muted" data-testid="jobs-none">None</p>');
    expect(renderToHtml(ListStatus, { ...none, loading: true })).not.toContain("jobs-none");
    expect(renderToHtml(ListStatus, { ...none, shownCount: null })).not.toContain("jobs-none");
  });

  it("with a problem, says it as an alert a field can point at, in place of the list, its count and Load more", () => {
    const html = renderToHtml(ListStatus, { ...props, problem: "Not a number", problemId: "job-number-problem" });
    expect(html).toBe(
      '<p role="alert" class="error-text" id="job-number-problem" data-testid="jobs-problem">Not a number</p>' +
        '<p class="muted small calls-count" role="status" data-testid="jobs-count"></p>',
    );
  });
});

describe("a page's filters", () => {
  const field = createElement("input", { type: "search" });

  it("is a search a screen reader names, applied by Enter, with a link to clear it only when something is set", () => {
    const props = { className: "job-filters", label: "Find jobs", testId: "job-filters", onSubmit: nothing, clearText: "Clear", onClear: null, children: field };
    expect(renderToHtml(FilterForm, props)).toBe(
      '<form class="job-filters" role="search" aria-label="Find jobs" data-testid="job-filters"><input type="search"/>' +
        '<button type="submit" class="sr-only" tabindex="-1">Find jobs</button></form>',
    );
    const set = renderToHtml(FilterForm, { ...props, onClear: nothing, after: createElement("p", null, "clock") });
    expect(set).toMatch(/tabindex="-1">Find jobs<\/button><button type="button" class="link">Clear<\/button><p>clock<\/p><\/form>$/);
  });

  it("offers every scenario by name, and one the address names that the list does not hold", () => {
    const scenarios = [{ slug: "b", name: "b" }, { slug: "a", name: "Alpha" }];
    const html = renderToHtml(ScenarioSelect, { label: "Scenario", allText: "All", value: "gone", scenarios, onChange: nothing });
    expect([...html.matchAll(/<option value="(\w*)"[^>]*>([^<]*)</g)].map((m) => `${m[1]}: ${m[2]}`)).toEqual([": All", "gone: gone", "b: b", "a: Alpha (a)"]);
    expect(renderToHtml(ScenarioSelect, { label: "Scenario", allText: "All", value: "a", scenarios, onChange: nothing })).not.toContain('value="gone"');
  });

  it("offers each code in words, with what it means where that is told, or any code", () => {
    const props = { label: "Status", anyText: "Any", value: "done" as const, codes: ["pending", "done"] as const, text: (c: string) => c.toUpperCase(), onChange: nothing };
    expect(renderToHtml(CodeSelect, props)).toBe(
      '<label>Status<select><option value="">Any</option><option value="pending">PENDING</option><option value="done" selected="">DONE</option></select></label>',
    );
    expect(renderToHtml(CodeSelect, { ...props, about: (c: string) => `about ${c}` })).toContain('<option value="pending" title="about pending">PENDING</option>');
  });

  it("asks for a caller the same way on the Calls page and in the editor's Calls tab", () => {
    const field = renderToHtml(CallerSearchField, { value: "+34600", onChange: nothing });
    expect(field).toBe(
      '<label>Number or name<input type="search" placeholder="A number (caller or dialled) or the caller&#x27;s name" ' +
        'title="A number (caller or dialled) or the caller&#x27;s name" value="+34600"/></label>',
    );
    const page = renderToHtml(RegisterForm, { filters: { ...NO_REGISTER_FILTERS, caller: "+34600" }, scenarios: [], zone: "UTC", onChange: nothing, onSubmit: nothing });
    expect(page).toContain(field);
    expect(renderToHtml(CallFiltersForm, { filters: { ...NO_FILTERS, caller: "+34600" }, onChange: nothing })).toContain(field);
  });
});

describe("the pages as they first show", () => {
  const user: User = { id: 2, username: "ana", role: "viewer", active: true, sees_personal_data: false };

  it("open the call the address names in the Calls page's own panel, and load its list", () => {
    const html = renderToHtml(CallsPage, { query: "call=c-77", user });
    expect(html).toContain(
      '<section class="call-page-detail" aria-labelledby="call-detail-title" data-testid="call-detail"><div class="row">' +
        '<h2 id="call-detail-title" tabindex="-1">The call</h2><span class="spacer"></span><button type="button">Close the call</button></div>' +
        '<p class="muted" role="status">Opening the call…</p></section>',
    );
    expect(html).toContain('<p class="muted small calls-count" role="status" data-testid="calls-count">Loading the calls…</p>');
    expect(html).toContain('data-testid="calls-masked"');
  });

  it("open the job the address names in the Callbacks page's panel, and point its number field at why it is refused", () => {
    const html = renderInLanguage("es", CallbacksPage, { query: "number=abc&job=7f3e-1", user });
    expect(html).toContain('<section class="job-detail" aria-labelledby="job-detail-title" data-testid="job-detail">');
    expect(html).toContain('aria-invalid="true" aria-describedby="job-number-problem"');
    expect(html).toMatch(/<p role="alert" class="error-text" id="job-number-problem" data-testid="jobs-problem">«abc» no es un número/);
    expect(html).toContain('<p class="muted small calls-count" role="status" data-testid="jobs-count"></p>');
  });
});
