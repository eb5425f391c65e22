// Every page is prerendered; the layout gives every page the release's manifest summary (footer label).
import { readManifest } from '$lib/server/published';
import type { LayoutServerLoad } from './$types';

export const prerender = true;
export const trailingSlash = 'never';

export const load: LayoutServerLoad = () => {
  const m = readManifest();
  return {
    release: {
      label: m.label,
      synthetic: m.synthetic,
      release: m.release,
      generated_at: m.generated_at,
      la: m.la,
      latest_year: m.latest_year,
      // How withheld figures are worded on every page (src/lib/ui/disclosure-words.ts).
      disclosure: { mode: m.disclosure.mode ?? ('pipeline' as const), thresholds: m.disclosure.thresholds }
    }
  };
};
