import { expect, test, type Browser, type Page } from "@playwright/test";
import { AccessPage } from "./fixtures/access_page";
import { ADMIN, newAccount, SIGNED_OUT, type Account } from "./fixtures/accounts";
import { LoginPage } from "./fixtures/login_page";
import { NamespacesPage } from "./fixtures/namespaces_page";

// The demo seed's project and its namespaces (server/sandbox/src/seed.rs).
const PROJECT = "payments";
const GRANTED = "payments-dev";

test.describe("signed out", () => {
  test.use({ storageState: SIGNED_OUT });

  test("a wrong password is refused without saying which part was wrong", async ({ page }) => {
    const login = new LoginPage(page);
    await login.open();
    await expect(login.sandboxBanner).toBeVisible();
    await expect(login.nav).toHaveCount(0);
    await expect(login.userName).toHaveCount(0);

    await login.submitAs({ name: ADMIN.name, password: "not the admin password" });
    await expect(login.error).toBeVisible();
    const wrongPassword = await login.error.innerText();
    await expect(login.password).toHaveValue("");

    await login.submitAs({ name: "nobody-by-this-name", password: "not the admin password" });
    await expect(login.error).toHaveText(wrongPassword);

    // Still nobody signed in: pages send us back to the sign-in page.
    await page.goto("/projects");
    await expect(page).toHaveURL(/\/login\?next=%2Fprojects$/);
  });

  test("signing in returns to the page asked for; signing out ends the session", async ({ page }) => {
    await page.goto("/projects");
    await expect(page).toHaveURL(/\/login\?next=%2Fprojects$/);
    const login = new LoginPage(page);
    await login.waitForHydration();
    await expect(login.submit).toBeEnabled();
    await login.submitAs(ADMIN);
    await page.waitForURL((url) => url.pathname === "/projects");
    await expect(login.heading).toHaveText("Projects");
    await expect(login.userName).toHaveText(ADMIN.name);

    await login.waitForHydration();
    await login.signOut();
    await expect(login.form).toBeVisible();
    await page.goto("/namespaces");
    await expect(page).toHaveURL(/\/login\?next=%2Fnamespaces$/);
    expect(login.errors).toEqual([]);
  });

  test("an anonymous visit is sent to the sign-in page, and server functions refuse it", async ({ page }) => {
    const response = await page.goto("/registries");
    await expect(page).toHaveURL(/\/login\?next=%2Fregistries$/);
    expect(response?.status()).toBe(200);
    await expect(page.getByTestId("login-form")).toBeVisible();

    const call = await page.request.post("/api/list_namespaces");
    expect(call.status()).toBe(401);
  });

  test("the setup page checks the confirmation and refuses a wrong link", async ({ page }) => {
    const shell = new LoginPage(page);
    await shell.goto("/setup");
    await expect(page.getByTestId("setup-no-token")).toBeVisible();
    await expect(shell.nav).toHaveCount(0);

    await shell.goto("/setup?token=not-the-token");
    await expect(page.getByTestId("setup-no-token")).toHaveCount(0);
    await expect(page.getByTestId("setup-submit")).toBeEnabled();
    await page.getByTestId("setup-name").fill("second-admin");
    await page.getByTestId("setup-password").fill("a long enough passphrase");
    await page.getByTestId("setup-confirm").fill("another long passphrase");
    await page.getByTestId("setup-submit").click();
    await expect(page.getByTestId("setup-confirm-error")).toHaveText("The passwords differ.");

    await page.getByTestId("setup-confirm").fill("a long enough passphrase");
    await page.getByTestId("setup-submit").click();
    await expect(page.getByTestId("setup-error")).toContainText("setup link does not work");
    await expect(page).toHaveURL(/\/setup\?token=not-the-token$/);
  });

  test("an off-site next is ignored after signing in", async ({ page, baseURL }) => {
    const login = new LoginPage(page);
    await login.open("//evil.example/steal");
    await login.submitAs(ADMIN);
    await expect(login.userName).toHaveText(ADMIN.name);
    // The site's own start page (`/`, which leads to the registries list).
    await expect(page).toHaveURL(`${baseURL}/registries`);
  });
});

/** Signs `account` in, in a browser context of its own. */
async function signedIn(browser: Browser, baseURL: string | undefined, account: Account): Promise<Page> {
  const context = await browser.newContext({ baseURL, storageState: SIGNED_OUT });
  const page = await context.newPage();
  await new LoginPage(page).signIn(account);
  return page;
}

