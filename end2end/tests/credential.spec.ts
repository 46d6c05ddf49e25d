import { expect, test } from "@playwright/test";
import { RegistriesPage } from "./fixtures/registries_page";
import { RegistryForm } from "./fixtures/registry_form";
import { RegistryServer } from "./fixtures/registry_server";

// The credential test at save, against a real Distribution registry, and a
// credential per host with its expiry.
const unique = (what: string) => `e2e-${what}-${Date.now()}`;

test("a credential the registry rejects is shown at save, nothing is saved until corrected", async ({ page }) => {
  const registry = await RegistryServer.start("robot", "the-right-token");
  try {
    const name = unique("cred");
    const form = new RegistryForm(page);
    await form.openNew();
    await form.chooseNamespace("payments-dev");
    await form.fill({ name, preset: "Other registry", host: registry.host, username: "robot", password: "a-wrong-token" });
    await form.submit();
    const warning = page.getByTestId("credential-warning");
    await expect(warning).toContainText(`${registry.host} rejected the credential (HTTP 401)`);
    await expect(warning).toContainText("nothing was saved");
    await expect(warning).not.toContainText("a-wrong-token");
    await expect(page).toHaveURL(/\/registries\/new/);
    // Corrected: the test passes and the registry is saved, its verdict shown.
    await form.fillHost(registry.host, { password: "the-right-token" });
    await form.submit();
    await expect(page).toHaveURL(new RegExp(`/registries/ns/payments-dev/${name}$`));
    const row = page.getByTestId("credential-checks").locator(`tr[data-host="${registry.host}"]`);
    await expect(row.getByTestId("credential-verdict")).toHaveAttribute("data-verdict", "accepted");
  } finally {
    registry.stop();
  }
});

test("each host has its own login, and an expired one is flagged in the list and the header", async ({ page }) => {
  const name = unique("hosts");
  const form = new RegistryForm(page);
  await form.openNew();
  await form.chooseNamespace("payments-dev");
  await form.fill({ name, preset: "GitHub Container Registry", username: "gh-bot", password: "gh-token" });
  await form.addPresetHost("Quay.io");
  // A new row starts from the row above's username.
  await expect(form.host("quay.io").getByRole("textbox", { name: "Username", exact: true })).toHaveValue("gh-bot");
  await form.fillHost("quay.io", { username: "quay+bot", password: "quay-token", validUntil: "2001-01-01" });
  await form.submit();
  await expect(page).toHaveURL(new RegExp(`/registries/ns/payments-dev/${name}$`));

  const checks = page.getByTestId("credential-checks");
  await expect(checks.locator('tr[data-host="ghcr.io"]').getByTestId("host-username")).toHaveText("gh-bot");
  const quay = checks.locator('tr[data-host="quay.io"]');
  await expect(quay.getByTestId("host-username")).toHaveText("quay+bot");
  await expect(quay.getByTestId("expiry")).toHaveAttribute("data-expiry", "expired");
  await expect(page.getByTestId("expiry-warning")).toContainText("expired");

  const list = new RegistriesPage(page);
  await list.open();
  await expect(list.row(name).getByTestId("expiry")).toHaveAttribute("data-expiry", "expired");
  await expect(list.username(name)).toHaveText("(varies)");

  // Editing one host's date leaves the other host's login as it was.
  await form.openEdit(`/registries/ns/payments-dev/${name}`);
  await form.fillHost("quay.io", { validUntil: "" });
  await form.submit();
  await expect(page).toHaveURL(new RegExp(`/registries/ns/payments-dev/${name}$`));
  await expect(checks.locator('tr[data-host="quay.io"]').getByTestId("host-valid-until")).toHaveText("not set");
  await expect(checks.locator('tr[data-host="ghcr.io"]').getByTestId("host-username")).toHaveText("gh-bot");
});
