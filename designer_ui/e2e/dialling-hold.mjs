// Dialling held for the whole database, in real Chromium against a real `ivrgraph serve` (scripts/ui-e2e.sh):
//  - the campaigns view and the Callbacks page tell everyone that nobody is being called by any server, since when
//    and by whom; a publisher sees no Resume;
//  - an admin resumes it on the Callbacks page (where the jobs called since a backup are cancelled first), after a
//    question (every waiting job is called from the next pass), and the hold's banner goes.
// Disaster-recovery drill: a restored backup re-dialled, within seconds and unnoticed, every client the lost machine
// had called after the backup; a restored database now starts held (persistence/dialling_hold.py).
//
//   IVRGRAPH_URL=http://127.0.0.1:8000 IVRGRAPH_E2E_USER=admin IVRGRAPH_E2E_PASSWORD=... node e2e/dialling-hold.mjs
import {
  apiSession,
  artifactsFolder,
  check,
  emptied,
  launchChromium,
  screenshots,
  serverFromEnv,
  signIn,
  watchedPage,
} from "./lib.mjs";

const { base, adminUser, adminPassword } = serverFromEnv();
const ARTIFACTS = artifactsFolder("dialling-hold");
const shot = screenshots(ARTIFACTS);
const SLUG = "debt-reminder"; // seeded from examples/ by scripts/ui-e2e.sh

/** The campaigns view of the seeded scenario, opened as a person does, and its dialer banner. */
async function campaignsBanner(page) {
  await page.goto(`${base}/#/`);
  const row = page.locator("table.scenarios tr", { has: page.locator(`code:text-is("${SLUG}")`) });
  await row.getByRole("button", { name: /^More actions for / }).click();
  await row.getByRole("menuitem", { name: "Campaigns" }).click();
  await page.getByTestId("campaigns-dialog").waitFor();
  const banner = page.getByTestId("dialer-banner");
  await banner.waitFor();
  return banner;
}

/** The Callbacks page, and its dialer banner. */
async function callbacksBanner(page) {
  await page.goto(`${base}/#/callbacks`);
  await page.getByTestId("callbacks-page").waitFor();
  const banner = page.locator('[data-testid="dialer-banner"][data-held]');
  await banner.waitFor();
  return banner;
}

async function main() {
  await emptied(ARTIFACTS);
  const me = await apiSession(base, adminUser, adminPassword);
  const publisher = `pub-hold-${Date.now()}`;
  await me("POST", "/api/users", { username: publisher, password: "password-123", role: "publisher" });
  const held = await me("POST", "/api/dialer/hold");
  check(held.held?.reason === "admin" && held.held.held_by === adminUser, `held over the API by ${adminUser}`);
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-GB" });
    await context.addInitScript(() => localStorage.setItem("ivrgraph.language", "en"));

    const { page: theirs, pageErrors } = await watchedPage(context);
    await signIn(theirs, base, publisher, "password-123");
    const seen = await campaignsBanner(theirs);
    const said = (await seen.innerText()).replace(/\s+/g, " ");
    check(said.includes("Nobody is being called, by any server: dialling has been held since") && said.includes(`(${adminUser})`), `a publisher reads the hold: ${said}`);
    check((await seen.getByRole("button").count()) === 0 && said.includes("An administrator resumes it on the Callbacks page."), "with no Resume: an administrator resumes it");
    await shot(theirs, "01-held-publisher");
    await theirs.close();

    const adminContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-GB" });
    await adminContext.addInitScript(() => localStorage.setItem("ivrgraph.language", "en"));
    const { page } = await watchedPage(adminContext, pageErrors);
    await signIn(page, base, adminUser, adminPassword);
    const banner = await callbacksBanner(page);
    await banner.getByRole("button", { name: "Resume dialling" }).click();
    const question = page.getByTestId("dialer-resume-confirmation");
    await question.waitFor();
    check((await question.innerText()).includes("Resume dialling on every server?"), "Resume asks first");
    await shot(page, "02-resume-question");
    await question.getByRole("button", { name: "Not yet" }).click();
    check((await me("GET", "/api/dialer")).held !== null, "«Not yet» leaves dialling held");
    await banner.getByRole("button", { name: "Resume dialling" }).click();
    await question.getByRole("button", { name: "Resume now" }).click();
    // The hold's banner goes; this server's own state stays said (scripts/ui-e2e.sh runs it without AMI: off).
    await page.locator('[data-testid="dialer-banner"][data-held]').waitFor({ state: "detached" });
    check((await me("GET", "/api/dialer")).held === null, "«Resume now» lifts the hold, and the hold's banner goes");
    const left = await page.getByTestId("dialer-banner").allInnerTexts();
    check(left.every((text) => !text.includes("has been held")), `what stays says nothing of a hold: ${JSON.stringify(left)}`);
    const events = await me("GET", "/api/audit?target=dialling&limit=2");
    check(events[0].action === "resume_dialling" && events[0].actor === adminUser, "the resume is audited, by the admin");
    await shot(page, "03-resumed");
    check(pageErrors.length === 0, `no uncaught errors in the page${pageErrors.length ? `: ${pageErrors.join("\n")}` : ""}`);
  } finally {
    await browser.close();
    await me("POST", "/api/dialer/resume"); // whatever happened: the server dials again for the scripts after this
  }
}

await main();
