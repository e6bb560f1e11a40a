// An incremental parser for `text/event-stream` (the WHATWG HTML "event stream interpretation"):
// text arrives in arbitrary pieces, so a frame, a line or a CRLF may be split between two of them.
// Decoding bytes to text (with a streaming TextDecoder) is the caller's part.

export interface SseMessage {
  /** The `event:` field; "message" when the frame has none. */
  event: string;
  /** The `data:` lines joined with "\n". */
  data: string;
  /** The last `id:` seen on the stream so far (it carries over frames), if any. */
  lastEventId: string | undefined;
}

export interface SseParserHandlers {
  onMessage(message: SseMessage): void;
  /** A `retry:` field: the reconnection delay the server asks for, in milliseconds. */
  onRetry?(ms: number): void;
}

export interface SseParser {
  push(text: string): void;
}

export function createSseParser(handlers: SseParserHandlers): SseParser {
  let pending = '';
  let started = false;
  // A chunk ended in "\r": a "\n" opening the next one belongs to the same line break.
  let skipLineFeed = false;
  let data = '';
  let eventType = '';
  let lastEventId: string | undefined;

  const dispatch = () => {
    // A frame without data (only comments, or only `event:`/`id:`) dispatches nothing.
    if (data === '') {
      eventType = '';
      return;
    }
    const message = { event: eventType || 'message', data: data.slice(0, -1), lastEventId };
    data = '';
    eventType = '';
    handlers.onMessage(message);
  };

  const processLine = (line: string) => {
    if (line === '') return dispatch();
    if (line.startsWith(':')) return; // a comment: the server's keep-alive
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        eventType = value;
        break;
      case 'data':
        data += `${value}\n`;
        break;
      case 'id':
        if (!value.includes('\0')) lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) handlers.onRetry?.(Number(value));
        break;
      default:
        break; // unknown fields are ignored
    }
  };

  return {
    push(chunk: string) {
      let text = chunk;
      if (!started && text !== '') {
        started = true;
        if (text.startsWith('\uFEFF')) text = text.slice(1);
      }
      if (skipLineFeed && text !== '') {
        skipLineFeed = false;
        if (text.startsWith('\n')) text = text.slice(1);
      }
      text = pending + text;
      let position = 0;
      const lineBreak = /\r\n|\r|\n/g;
      for (let match = lineBreak.exec(text); match; match = lineBreak.exec(text)) {
        // A lone "\r" at the very end may be the first half of a "\r\n" still on its way.
        if (match[0] === '\r' && match.index === text.length - 1) skipLineFeed = true;
        processLine(text.slice(position, match.index));
        position = lineBreak.lastIndex;
      }
      pending = text.slice(position);
    },
  };
}
