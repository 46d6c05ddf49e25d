import { expect, test } from "@playwright/test";
import { RegistryForm } from "./fixtures/registry_form";
import { SandboxApi } from "./fixtures/sandbox_api";
import { ShellPage } from "./fixtures/shell_page";

// From a pod that cannot pull to a pod that runs, as a person would: the
// seeded pod in search-prod pulls a private GHCR image with no pull Secret.
const NAMESPACE = "search-prod";
const POD = "search-api-5c6d7f8b9-q4w2e";

test("a failing pod is diagnosed, fixed by a registry attached to its ServiceAccount, and runs after a restart", async ({ page }) => {
  const cluster = await SandboxApi.connect();
  const shell = new ShellPage(page);

  // The Workloads page shows the failing pod with a way to diagnose it.
  await shell.goto(`/workloads?namespace=${NAMESPACE}`);
  const row = page.locator(`tr[data-pod="${POD}"]`);
  await expect(row).toContainText(/ImagePullBackOff|ErrImagePull/);
  await row.getByTestId("diagnose").click();
  await expect(page).toHaveURL(new RegExp(`/workloads/pod/${NAMESPACE}/${POD}$`));
  await expect(page.getByTestId("diagnosis-verdict")).toContainText("fails to pull");
  // The diagnosis names what is missing: a credential for ghcr.io.
  const checks = page.getByTestId("checks");
  await expect(checks.locator('[data-verdict="fail"]').first()).toBeVisible();
  await expect(checks).toContainText("ghcr.io");

  // A registry for ghcr.io in that namespace, attached to the default
  // ServiceAccount (the form's choice for a new registry).
  const name = `e2e-pull-${Date.now()}`;
  const form = new RegistryForm(page);
  await form.openNew();
  await form.chooseNamespace(NAMESPACE);
  await form.fill({ name, preset: "GitHub Container Registry", username: "robot", password: "pull-password" });
  await expect(page.getByTestId("attach-default")).toBeChecked();
  await form.submit();
  await expect(page).toHaveURL(new RegExp(`/registries/ns/${NAMESPACE}/${name}$`));
  await expect(page.getByTestId("detail-attachment")).toHaveText("the default ServiceAccount");
  const cell = page.locator(`tr[data-namespace="${NAMESPACE}"]`).getByTestId("attachment-state");
  await expect(cell).toHaveText("attached");
  // The pod was created before: it keeps its old spec until restarted.
  const stale = page.getByTestId("stale-pods");
  await expect(stale).toContainText("1 pod(s) do not use it yet");
  await stale.locator("summary").click();
  await expect(stale.locator(`li[data-pod="${POD}"]`)).toContainText("restart it");

  // The restart a controller does: the same pod made again from its spec.
  await cluster.restartPod(NAMESPACE, POD);
  await expect
    .poll(async () => (await cluster.podPhase(NAMESPACE, POD)) ?? "gone", { timeout: 15_000 })
    .toBe("Running");
  await page.goto(`/workloads/pod/${NAMESPACE}/${POD}`);
  await expect(page.getByTestId("diagnosis-verdict")).toContainText("pulls its images");
  await expect(page.getByTestId("pod-facts")).toContainText(name);
  await page.goto(`/registries/ns/${NAMESPACE}/${name}`);
  await expect(page.getByTestId("stale-pods")).toHaveCount(0);
  expect(shell.errors).toEqual([]);
  await cluster.dispose();
});
