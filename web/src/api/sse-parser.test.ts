import { describe, expect, it, vi } from 'vitest';
import { createSseParser, type SseMessage } from './sse-parser.ts';

function parse(chunks: readonly string[]) {
  const messages: SseMessage[] = [];
  const onRetry = vi.fn();
  const parser = createSseParser({ onMessage: (m) => messages.push(m), onRetry });
  for (const chunk of chunks) parser.push(chunk);
  return { messages, onRetry };
}

const stream =
  ': keep-alive\n\n' +
  'event: job\nid: 7\ndata: {"id":"job-1","status":"running"}\n\n' +
  'event: notification\ndata: {"id":"n-1",\ndata: "kind":"paused"}\n\n';

describe('the SSE frame parser', () => {
  it('reads event, id and data; a blank line ends a frame; comments dispatch nothing', () => {
    const { messages } = parse([stream]);
    expect(messages).toEqual([
      { event: 'job', data: '{"id":"job-1","status":"running"}', lastEventId: '7' },
      // Several data lines are joined with "\n"; the id carries over frames.
      { event: 'notification', data: '{"id":"n-1",\n"kind":"paused"}', lastEventId: '7' },
    ]);
  });

  it('gives the same frames however the text is split, mid-line and mid-frame', () => {
    const whole = parse([stream]).messages;
    for (let size = 1; size <= 13; size++) {
      const chunks: string[] = [];
      for (let i = 0; i < stream.length; i += size) chunks.push(stream.slice(i, i + size));
      expect(parse(chunks).messages).toEqual(whole);
    }
    for (let cut = 0; cut <= stream.length; cut++) {
      expect(parse([stream.slice(0, cut), stream.slice(cut)]).messages).toEqual(whole);
    }
  });

  it('accepts CRLF and CR line ends, also with a CRLF split between two chunks', () => {
    const crlf = 'event: job\r\ndata: a\r\n\r\nevent: job\rdata: b\r\r';
    const expected = [
      { event: 'job', data: 'a', lastEventId: undefined },
      { event: 'job', data: 'b', lastEventId: undefined },
    ];
    expect(parse([crlf]).messages).toEqual(expected);
    expect(parse(['event: job\r', '\ndata: a\r', '\n\r', '\nevent: job\rdata: b\r\r']).messages).toEqual(
      expected,
    );
  });

  it('keeps an unfinished frame until its blank line arrives, and drops frames without data', () => {
    const messages: SseMessage[] = [];
    const parser = createSseParser({ onMessage: (m) => messages.push(m) });
    for (const chunk of ['event: job\ndata: {"a":', '1}\n', ': ping\n', 'id: 9\n']) parser.push(chunk);
    expect(messages).toEqual([]);
    parser.push('\n');
    expect(messages).toEqual([{ event: 'job', data: '{"a":1}', lastEventId: '9' }]);
    // Only event and id, or only a comment: nothing to dispatch, and the event type does not linger.
    parser.push('event: job\nid: 10\n\n:ping\n\ndata: x\n\n');
    expect(messages.slice(1)).toEqual([{ event: 'message', data: 'x', lastEventId: '10' }]);
  });

  it('strips one space after the colon only, ignores a BOM and unknown fields, reports retry', () => {
    const { messages, onRetry } = parse(['\uFEFFdata:  two spaces\nfoo: bar\nretry: 3000\nretry: soon\n\n']);
    expect(messages).toEqual([{ event: 'message', data: ' two spaces', lastEventId: undefined }]);
    expect(onRetry).toHaveBeenCalledTimes(1);
    expect(onRetry).toHaveBeenCalledWith(3000);
  });

  it('treats a field line without a colon as the field with an empty value', () => {
    const { messages } = parse(['data\ndata\n\n']);
    expect(messages).toEqual([{ event: 'message', data: '\n', lastEventId: undefined }]);
  });
});
