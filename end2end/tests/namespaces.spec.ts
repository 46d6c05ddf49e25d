import { expect, test } from "@playwright/test";
import { NamespacesPage } from "./fixtures/namespaces_page";
import { SandboxApi } from "./fixtures/sandbox_api";

test("the sandbox banner and the demo namespaces are shown", async ({ page }) => {
  const namespaces = new NamespacesPage(page);
  await namespaces.open();
  await expect(namespaces.sandboxBanner).toHaveText("Sandbox cluster — nothing is written to a real cluster");
  await expect(namespaces.cluster).toContainText("sandbox");
  await expect(namespaces.project("payments-dev")).toHaveText("payments");
  await expect(namespaces.project("default")).toHaveText("—");
});

// The page follows the cluster: a namespace created, given a Secret and
// deleted behind the dashboard's back shows up and goes away without a reload.
test("the list follows cluster changes without a reload", async ({ page }) => {
  const cluster = await SandboxApi.connect();
  const name = `e2e-live-${Date.now()}`;
  const namespaces = new NamespacesPage(page);
  await namespaces.open();
  await expect(namespaces.liveState).toHaveText("● live");
  await page.evaluate(() => ((window as unknown as { __marker: string }).__marker = "no reload"));

  await cluster.createNamespace(name, { "regboard.dev/project": "search" });
  await expect(namespaces.row(name)).toBeVisible();
  // A label set outside regboard is a request to join, not membership.
  await expect(namespaces.project(name)).toHaveText("asks to join search");
  await expect(namespaces.secrets(name)).toHaveText("0");

  await cluster.createSecret(name, "api-token");
  await expect(namespaces.secrets(name)).toHaveText("1");

  await cluster.deleteNamespace(name);
  await expect(namespaces.row(name)).toHaveCount(0);

  expect(await page.evaluate(() => (window as unknown as { __marker?: string }).__marker)).toBe("no reload");
  expect(namespaces.errors).toEqual([]);
  await cluster.dispose();
});
