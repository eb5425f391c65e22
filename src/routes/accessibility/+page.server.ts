// The accessibility statement's facts (publisher, contact, response time, preparation and test
// dates) come from data/site.json at build time, so officers update them without touching code.
import { readSiteFacts } from '$lib/server/site';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = () => ({ site: readSiteFacts() });
