// Print: any page prints as a clean committee pack, with no controls, charts whole, the tables of
// figures printed open, and the data's label and sources on the page.
import { expect, test } from '@playwright/test';

for (const path of ['/', '/transparency', '/methodology', '/downloads']) {
  test(`${path} prints without controls and with its figures`, async ({ page }) => {
    await page.goto(path);
    await page.emulateMedia({ media: 'print' });
    await expect(page.locator('nav[aria-label="Main"]')).toBeHidden();
    for (const input of await page.locator('main input, main button').all()) await expect(input).toBeHidden();
    await expect(page.getByTestId('data-label')).toBeVisible();
    const tables = page.locator('main details table');
    if ((await tables.count()) > 0) await expect(tables.first()).toBeVisible();
    if ((await page.locator('main svg[role="img"]').count()) > 0) await expect(page.locator('main svg[role="img"]').first()).toBeVisible();
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.byteLength).toBeGreaterThan(10_000);
  });
}
