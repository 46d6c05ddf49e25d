import { expect, test } from "@playwright/test";
import { RegistryForm } from "./fixtures/registry_form";
import { RegistryDetailPage } from "./fixtures/registries_page";
import { SandboxApi } from "./fixtures/sandbox_api";

// The create and edit forms show what will be written where, and write
// nothing until the person confirms (issue 13, item 8).
const unique = (what: string) => `e2e-${what}-${Date.now()}`;
const PAYMENTS = ["payments-dev", "payments-prod", "payments-staging"];

test("creating a project registry previews every namespace, writes nothing on cancel, and writes on confirm", async ({ page }) => {
  const cluster = await SandboxApi.connect();
  const name = unique("pv");
  const form = new RegistryForm(page);
  await form.openNew();
  await form.chooseProject("payments");
  await form.fill({ name, preset: "GitHub Container Registry", username: "bot", password: "pw-preview" });
  await form.save.click();

  const preview = form.preview;
  await expect(preview.getByTestId("preview-summary")).toContainText(`This create writes the Secret ${name} in 3 of 3 namespaces`);
  for (const namespace of PAYMENTS) {
    await expect(preview.locator(`tr[data-namespace="${namespace}"]`)).toHaveAttribute("data-action", "create");
  }
  // What is confirmed is what was previewed: the fields wait meanwhile.
  await expect(form.name).toBeDisabled();
  await preview.getByTestId("cancel-change").click();
  await expect(preview).toHaveCount(0);
  await expect(form.name).toBeEnabled();
  await expect(form.name).toHaveValue(name);
  for (const namespace of PAYMENTS) expect(await cluster.getSecret(namespace, name)).toBeNull();

  await form.submit();
  await expect(page).toHaveURL(new RegExp(`/registries/p/payments/${name}$`));
  const detail = new RegistryDetailPage(page);
  for (const namespace of PAYMENTS) {
    await expect(detail.state(namespace)).toHaveText("synced", { timeout: 30_000 });
  }

  // An edit that changes nothing says so before anything is written.
  await form.openEdit(`/registries/p/payments/${name}`);
  await form.save.click();
  await expect(form.preview.getByTestId("preview-summary")).toContainText("writes the Secret");
  await expect(form.preview.getByTestId("preview-summary")).toContainText(`in 0 of 3 namespaces`);
  for (const namespace of PAYMENTS) {
    await expect(form.preview.locator(`tr[data-namespace="${namespace}"]`)).toHaveAttribute("data-action", "unchanged");
  }
  await form.preview.getByTestId("cancel-change").click();
  await cluster.dispose();
});

test("an import is previewed as the registry it creates, and written once confirmed", async ({ page }) => {
  const cluster = await SandboxApi.connect();
  const name = unique("imp");
  const auth = Buffer.from("import-bot:pw-import-e2e").toString("base64");
  await page.goto("/registries/import");
  await expect(page.getByTestId("import-read")).toBeEnabled();
  await page.getByTestId("import-config").fill(JSON.stringify({ auths: { "ghcr.io": { auth } } }));
  await page.getByTestId("import-read").click();
  await page.getByRole("checkbox", { name: "Import ghcr.io" }).check();
  await page.getByTestId("import-scope").selectOption("namespace:payments-dev");
  await page.getByTestId("import-name").fill(name);
  await page.getByTestId("import-submit").click();

  const preview = page.getByTestId("preview");
  await expect(preview.locator('tr[data-namespace="payments-dev"]')).toHaveAttribute("data-action", "create");
  await expect(preview).not.toContainText("pw-import-e2e");
  expect(await cluster.getSecret("payments-dev", name)).toBeNull();
  await preview.getByTestId("confirm-change").click();
  await expect(page).toHaveURL(new RegExp(`/registries/ns/payments-dev/${name}$`));
  const config = await cluster.dockerConfig("payments-dev", name);
  expect(config?.auths["ghcr.io"]?.username).toBe("import-bot");
  await cluster.dispose();
});
