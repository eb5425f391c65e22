// Runs first in `npm test`: stop at once, with instructions, when there is no browser to test in.
import { findChromium, NO_BROWSER_MESSAGE } from './browser';

const found = findChromium();
if (!found) {
  if (process.env.CHROMIUM_PATH) console.error(`CHROMIUM_PATH is set to ${process.env.CHROMIUM_PATH}, but no file is there.\n`);
  console.error(NO_BROWSER_MESSAGE);
  process.exit(1);
}
console.log(`Browser for end-to-end tests: ${found.path} (${found.source})`);
