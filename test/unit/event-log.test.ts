import { describe, expect, it } from 'vitest';
import { EVENT_LOG_LIMIT, EventLog, recordEvents, withEventLog } from '../../runner/engine/event-log.js';
import { FakeDocker } from './fake-docker.js';

const ev = (action: string, time: number, attributes: Record<string, string> = { name: 'web' }, id = 'id-web-0123456789') => ({
  type: 'container',
  action,
  id,
  name: attributes.name ?? '',
  time,
  attributes,
});

describe("a session's record of the engine's events", () => {
  it('covers a time only once it has begun, and finds events by name, id or labels', () => {
    const log = new EventLog();
    log.record(ev('start', 1000));
    expect(log.covers(900, 200)).toBe(false);
    log.begin(950);
    expect(log.covers(900, 100)).toBe(true);
    expect(log.covers(800, 100)).toBe(false);
    log.record(ev('die', 1100, { name: 'db', 'com.docker.compose.project': 'p' }, 'id-db-0123456789'));
    expect(log.containerEvents('web', 0).map((e) => e.action)).toEqual(['start']);
    expect(log.containerEvents('id-db-012345', 0).map((e) => e.action)).toEqual(['die']);
    expect(log.containerEvents({ 'com.docker.compose.project': 'p' }, 0).map((e) => e.action)).toEqual(['die']);
    expect(log.containerEvents('web', 1050)).toEqual([]);
  });

  it('stops claiming to cover the session once its stream ended or it had to drop events', () => {
    const ended = new EventLog();
    ended.begin(0);
    ended.interrupt();
    expect(ended.covers(10, 0)).toBe(false);
    const full = new EventLog();
    full.begin(0);
    for (let i = 0; i <= EVENT_LOG_LIMIT; i++) full.record(ev('exec_start', i));
    expect(full.covers(10, 0)).toBe(false);
  });

  it("serves the past from the record where it covers the time asked, and from the engine's history before it", async () => {
    const docker = new FakeDocker();
    docker.pastEventsOf.set('web', [ev('start', 10)]);
    const { log, stop } = await recordEvents(docker, 0);
    docker.emitEvent(ev('start', Date.now()));
    docker.emitEvent(ev('kill', Date.now()));
    const port = withEventLog(docker, () => log, 2000);
    expect((await port.pastEvents('web', Date.now() - 1000)).map((e) => e.action)).toEqual(['start', 'kill']);
    // Asked about long before the record began: the engine answers.
    expect((await port.pastEvents('web', 0)).map((e) => e.action)).toEqual(['start']);
    stop();
  });
});
