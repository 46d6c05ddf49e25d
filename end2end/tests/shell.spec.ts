import { expect, test } from "@playwright/test";
import { ShellPage } from "./fixtures/shell_page";

test("the shell shows the product, the navigation and the cluster", async ({ page }) => {
  const shell = new ShellPage(page);
  const response = await shell.goto("/");
  expect(response?.status()).toBe(200);
  await expect(shell.brand).toHaveText(/regboard/);
  for (const name of ["Registries", "Projects", "Namespaces", "Access", "Audit"]) {
    await expect(shell.nav.getByRole("link", { name, exact: true })).toBeVisible();
  }
  await expect(shell.cluster).not.toBeEmpty();
  await expect(page).toHaveTitle(/regboard/);
  expect(shell.errors).toEqual([]);
});

test("an unknown address answers 404 with a page that leads back", async ({ page }) => {
  const shell = new ShellPage(page);
  const response = await shell.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(shell.heading).toHaveText("Page not found");
  await page.getByRole("main").getByRole("link", { name: "Registries" }).click();
  await expect(page).toHaveURL(/\/registries$/);
});
