import { expect, test } from "@playwright/test";
import { ShellPage } from "./fixtures/shell_page";

// Proves the wasm hydrated the server-rendered page: following a link is
// handled by the client-side router, so the page changes while the window
// (and a marker set on it) survives. A full reload would drop the marker.
test("navigation happens in the browser without a reload", async ({ page }) => {
  const shell = new ShellPage(page);
  await shell.goto("/");
  await page.evaluate(() => ((window as unknown as { __marker: string }).__marker = "still here"));

  await shell.navigate("Audit");
  await expect(shell.heading).toHaveText("Audit");
  await expect(page).toHaveURL(/\/audit$/);
  await shell.navigate("Projects");
  await expect(shell.heading).toHaveText("Projects");

  const marker = await page.evaluate(() => (window as unknown as { __marker?: string }).__marker);
  expect(marker).toBe("still here");
  await expect(shell.nav.getByRole("link", { name: "Projects", exact: true })).toHaveAttribute("aria-current", "page");
  expect(shell.errors).toEqual([]);
});
