import { expect, test } from "@playwright/test";
import { ProjectsPage } from "./fixtures/projects_page";
import { RegistryDetailPage } from "./fixtures/registries_page";
import { RegistryForm } from "./fixtures/registry_form";
import { SandboxApi } from "./fixtures/sandbox_api";

const unique = (what: string) => `e2e-${what}-${Date.now()}`;

test("the demo projects are listed with their namespaces", async ({ page }) => {
  const projects = new ProjectsPage(page);
  await projects.open();
  await expect(projects.heading).toHaveText("Projects");
  await expect(projects.project("payments").getByTestId("namespaces")).toContainText("payments-dev");
  await expect(projects.project("payments").getByTestId("namespaces")).toContainText("payments-prod");
  expect(projects.errors).toEqual([]);
});

test("a project is created, renamed and given a namespace", async ({ page }) => {
  const cluster = await SandboxApi.connect();
  const name = unique("p");
  const namespace = unique("ns");
  await cluster.createNamespace(namespace);

  const projects = new ProjectsPage(page);
  await projects.open();
  await projects.create(name, "E2E project", "made by a test");
  await expect(projects.status).toHaveText(`Project ${name} recorded.`);
  await expect(projects.project(name).getByTestId("display-name")).toHaveText("E2E project");

  await projects.rename(name, "Renamed project", "still a test");
  await expect(projects.status).toHaveText(`Project ${name} saved.`);
  await expect(projects.project(name).getByTestId("display-name")).toHaveText("Renamed project");

  await projects.moveNamespace(namespace, name);
  await expect(projects.status).toHaveText(`Namespace ${namespace} moved to project ${name}.`);
  await expect(projects.project(name).getByTestId("namespaces")).toContainText(namespace);
  expect(await cluster.namespaceProject(namespace)).toBe(name);

  await projects.moveNamespace(namespace, "");
  await expect(projects.status).toHaveText(`Namespace ${namespace} left its project.`);
  expect(await cluster.namespaceProject(namespace)).toBeNull();

  await cluster.deleteNamespace(namespace);
  await cluster.dispose();
});

test("deleting a project with registries asks again, then removes them", async ({ page }) => {
  const cluster = await SandboxApi.connect();
  const project = unique("pd");
  const namespace = unique("pdns");
  const registry = unique("pr");
  await cluster.createNamespace(namespace);

  const projects = new ProjectsPage(page);
  await projects.open();
  await projects.create(project, "Doomed project");
  await expect(projects.status).toHaveText(`Project ${project} recorded.`);
  await projects.moveNamespace(namespace, project);
  await expect(projects.status).toHaveText(`Namespace ${namespace} moved to project ${project}.`);

  const form = new RegistryForm(page);
  await form.openNew();
  await form.chooseProject(project);
  await form.fill({ name: registry, preset: "GitHub Container Registry", username: "bot", password: "pw" });
  await form.submit();
  const detail = new RegistryDetailPage(page);
  await expect(page).toHaveURL(new RegExp(`/registries/p/${project}/${registry}$`));
  await expect(detail.state(namespace)).toHaveText("synced", { timeout: 30_000 });

  await projects.open();
  const panel = await projects.askToDelete(project);
  await expect(panel).toContainText(`This deletes project ${project}.`);
  await panel.getByRole("button", { name: "Delete project" }).click();
  const again = projects.project(project).getByTestId("confirm-delete-project-anyway");
  await expect(again).toContainText(`Project ${project} still has 1 registry`);
  await again.getByRole("button", { name: "Delete anyway" }).click();
  await expect(projects.status).toHaveText(`Project ${project} deleted.`);
  await expect(projects.project(project)).toHaveCount(0);

  await expect.poll(() => cluster.getSecret(namespace, registry), { timeout: 15_000 }).toBeNull();
  expect(await cluster.namespaceProject(namespace)).toBeNull();
  await cluster.deleteNamespace(namespace);
  await cluster.dispose();
});

test("a namespace labelled outside regboard asks to join, and joins only when an admin accepts the preview", async ({ page }) => {
  const cluster = await SandboxApi.connect();
  const project = unique("pj");
  const namespace = unique("pjns");
  const registry = unique("pjr");

  const projects = new ProjectsPage(page);
  await projects.open();
  await projects.create(project, "Joined project");
  await expect(projects.status).toHaveText(`Project ${project} recorded.`);
  const form = new RegistryForm(page);
  await form.openNew();
  await form.chooseProject(project);
  await form.fill({ name: registry, preset: "GitHub Container Registry", username: "bot", password: "pw" });
  await form.submit();
  await expect(page).toHaveURL(new RegExp(`/registries/p/${project}/${registry}$`));

  // kubectl label ns … regboard.dev/project=<project>, with a Secret of its own under the registry's name.
  await cluster.createNamespace(namespace, { "regboard.dev/project": project });
  await cluster.createSecret(namespace, registry);

  await projects.open();
  const row = projects.namespaceRow(namespace);
  await expect(row.getByTestId("join-request")).toContainText(`asks to join ${project}`);
  await expect(projects.project(project).getByTestId("asking-to-join")).toContainText(namespace);
  await expect(projects.project(project).getByTestId("namespaces")).not.toContainText(namespace);

  await row.getByTestId("review-join").click();
  const review = row.getByTestId("move-review");
  await expect(review.getByTestId("move-receives")).toContainText(registry);
  await expect(review.getByTestId("move-collisions")).toContainText(`${registry} (Opaque)`);
  // The table says the same per registry: the name is taken, nothing is written there.
  const moveRow = review.locator(`tr[data-testid="move-row"][data-secret="${registry}"]`);
  await expect(moveRow).toHaveAttribute("data-action", "collision");
  await expect(moveRow).toContainText("(Opaque)");
  await expect(review.getByTestId("confirm-move")).toHaveText("Accept anyway");
  await review.getByTestId("confirm-move").click();
  await expect(projects.status).toHaveText(`Namespace ${namespace} joined project ${project}.`);
  await expect(projects.project(project).getByTestId("namespaces")).toContainText(namespace);

  // The foreign Secret under the registry's name is left as it was.
  const kept = await cluster.getSecret(namespace, registry);
  expect(kept?.type).toBe("Opaque");
  await cluster.deleteNamespace(namespace);
  await cluster.dispose();
});
