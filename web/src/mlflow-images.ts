/**
 * Images logged with a key and a step (`mlflow.log_image(image, key=..., step=...)`): MLflow
 * writes `images/<key>%step%<n>%timestamp%<ms>%<uuid>.png` and a smaller
 * `…%<uuid>%compressed.webp` beside it, with `/` in the key written as `#`. Newer writers use `+`
 * instead of `%` (a `%` in a URL path must be escaped, and some stores do not), which MLflow's
 * own UI reads too.
 */
const LOGGED_IMAGE = /^(.+?)([%+])step\2(\d+)\2timestamp\2(\d+)\2([^%+/]+?)(\2compressed)?\.(png|webp|jpe?g|gif)$/i;

export interface StepImage {
  step: number;
  timestamp: number;
  /** The full-resolution file's name in the folder. */
  file: string;
  /** The compressed copy's name, when there is one: what a thumbnail shows. */
  thumbnail?: string;
}

export interface ImageSeries {
  key: string;
  images: StepImage[];
}

/** The logged-image series among a folder's file names (keys in order, each series by step), or none. */
export function imageSeriesOf(fileNames: readonly string[]): ImageSeries[] {
  const byId = new Map<string, { key: string; step: number; timestamp: number; file?: string; thumbnail?: string }>();
  for (const name of fileNames) {
    const m = LOGGED_IMAGE.exec(name);
    if (!m) continue;
    const [, rawKey, , step, timestamp, uuid, compressed] = m;
    const key = rawKey!.replace(/#/g, '/');
    const id = `${key}\u0000${uuid}`;
    const entry = byId.get(id) ?? { key, step: Number(step), timestamp: Number(timestamp) };
    if (compressed) entry.thumbnail = name;
    else entry.file = name;
    byId.set(id, entry);
  }
  const series = new Map<string, StepImage[]>();
  for (const entry of byId.values()) {
    // A compressed copy without its original (an upload cut short) is still worth showing.
    const file = entry.file ?? entry.thumbnail!;
    const images = series.get(entry.key) ?? [];
    images.push({ step: entry.step, timestamp: entry.timestamp, file, ...(entry.thumbnail ? { thumbnail: entry.thumbnail } : {}) });
    series.set(entry.key, images);
  }
  return [...series.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, images]) => ({ key, images: images.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp) }));
}
