import { expect, test } from "@playwright/test";
import { RegistriesPage, RegistryDetailPage } from "./fixtures/registries_page";
import { SandboxApi } from "./fixtures/sandbox_api";
import { createPullSecret, UnmanagedPage } from "./fixtures/unmanaged_page";

// A pull Secret made outside regboard (a Helm chart's, `auth` only) is listed
// as unmanaged with its host and username, adopted in place from the page,
// and becomes a registry with its data unchanged.
test("an unmanaged pull Secret is adopted and becomes a registry", async ({ page }) => {
  const cluster = await SandboxApi.connect();
  const name = `e2e-helm-pull-${Date.now()}`;
  const canary = "e2e-adopt-canary-pw";
  const auth = Buffer.from(`helm-bot:${canary}`, "utf8").toString("base64");
  const encoded = await createPullSecret("sandbox-scratch", name, { auths: { "quay.io": { auth } } });

  const list = new RegistriesPage(page);
  await list.open();
  await page.getByTestId("unmanaged-link").click();
  const unmanaged = new UnmanagedPage(page);
  await expect(unmanaged.heading).toHaveText("Unmanaged pull Secrets");
  await unmanaged.waitForHydration();
  await unmanaged.namespaceFilter.fill("sandbox-scratch");
  await unmanaged.namespaceFilter.press("Enter");
  await expect(page).toHaveURL(/\/registries\/unmanaged\?namespace=sandbox-scratch$/);
  await unmanaged.waitForHydration();
  const row = unmanaged.row("sandbox-scratch", name);
  await expect(row.getByTestId("unmanaged-hosts")).toHaveText("quay.io");
  await expect(row.getByTestId("unmanaged-usernames")).toHaveText("helm-bot");
  await expect(page.locator("body")).not.toContainText(canary);
  expect(await page.content()).not.toContain(auth);

  await unmanaged.adoptInPlace("sandbox-scratch", name);
  await expect(unmanaged.adopted).toContainText(name);
  await expect(row).toHaveCount(0);
  await unmanaged.adopted.getByTestId("adopted-link").click();
  await expect(page).toHaveURL(new RegExp(`/registries/ns/sandbox-scratch/${name}$`));
  const detail = new RegistryDetailPage(page);
  await expect(detail.heading).toHaveText(name);
  await expect(detail.summary).toContainText("quay.io");
  await expect(detail.summary).toContainText("helm-bot");

  const secret = await cluster.getSecret("sandbox-scratch", name);
  expect(secret?.data?.[".dockerconfigjson"]).toBe(encoded);
  expect(secret?.metadata?.labels?.["app.kubernetes.io/managed-by"]).toBe("regboard");
  await list.open();
  await expect(list.row(name)).toBeVisible();
  expect([...list.errors, ...unmanaged.errors, ...detail.errors]).toEqual([]);
  await cluster.dispose();
});
