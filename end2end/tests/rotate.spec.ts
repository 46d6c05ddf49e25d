import { expect, test } from "@playwright/test";
import { RegistryDetailPage } from "./fixtures/registries_page";
import { RegistryForm } from "./fixtures/registry_form";
import { SandboxApi } from "./fixtures/sandbox_api";

// Rotating a project registry's credential (issue #13 item 3): the new
// password is previewed for every namespace of the project, written, the
// progress reaches N of N and every copy carries it. ghcr.io is not
// reachable from the tests, so the credential test answers "unreachable",
// which does not stop a rotation.
const unique = (what: string) => `e2e-${what}-${Date.now()}`;
const PAYMENTS = ["payments-dev", "payments-prod", "payments-staging"];

test("a project registry's credential is rotated in every namespace", async ({ page }) => {
  const cluster = await SandboxApi.connect();
  const name = unique("rot");
  const form = new RegistryForm(page);
  await form.openNew();
  await form.chooseProject("payments");
  await form.fill({ name, preset: "GitHub Container Registry", username: "robot", password: "first-password" });
  await form.submit();
  await expect(page).toHaveURL(new RegExp(`/registries/p/payments/${name}$`));

  const detail = new RegistryDetailPage(page);
  await detail.openProject("payments", name);
  for (const ns of PAYMENTS) {
    await expect(detail.state(ns)).toHaveText("synced");
  }

  await page.getByTestId("rotate-open").click();
  await page.getByTestId("rotate-password").fill("rotated-password");
  await page.getByTestId("rotate-preview").click();
  const preview = page.getByTestId("preview");
  await expect(preview.getByTestId("preview-row")).toHaveCount(PAYMENTS.length + 1);
  for (const ns of PAYMENTS) {
    await expect(preview.locator(`[data-testid="preview-row"][data-namespace="${ns}"]`)).toHaveAttribute("data-action", "update");
  }
  await preview.getByTestId("confirm-change").click();

  const report = page.getByTestId("rotation-report");
  await expect(report).toContainText(`${PAYMENTS.length} of ${PAYMENTS.length} namespaces carry the new credential`);
  await expect(report).toContainText("No pod needs a restart");
  await expect(page.locator("body")).not.toContainText("rotated-password");
  for (const ns of PAYMENTS) {
    const config = await cluster.dockerConfig(ns, name);
    expect(config?.auths["ghcr.io"]?.password).toBe("rotated-password");
    expect(config?.auths["ghcr.io"]?.username).toBe("robot");
  }
  await cluster.dispose();
});
