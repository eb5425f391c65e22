// DataTable with nothing in it: a reader who opens the table toggle gets a sentence, not a bare
// header row that looks like a failed load.
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import DataTable, { type TableColumn } from './DataTable.svelte';

interface R {
  school: string;
  rate: number | null;
}
const columns: TableColumn<R>[] = [
  { key: 'school', label: 'School', rowHeader: true, value: (r) => r.school },
  { key: 'rate', label: 'Per 100', numeric: true, value: (r) => r.rate }
];

describe('DataTable', () => {
  it('says there is nothing to show, across every column, when it has no rows', () => {
    const html = render(DataTable<R>, { props: { caption: 'Schools', columns, rows: [] } }).body;
    const body = html.slice(html.indexOf('<tbody'), html.indexOf('</tbody>'));
    expect(body.match(/<tr/g)).toHaveLength(1);
    expect(body).toContain('colspan="2"');
    expect(body).toContain('No figures to show for this selection.');
  });

  it('has no such row when it has rows', () => {
    const html = render(DataTable<R>, { props: { caption: 'Schools', columns, rows: [{ school: 'A', rate: 1.5 }] } }).body;
    expect(html).not.toContain('No figures to show');
  });
});