/** The namespaces `page` lists after a fresh load, by name. */
async function visibleNamespaces(page: Page): Promise<string[]> {
  const namespaces = new NamespacesPage(page);
  await namespaces.open();
  await expect(page.getByTestId("namespace-count")).toBeVisible();
  // The live stream's first list has arrived too (it must filter as well).
  await expect(namespaces.liveState).toHaveText("● live");
  return namespaces.table.locator("tbody tr").evaluateAll((rows) =>
    rows.map((r) => r.getAttribute("data-namespace") ?? ""),
  );
}

test("a team admin grants a member one namespace, and revoking takes it away", async ({ page, browser, baseURL }) => {
  const lead = newAccount("lead");
  const dev = newAccount("dev");
  const team = `web-${Date.now().toString(36)}`;

  // The admin sets up the people, the team and the lead's project role.
  const admin = new AccessPage(page);
  await admin.open();
  await admin.createUser(lead);
  await admin.createUser(dev);
  await expect(admin.user(lead.name)).toBeVisible();
  await admin.createTeam(team);
  await admin.addMember(team, lead.name, true);
  await admin.addMember(team, dev.name);
  await expect(admin.member(team, lead.name).getByTestId("team-admin")).toBeVisible();
  await expect(admin.member(team, dev.name).getByTestId("team-admin")).toHaveCount(0);
  await admin.addGrant({ subject: lead.name, role: "editor", kind: "project", scope: PROJECT });

  // The developer holds nothing yet, so sees no namespace at all (none of
  // the project's in particular).
  const devPage = await signedIn(browser, baseURL, dev);
  expect(await visibleNamespaces(devPage)).toEqual([]);

  // The lead delegates one namespace to the developer.
  const leadPage = await signedIn(browser, baseURL, lead);
  const leadAccess = new AccessPage(leadPage);
  await leadAccess.open();
  await leadAccess.addGrant({ subject: dev.name, role: "viewer", kind: "namespace", scope: GRANTED });

  expect(await visibleNamespaces(devPage)).toEqual([GRANTED]);

  // Revoked: gone on the developer's next load.
  await leadAccess.revoke(dev.name, `namespace ${GRANTED}`);
  expect(await visibleNamespaces(devPage)).toEqual([]);

  expect(admin.errors).toEqual([]);
  await devPage.context().close();
  await leadPage.context().close();
});

test("an ended session offers to sign in again, back to the same page", async ({ page, browser, baseURL }) => {
  const someone = newAccount("someone");
  const admin = new AccessPage(page);
  await admin.open();
  await admin.createUser(someone);

  const theirs = await signedIn(browser, baseURL, someone);
  const shell = new LoginPage(theirs);
  await shell.goto("/projects");

  await admin.user(someone.name).getByTestId("end-sessions").click();
  await expect(admin.status).toHaveText(`Every session of ${someone.name} ended.`);

  // The next server call of the open page finds no session.
  await shell.navigate("Namespaces");
  const notice = theirs.getByTestId("namespaces-error");
  await expect(notice).toContainText("Sign in");
  await notice.getByTestId("sign-in-again").click();
  await expect(theirs).toHaveURL(/\/login\?next=\/namespaces$/);
  await shell.waitForHydration();
  await expect(shell.submit).toBeEnabled();
  await shell.submitAs(someone);
  await theirs.waitForURL((url) => url.pathname === "/namespaces");
  await theirs.context().close();
});

test("a namespace owner cannot grant beyond their reach", async ({ page, browser, baseURL }) => {
  const owner = newAccount("owner");
  const admin = new AccessPage(page);
  await admin.open();
  await admin.createUser(owner);
  await admin.addGrant({ subject: owner.name, role: "owner", kind: "namespace", scope: "search-dev" });

  const ownerPage = await signedIn(browser, baseURL, owner);
  const access = new AccessPage(ownerPage);
  await access.open();
  await expect(ownerPage.getByTestId("users-section")).toBeVisible();
  await expect(access.createUserForm).toHaveCount(0);
  await access.submitGrant({ subject: owner.name, role: "owner", kind: "namespace", scope: "payments-prod" });
  await expect(ownerPage.getByTestId("create-grant-error")).toContainText("payments-prod");
  await ownerPage.context().close();
});
