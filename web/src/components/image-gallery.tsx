import { useState } from 'react';
import type { ImageSeries } from '../mlflow-images.ts';

/** Thumbnails shown per key; the slider reaches every step. */
const THUMBNAILS = 24;

/** Images logged by key and step: per key, the image at the chosen step, a slider over the steps and thumbnails. */
export function ImageGallery({ series, urlOf }: { series: ImageSeries[]; urlOf: (file: string) => string }) {
  return (
    <section className="image-gallery" aria-label="Logged images by step">
      {series.map((s) => (
        <ImageSteps key={s.key} series={s} urlOf={urlOf} />
      ))}
    </section>
  );
}

function ImageSteps({ series, urlOf }: { series: ImageSeries; urlOf: (file: string) => string }) {
  const { key, images } = series;
  // The last step first: where training ended is what one looks at first.
  const [index, setIndex] = useState(images.length - 1);
  const current = images[Math.min(index, images.length - 1)]!;
  const first = Math.max(0, Math.min(index - THUMBNAILS / 2, images.length - THUMBNAILS));
  return (
    <figure className="image-steps" data-testid="image-steps">
      <figcaption>
        <strong>{key}</strong> <output aria-live="polite">step {current.step}</output>
      </figcaption>
      <img src={urlOf(current.file)} alt={`${key} at step ${current.step}`} />
      {images.length > 1 && (
        <label className="step-slider">
          Step of {key} <input type="range" min={0} max={images.length - 1} value={index} aria-valuetext={`step ${current.step}`} onChange={(e) => setIndex(Number(e.target.value))} />
        </label>
      )}
      <ul className="step-thumbnails">
        {images.slice(first, first + THUMBNAILS).map((image, i) => (
          <li key={image.file}>
            <button type="button" aria-pressed={first + i === index} onClick={() => setIndex(first + i)}>
              <img src={urlOf(image.thumbnail ?? image.file)} alt={`${key}, step ${image.step}`} loading="lazy" />
            </button>
          </li>
        ))}
      </ul>
    </figure>
  );
}
