// Types the `meta` of queries: a label naming the data for people ("fleet list"), used by the
// stale-data banner to say which data may be out of date.
import '@tanstack/react-query';

declare module '@tanstack/react-query' {
  interface Register {
    queryMeta: { label?: string };
  }
}
