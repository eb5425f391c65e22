// data/events.json is edited by hand: the real file must read, and a mistake must name the file,
// line and column of the value that is wrong and what was expected there.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventsFor, parseEvents } from './events';

describe('data/events.json', () => {
  it('reads the real file', () => {
    const c = parseEvents(readFileSync('data/events.json', 'utf8'));
    expect(c.events.length).toBeGreaterThan(0);
    // 13 March 2023 falls in the academic year 2022/23 (1 September to 31 August).
    expect(c.events.find((e) => e.label === 'Inspection')).toMatchObject({ kind: 'line', from: 2022 });
    expect(c.targets[0]).toMatchObject({ measure: 'suspension_rate', group: 'EHC plan', phase: 'All', by: 2025, byLabel: '2025/26' });
  });

  it('belongs to the LA it names: the demo\u2019s fictional events are not drawn on another LA\u2019s release', () => {
    const c = parseEvents(readFileSync('data/events.json', 'utf8'));
    expect(c.la).toBe('990');
    expect(eventsFor(c, '990')).toBe(c);
    expect(eventsFor(c, '878')).toMatchObject({ events: [], targets: [] });
    const any = parseEvents('{"events":[{"date":"2021-09-01","label":"A","detail":"B"}]}');
    expect([any.la, eventsFor(any, '878').events.length]).toEqual([null, 1]);
    expect(() => parseEvents('{"la": 990}')).toThrow(/"la" must be the 3-digit code of the local authority/);
  });

  it('puts a September date in the year it starts', () => {
    const c = parseEvents('{"events":[{"date":"2021-09-01","label":"A","detail":"B"}]}');
    expect(c.events[0]).toMatchObject({ from: 2021, kind: 'line' });
  });

  it('names the line and column of a wrong value', () => {
    const text = '{\n  "events": [\n    { "date": "2023-02-30", "label": "Inspection", "detail": "x" }\n  ]\n}';
    expect(() => parseEvents(text, 'data/events.json')).toThrow(
      'data/events.json, line 3, column 15: "events[0].date" must be a date written YYYY-MM-DD (found "2023-02-30")'
    );
    expect(() => parseEvents('{"targets": [{"measure": "suspension_rate", "group": "EHC", "value": 3, "by": "2025/26", "label": "T"}]}')).toThrow(
      /line 1, column 54: "targets\[0\]\.group" must be one of EHC plan, SEN support, No SEN, All pupils/
    );
    expect(() => parseEvents('{"events": [{"from": "2023/25", "label": "x", "detail": "y"}]}')).toThrow(/column 22: "events\[0\]\.from" must be an academic year written YYYY\/YY/);
    expect(() => parseEvents('{"events": [{"label": "x", "detail": "y", "colour": "red"}]}')).toThrow(/"events\[0\]\.colour" must be one of the known keys/);
    expect(() => parseEvents('{"events": [{"from": "2023/24", "to": "2022/23", "label": "x", "detail": "y"}]}')).toThrow(/"events\[0\]\.to" must be the same year as "from" or later/);
  });

  it('names the line and column of a syntax error', () => {
    expect(() => parseEvents('{\n  "events": [\n    { "label": "x", }\n  ]\n}', 'data/events.json')).toThrow('data/events.json, line 3, column 21: expected a key in double quotes');
    expect(() => parseEvents('{"events": []', 'e.json')).toThrow(/^e\.json, line 1, column 14: expected "," or "}"/);
  });
});
