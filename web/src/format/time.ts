// Times as people read them, in the browser's locale and time zone.

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const clockSeconds = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const dayAndClock = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});

const toMs = (time: string | number): number => (typeof time === 'number' ? time : Date.parse(time));

const sameDay = (a: number, b: number) => new Date(a).toDateString() === new Date(b).toDateString();

/** "14:05" today, "Tue 3 Jun, 14:05" on another day. */
export function formatTime(time: string | number, now = Date.now()): string {
  const ms = toMs(time);
  if (Number.isNaN(ms)) return 'unknown';
  return sameDay(ms, now) ? clock.format(ms) : dayAndClock.format(ms);
}

/** "14:05:03" today, else with the day: for "updated at" and "stale since". */
export function formatTimeWithSeconds(time: string | number, now = Date.now()): string {
  const ms = toMs(time);
  if (Number.isNaN(ms)) return 'unknown';
  return sameDay(ms, now) ? clockSeconds.format(ms) : dayAndClock.format(ms);
}

/** "Tue 3 Jun, 14:05" whatever the day: for ranges and schedules, where "today" would be ambiguous. */
export function formatDateTime(time: string | number): string {
  const ms = toMs(time);
  return Number.isNaN(ms) ? 'unknown' : dayAndClock.format(ms);
}

/** "45 s", "3 min 12 s", "2 h 5 min", "3 d 4 h": how long something took or has been running. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** "just now", "4 min ago", "3 h ago", "2 d ago". */
export function formatAgo(time: string | number, now = Date.now()): string {
  const ms = toMs(time);
  if (Number.isNaN(ms)) return 'unknown';
  const minutes = Math.floor((now - ms) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

/** ISO form for `<time dateTime>`. */
export const isoOf = (time: string | number): string => {
  const ms = toMs(time);
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString();
};
