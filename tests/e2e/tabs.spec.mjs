// Two tabs of Sidos at once: one writer at a time, the other tab sees the
// change, and two edits of the same person both survive.
import { test, expect } from "@playwright/test";
import { fi, fill, openApp, reopen, addPerson } from "./helpers.mjs";

test("a change in one tab appears in the other", async ({ context }) => {
  const one = await context.newPage();
  const two = await context.newPage();
  await openApp(one);
  await openApp(two);
  await expect(two.getByText(fi.people.empty)).toBeVisible();
  await addPerson(one, { given: "Kati", family: "Häkkinen" });
  await expect(two.getByText(fill(fi.people.count, { count: 1 }))).toBeVisible();
  await expect(two.locator(".vrow .name")).toHaveText(["Häkkinen, Kati"]);
});

test("two tabs editing the same person at once lose nothing", async ({ context }) => {
  const one = await context.newPage();
  await openApp(one);
  await addPerson(one, { given: "Anna", family: "Aho", email: "anna@example.fi", phone: "040 111 1111" });
  const url = one.url();
  const two = await context.newPage();
  await openApp(two, url);
  await expect(two.getByRole("heading", { level: 1 })).toHaveText("Anna Aho");

  // Both open the edit form before either saves.
  await one.getByRole("link", { name: fi.common.edit }).click();
  await two.getByRole("link", { name: fi.common.edit }).click();
  await one.getByLabel(fi.person.phone, { exact: true }).fill("050 222 2222");
  await two.getByLabel(fi.person.email, { exact: true }).fill("anna.aho@example.fi");
  await one.getByRole("button", { name: fi.common.save }).click();
  await expect(one.getByRole("link", { name: "+358 50 222 2222" })).toBeVisible();
  await two.getByRole("button", { name: fi.common.save }).click();
  await expect(two.getByRole("link", { name: "anna.aho@example.fi" })).toBeVisible();
  // The second save kept the first tab's phone.
  await expect(two.getByRole("link", { name: "+358 50 222 2222" })).toBeVisible();
  await reopen(one);
  await expect(one.getByRole("link", { name: "anna.aho@example.fi" })).toBeVisible();
  await expect(one.getByRole("link", { name: "+358 50 222 2222" })).toBeVisible();
});
