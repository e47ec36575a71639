import { describe, expect, it } from 'vitest';
import {
  agentRedialDelayMs,
  Close,
  isFinalClose,
  readAgentMessage,
  readServerMessage,
  readTerminalControl,
  readTerminalStatus,
  reconnectingLine,
  redialDelayMs,
  resizeMessage,
} from '../../classroom/protocol.js';

describe('the class wire protocol', () => {
  it("reads each party's messages, and nothing malformed", () => {
    expect(readServerMessage('{"type":"open","id":"x","cols":100,"rows":30}')).toEqual({ type: 'open', id: 'x', cols: 100, rows: 30 });
    expect(readServerMessage('{"type":"ack","epoch":"ab12","seqs":[1,2]}')).toEqual({ type: 'ack', epoch: 'ab12', seqs: [1, 2] });
    for (const junk of ['', 'not json', '[]', 'null', '{"type":"open"}', '{"type":"ack","epoch":"e","seqs":[1.5]}', '{"type":"rm -rf"}']) expect(readServerMessage(junk), junk).toBeUndefined();
    expect(readAgentMessage('{"type":"state","state":"ready"}')).toEqual({ type: 'state', state: 'ready', message: '' });
    expect(readAgentMessage('{"type":"events","epoch":"e","events":"no"}')).toBeUndefined();
    expect(readTerminalControl(resizeMessage(120, 40))).toEqual({ type: 'resize', cols: 120, rows: 40 });
    expect(readTerminalControl('{"type":"resize","cols":"1; rm"}')).toBeUndefined();
    expect(readTerminalStatus('{"type":"beat"}')).toBeUndefined();
    expect(readTerminalStatus('{"type":"status","state":"starting","message":"m"}')).toEqual({ type: 'status', state: 'starting', message: 'm' });
  });

  it('says which closes end a terminal and how long the others wait before dialling again', () => {
    expect(isFinalClose(Close.done)).toBe(true);
    expect(isFinalClose(Close.takenOver)).toBe(true);
    expect(isFinalClose(Close.sandboxStopped)).toBe(false);
    expect(isFinalClose(1006)).toBe(false);
    expect([Close.sandboxGone, Close.noShell, Close.sandboxStopped].map(redialDelayMs)).toEqual([5000, 5000, 5000]);
    expect(redialDelayMs(1006)).toBe(1500);
    expect([1, 2, 3, 4, 5, 9].map(agentRedialDelayMs)).toEqual([500, 1000, 2000, 4000, 5000, 5000]);
    expect(reconnectingLine('')).toBe('Connection lost; reconnecting…');
    expect(reconnectingLine('Your sandbox stopped; waiting for it to come back…')).toBe('Your sandbox stopped; waiting for it to come back…');
  });
});
