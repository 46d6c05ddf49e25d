import { expect, test } from "@playwright/test";
import { SIGNED_OUT } from "./fixtures/accounts";
import { LoginPage } from "./fixtures/login_page";
import { ProjectsPage } from "./fixtures/projects_page";
import { RegistriesPage } from "./fixtures/registries_page";
import { RegistryForm } from "./fixtures/registry_form";

// A label names its input with its own text only; the hint under it is the
// input's description. (Labels used to wrap the hint, so a screen reader
// announced "Name The Secret's name in every namespace it reaches…".)

const NAME_HINT = "The Secret's name in every namespace it reaches: lowercase letters, digits and '-'.";

test("the registry form's inputs are named by their labels and described by their hints", async ({ page }) => {
  const form = new RegistryForm(page);
  await form.openNew();
  await expect(form.name).toHaveAccessibleName("Name");
  await expect(form.name).toHaveAccessibleDescription(NAME_HINT);
  // Each host row has its own login inputs, named by their labels.
  await form.addPresetHost("GitHub Container Registry");
  await expect(form.host("ghcr.io").getByRole("group", { name: "ghcr.io" })).toBeVisible();
  await expect(form.username).toHaveAccessibleName("Username");
  await expect(form.username).toHaveAccessibleDescription("The login for this host.");
  await expect(form.password).toHaveAccessibleName("Password or token");
  await expect(form.password).toHaveAccessibleDescription(
    "Stored only in the Kubernetes Secret; regboard never shows it again.",
  );
  await expect(form.email).toHaveAccessibleDescription(
    "Some registries (and older Docker clients) want an email; most do not.",
  );
  await expect(form.scopeRadio("Project")).toHaveAccessibleDescription(
    /every namespace of the project, including ones that join later/,
  );

  // A refusal beside the name joins the description; the name stays "Name".
  await form.chooseNamespace("payments-dev");
  await form.fill({ name: "Not_Valid", username: "robot", password: "pw-1234567" });
  await form.submit();
  await expect(form.fieldError("name")).toBeVisible();
  const refusal = (await form.fieldError("name").innerText()).trim();
  await expect(form.name).toHaveAccessibleName("Name");
  await expect(form.name).toHaveAttribute("aria-invalid", "true");
  await expect(form.name).toHaveAccessibleDescription(`${NAME_HINT} ${refusal}`);
  // The refusal is the server function's 422, which the browser logs; nothing else.
  expect(form.errors.filter((e) => !e.includes("status of 422"))).toEqual([]);
});

test("the project form's name is described by its hint", async ({ page }) => {
  const projects = new ProjectsPage(page);
  await projects.open();
  const name = projects.createField("Name");
  await expect(name).toHaveAccessibleName("Name");
  await expect(name).toHaveAccessibleDescription(
    "Becomes the value of the namespace label; lowercase letters, digits and '-'.",
  );
  await expect(projects.createField("Display name")).toHaveAccessibleName("Display name");
});

test.describe("signed out", () => {
  test.use({ storageState: SIGNED_OUT });

  test("the sign-in inputs are named Name and Password", async ({ page }) => {
    const login = new LoginPage(page);
    await login.open();
    await expect(login.name).toHaveAccessibleName("Name");
    await expect(login.password).toHaveAccessibleName("Password");
    await expect(login.name).toHaveAccessibleDescription("");
  });
});

test("the registries list is at /registries, and / leads there", async ({ page }) => {
  const direct = await page.request.get("/registries", { maxRedirects: 0 });
  expect(direct.status()).toBe(200);
  const home = await page.request.get("/", { maxRedirects: 0 });
  expect(home.status()).toBe(302);
  expect(home.headers()["location"]).toBe("/registries");

  const list = new RegistriesPage(page);
  await list.goto("/");
  await expect(page).toHaveURL(/\/registries$/);
  await expect(list.heading).toHaveText("Registries");
  await expect(list.nav.getByRole("link", { name: "Registries", exact: true })).toHaveAttribute("aria-current", "page");
  await list.open();
  await expect(list.table.or(list.empty)).toBeVisible();
  expect(list.errors).toEqual([]);
});
