/**
 * Build-time reader of data/events.json (local events and improvement-plan targets for the time
 * axes, see `$lib/config/events`). A mistake in the file stops the build (the prerender of every
 * page that marks events) with the file, line and column of the value that is wrong. A missing
 * file means no local events.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEvents, type EventsConfig } from '$lib/config/events';

export const EVENTS_FILE = path.resolve(process.env.EVENTS_FILE ?? 'data/events.json');

export function readEvents(file = EVENTS_FILE): EventsConfig {
  if (!existsSync(file)) return { la: null, events: [], targets: [] };
  return parseEvents(readFileSync(file, 'utf8'), path.relative(process.cwd(), file) || file);
}
