// The Test call of an autoinformer and of a CRM lookup, as a Russian contact centre's review could not make one:
// the debt reminder example with a debt typed in the panel (in Russian style, 1234,50) says the amount; the fields
// are there again after a reload; the employee call-through example's SQL block says it had no test rows, then
// finds the employee in rows typed in the panel. Called from designer.e2e.mjs with its helpers.
import { readFileSync } from "node:fs";

const EXAMPLES = new URL("../../examples/", import.meta.url);
const blockCount = (slug) => JSON.parse(readFileSync(new URL(`${slug}.json`, EXAMPLES), "utf8")).nodes.length;

/** Open the Test call tab of `slug`'s editor, drawn. */
async function openTestCall(page, slug, { openDrawn }) {
  await openDrawn(page, slug, blockCount(slug));
  await page.getByRole("tab", { name: "Test call" }).click();
  await page.getByTestId("test-panel").waitFor();
}

async function runTestCall(page) {
  const previous = await page.getByTestId("engine-story").textContent().catch(() => null);
  await page.getByRole("button", { name: "Run test call" }).click();
  // A rerun replaces the result in place: wait for the engine's story to change, not only to be there.
  await page.waitForFunction(
    (before) => {
      const story = document.querySelector("[data-testid=engine-story]");
      return story !== null && story.textContent !== before;
    },
    previous,
  );
  return {
    outcome: await page.locator("[data-testid=test-result] .outcome").getAttribute("data-outcome"),
    story: (await page.getByTestId("story").textContent()).replace(/\s+/g, " "),
  };
}

export async function testCallInputs(page, { check, shot, openDrawn }) {
  // -- an autoinformer: the debt a call list would give, typed in the panel ----------------------------------
  await openTestCall(page, "debt-reminder", { openDrawn });
  check((await page.locator("input[name=caller_id]").inputValue()) === "", "the test call's caller number starts empty, no made-up (Spanish) number");
  const debt = page.locator("input[name=var-debt_amount]");
  check((await debt.inputValue()) === "", "the debt reminder's debt_amount, declared without a default, is a field of the panel");
  check(
    (await page.locator("textarea[name=var-contact]").inputValue()) === '{"name":"cliente"}' &&
      (await page.locator("input[name=var-result]").inputValue()) === "no_response",
    "declared variables start at their defaults",
  );
  await debt.fill("сто");
  await page.getByTestId("test-variables").getByText("Not a number").waitFor();
  check(await page.getByRole("button", { name: "Run test call" }).isDisabled(), "a debt that is no number is said so, and the test call waits for it");
  await debt.fill("1234,50");
  await page.fill("input[name=keys]", "1");
  await page.fill("input[name=caller_name]", "Иван Петров");
  const paid = await runTestCall(page);
  console.log(`debt reminder test call: ${paid.outcome}: ${paid.story.slice(0, 240)}`);
  check(paid.outcome === "hung_up", "the debt reminder's test call with a debt entered in the panel succeeds");
  check(paid.story.includes("mil doscientos treinta y cuatro euros con cincuenta céntimos"), "and says the amount entered");
  await page.getByTestId("test-variables").scrollIntoViewIfNeeded();
  await shot(page, "05b-test-call-debt-reminder");
  await page.getByTestId("test-result").scrollIntoViewIfNeeded();
  await shot(page, "05c-test-call-debt-reminder-said");

  await page.reload();
  await page.getByTestId("editor").waitFor();
  await page.getByRole("tab", { name: "Test call" }).click();
  check(
    (await page.locator("input[name=var-debt_amount]").inputValue()) === "1234,50" &&
      (await page.locator("input[name=keys]").inputValue()) === "1" &&
      (await page.locator("input[name=caller_name]").inputValue()) === "Иван Петров",
    "the last test call's fields are there again after a reload: a rerun needs no retyping",
  );

  // -- a CRM lookup: no test rows, then the row the SQL block looks for ----------------------------------------
  await openTestCall(page, "employee-callthrough", { openDrawn });
  await page.fill("input[name=caller_id]", "+34600999888");
  const none = await runTestCall(page);
  check(
    none.story.includes("no test rows for data source 'staff'") && !none.story.includes("is not configured"),
    "an SQL block without test rows says so, not that its data source is not configured",
  );
  await page.fill("textarea[name=rows-staff]", "[{name: 'Luis'}]");
  await page.getByTestId("test-rows").getByText("Not valid JSON").waitFor();
  check(await page.getByRole("button", { name: "Run test call" }).isDisabled(), "rows that are not JSON are said so before the call");
  await page.fill("textarea[name=rows-staff]", '[{"name": "Luis", "extension": "204", "mobile": "+34600999888"}]');
  const found = await runTestCall(page);
  console.log(`employee call-through test call: ${found.outcome}: ${found.story.slice(0, 240)}`);
  check(found.story.includes("Hola Luis"), "with rows typed in the panel the SQL block finds the employee");
  await page.getByTestId("test-rows").scrollIntoViewIfNeeded();
  await shot(page, "05d-test-call-crm-rows");
}
