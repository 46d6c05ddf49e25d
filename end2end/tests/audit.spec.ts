import * as fs from "node:fs";
import { expect, test } from "@playwright/test";
import { AuditPage } from "./fixtures/audit_page";
import { RegistryForm } from "./fixtures/registry_form";

// Events come from real actions: a registry created through the form, and
// a name conflict when a second person confirms the same name after it.
const unique = (what: string) => `e2e-${what}-${Date.now()}`;
const PASSWORD = "audit-canary-Secret-42";

async function createRegistry(form: RegistryForm, namespace: string, name: string) {
  await form.openNew();
  await form.chooseNamespace(namespace);
  await form.fill({ name, preset: "GitHub Container Registry", username: "auditor", password: PASSWORD });
  await expect(form.host("ghcr.io")).toBeVisible();
  await form.submit();
}

test("a registry change is found by filters and shown in detail, without its password", async ({ page }) => {
  const name = unique("audit");
  // Two people create the same name at once: both previews are clean.
  const rival = new RegistryForm(await page.context().newPage());
  await rival.openNew();
  await rival.chooseNamespace("payments-dev");
  await rival.fill({ name, preset: "GitHub Container Registry", username: "rival", password: PASSWORD });
  await rival.save.click();
  await expect(rival.preview.getByTestId("confirm-change")).toBeEnabled();
  const form = new RegistryForm(page);
  await createRegistry(form, "payments-dev", name);
  await expect(page).toHaveURL(new RegExp(`/registries/ns/payments-dev/${name}$`));
  // The second to confirm is refused (the write is the final word), and audited.
  await rival.preview.getByTestId("confirm-change").click();
  await expect(rival.conflict.or(rival.formError)).toBeVisible();
  await rival.page.close();

  const audit = new AuditPage(page);
  await audit.open();
  await expect(audit.chainHeadHash).toHaveText(/^[0-9a-f]{64}$/);

  await audit.filter({ registry: name, namespace: "payments-dev" });
  await expect(page).toHaveURL(new RegExp(`registry=${name}`));
  await expect(audit.rowsWithAction("registry.create")).toHaveCount(2);

  await audit.filter({ outcome: "conflict" });
  await expect(page).toHaveURL(/outcome=conflict/);
  await expect(audit.rows).toHaveCount(1);
  await expect(audit.rows.first()).toContainText("conflict (409)");
  await expect(audit.exportCsv).toHaveAttribute(
    "href",
    new RegExp(`^/audit/export\\?(?=.*registry=${name})(?=.*outcome=conflict).*format=csv$`),
  );

  // Success: the creation, and the reconciler attaching the new registry to
  // the default ServiceAccount (the form's choice for a new registry).
  await audit.filter({ outcome: "success" });
  await expect(audit.rowsWithAction("registry.create")).toHaveCount(1);
  await expect(audit.rowsWithAction("registry.attach")).toHaveCount(1);
  await expect(audit.rows).toHaveCount(2);
  await audit.openDetail(audit.rowsWithAction("registry.create").first());
  await expect(audit.detailField("event-action")).toHaveText("registry.create");
  await expect(audit.detailField("event-details")).toContainText("ghcr.io");
  await expect(audit.detailField("event-details")).toContainText("hmac-sha256:");
  await expect(audit.detailField("event-hash")).toHaveText(/^[0-9a-f]{64}$/);
  await expect(audit.detailField("event-user-agent")).not.toBeEmpty();
  expect(await page.content()).not.toContain(PASSWORD);

  await audit.open(`?registry=${name}&outcome=denied`);
  await expect(audit.empty).toBeVisible();
  expect(audit.errors).toEqual([]);
});

test("the export link downloads the current filter", async ({ page }) => {
  const audit = new AuditPage(page);
  await audit.open("?action=registry.*");
  const download = page.waitForEvent("download");
  await audit.exportJsonl.click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^regboard-audit-\d{8}T\d{6}Z\.jsonl$/);
  const lines = fs.readFileSync(await file.path(), "utf8").trim().split("\n");
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    const event = JSON.parse(line);
    expect(event.action).toMatch(/^registry\./);
  }
  expect(lines.join("\n")).not.toContain(PASSWORD);
});
